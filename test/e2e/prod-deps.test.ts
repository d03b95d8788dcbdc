// What the published tarball ships (package.json `files`: dist/src, dist/parsers, bin) imports only node:* modules,
// its own files and the packages of `dependencies`: never a devDependency such as typescript, which only the
// dev-side scripts use (fuzz/collect-patterns.ts reads the sources' regexes with the TypeScript parser for
// test/parsers/regex-linear.test.ts). dist/ is built by `npm test`'s pretest.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function jsFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? jsFiles(path.join(dir, e.name))
        : /\.m?js$/.test(e.name)
          ? [path.join(dir, e.name)]
          : [],
    );
}

/** The package a specifier names (`@scope/name/x` -> `@scope/name`), null for node:* and relative ones. */
function packageOf(spec: string): string | null {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) return null;
  const parts = spec.split('/');
  return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

describe('the tarball needs only production dependencies', () => {
  it('dist/src, dist/parsers and bin import no devDependency (typescript included)', () => {
    // dist/ of a working tree can hold the output of a source since deleted (tsc never removes files): only files
    // with a source are what a clean build (prepack) ships
    const built = [...jsFiles('dist/src'), ...jsFiles('dist/parsers')].filter((f) =>
      fs.existsSync(f.replace(/^dist\//, '').replace(/\.js$/, '.ts')),
    );
    const files = [...built, ...jsFiles('bin')];
    expect(files.length).toBeGreaterThan(100);
    const wrong: string[] = [];
    for (const f of files) {
      const src = fs.readFileSync(f, 'utf8');
      const specs = [
        ...src.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm),
        ...src.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
        ...src.matchAll(/\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g),
      ];
      for (const m of specs) {
        const p = packageOf(m[1]!);
        if (p !== null && !(p in pkg.dependencies)) wrong.push(`${f}: ${m[1]}`);
      }
    }
    expect(wrong).toEqual([]);
    expect('typescript' in pkg.dependencies).toBe(false);
    expect('typescript' in pkg.devDependencies).toBe(true);
  });

  it('package.json files does not ship fuzz/ or the test builders', () => {
    const files = (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { files: string[] }).files;
    expect(files.some((f) => /fuzz|test/.test(f))).toBe(false);
  });
});
