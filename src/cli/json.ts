// Every --json document is printed the same way: two-space indentation, one trailing newline, keys in the order
// the renderer built them. The schemas under schemas/ describe each document.
import type { CliContext } from './context.js';

export function formatJson(doc: unknown): string {
  return JSON.stringify(doc, null, 2) + '\n';
}

export function printJson(ctx: CliContext, doc: unknown): void {
  ctx.output.out(formatJson(doc));
}
