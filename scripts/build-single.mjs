#!/usr/bin/env node
// The single-file CLI: every module of kexec-replay and its dependencies bundled by esbuild into one ESM file that
// runs on any Node 20+ with no node_modules (copy it to a host and run `node kexec-replay.mjs capture --out b`).
//   node scripts/build-single.mjs [--outfile dist/kexec-replay.mjs] [--quiet]
// `npm run build` runs it after tsc: bin/kexec-replay.js runs this file, so the CLI a user runs is the bundle.
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const i = process.argv.indexOf('--outfile');
const outfile = resolve(i > 0 ? process.argv[i + 1] : resolve(root, 'dist/kexec-replay.mjs'));
const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

await build({
  stdin: {
    contents:
      // the JSON writer thread (src/cli/json-thread.ts) runs this file too: the CLI only on the main thread
      "import { isMainThread } from 'node:worker_threads';\nimport { run } from './src/cli/main.ts';\n" +
      'if (isMainThread) process.exitCode = await run(process.argv.slice(2));\n',
    resolveDir: root,
    sourcefile: 'kexec-replay-single-entry.ts',
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outfile,
  legalComments: 'inline',
  logLevel: 'warning',
  // CommonJS dependencies (commander) call require() for node: built-ins; ESM output has no require of its own
  banner: {
    js:
      `#!/usr/bin/env node\n// kexec-replay ${version}, single-file build (scripts/build-single.mjs): runs on Node 20+ without node_modules.\n` +
      "import { createRequire as __kexecReplayCreateRequire } from 'node:module';\nconst require = __kexecReplayCreateRequire(import.meta.url);",
  },
});
chmodSync(outfile, 0o755);
if (!process.argv.includes('--quiet')) process.stdout.write(`${outfile}\n`);
