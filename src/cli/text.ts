// Every text report goes out through printText(): the legend of the source labels it shows (K616, KD1, ...),
// wrapped to the report width (the terminal's, 100 when not a terminal), then coloured when colour is wanted
// (picocolors, honouring NO_COLOR and FORCE_COLOR: src/cli/io.ts colorWanted). Renderers stay pure and
// colourless; colour is added last so that it never counts towards a line's width.
import pc from 'picocolors';
import { labelLegend } from '../report/glossary.js';
import { wrapText } from '../report/wrap.js';
import type { CliContext } from './context.js';
import { DEFAULT_WIDTH } from './io.js';

/** The width reports are laid out to for this output. */
export function reportWidth(ctx: CliContext): number {
  return ctx.output.width ?? DEFAULT_WIDTH;
}

/** Severity words, verdicts and headings in colour; every other character as it was. */
export function colorize(text: string): string {
  const c = pc.createColors(true);
  return text
    .replace(/(^|[\s(])(error)(?=[:\s)])/gm, (_, a: string, w: string) => a + c.red(c.bold(w)))
    .replace(/(^|[\s(])(warning)(?=[:\s)])/gm, (_, a: string, w: string) => a + c.yellow(w))
    .replace(/\bFAIL\b/g, (w) => c.red(c.bold(w)))
    .replace(/^(verdict .*)$/gm, (line: string) => line.replace(/(?<= )ok\b/g, (w) => c.green(w)));
}

export function printText(ctx: CliContext, text: string): void {
  const legend = labelLegend(text);
  const full = legend.length ? `${text.replace(/\n*$/, '\n')}\n${legend.join('\n')}\n` : text;
  const wrapped = wrapText(full, reportWidth(ctx));
  ctx.output.out(ctx.output.color ? colorize(wrapped) : wrapped);
}
