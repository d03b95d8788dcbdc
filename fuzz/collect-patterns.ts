// Every regular expression of the source tree, found by reading the sources (issue 13): each regex literal is
// compiled from its text, and each `new RegExp(...)` must initialise an exported const, whose value is read from
// the module. A pattern added anywhere later is covered by the ReDoS check without a list to update.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

export interface SourcePattern {
  /** `file:line`, plus the const name for a `new RegExp`. */
  readonly id: string;
  readonly source: string;
  readonly flags: string;
}

/** Folders whose code sees input text (and the checker itself). */
export const PATTERN_ROOTS = ['parsers', 'src', 'fuzz'] as const;

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? sourceFiles(path.join(dir, e.name))
        : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')
          ? [path.join(dir, e.name)]
          : [],
    );
}

/**
 * The patterns under `roots` (relative to the working directory). `load` imports a source file's module (the .ts
 * under vitest, its dist/*.js from a built script). `unexported` lists `new RegExp` calls the check cannot read.
 */
export async function collectPatterns(
  load: (file: string) => Promise<Record<string, unknown>>,
  roots: readonly string[] = PATTERN_ROOTS,
): Promise<{ patterns: SourcePattern[]; unexported: string[] }> {
  const patterns: SourcePattern[] = [];
  const unexported: string[] = [];
  for (const file of roots.flatMap(sourceFiles).sort()) {
    const text = fs.readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const dynamic: { name: string; line: number }[] = [];
    const visit = (node: ts.Node): void => {
      const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const lit = node.getText(sf);
        const slash = lit.lastIndexOf('/');
        patterns.push({ id: `${file}:${line}`, source: lit.slice(1, slash), flags: lit.slice(slash + 1) });
      } else if (
        ts.isNewExpression(node) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === 'RegExp'
      ) {
        const decl = node.parent;
        const stmt = decl?.parent?.parent;
        if (
          decl &&
          ts.isVariableDeclaration(decl) &&
          ts.isIdentifier(decl.name) &&
          stmt &&
          ts.isVariableStatement(stmt) &&
          stmt.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
        ) {
          dynamic.push({ name: decl.name.text, line });
        } else if (!file.startsWith(`fuzz${path.sep}`)) {
          // The checker's own machinery builds patterns from the ones it is given: not input-facing.
          unexported.push(`${file}:${line}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
    if (dynamic.length > 0) {
      const mod = await load(file);
      for (const d of dynamic) {
        const re = mod[d.name];
        if (re instanceof RegExp)
          patterns.push({ id: `${file}:${d.line} (${d.name})`, source: re.source, flags: re.flags });
        else unexported.push(`${file}:${d.line}`);
      }
    }
  }
  return { patterns, unexported };
}
