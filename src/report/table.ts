// Every text table of the reports, laid out by cli-table3 (kept library; chosen over `table` because it draws
// borderless tables with per-column alignment and wraps a chosen column on word boundaries). Columns are two
// spaces apart, no borders; when the table is wider than the report, the one column of prose (the row label by
// default) wraps so that the numbers stay in their columns.
import Table from 'cli-table3';

export interface TableOptions {
  /** Per column: 'left' (default for the first) or 'right' (default for the others, numbers). */
  readonly align?: readonly ('left' | 'right')[];
  /** Columns the whole table may take (with the indent). Default: no limit. */
  readonly width?: number;
  /** Spaces before every line. */
  readonly indent?: number;
  /** The column that wraps when the table is too wide (default 0). */
  readonly wrapColumn?: number;
}

const NO_BORDER = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/** A heading's pieces: it may break after a hyphen or at a space. */
const headingParts = (text: string): string[] => text.split(/(?<=[- ])/);

/** Split a heading at its hyphens and spaces into lines of at most `width` (a longer piece stays whole). */
function packHeading(text: string, width: number): string {
  const lines: string[] = [];
  for (const p of headingParts(text)) {
    const last = lines.length - 1;
    if (last >= 0 && (lines[last]! + p).trimEnd().length <= width) lines[last] += p;
    else lines.push(p);
  }
  return lines.map((l) => l.trimEnd()).join('\n');
}

/**
 * A cell of the prose column as lines of at most `width`: greedy on spaces, and a word longer than the column (a
 * finding code, a kernel function name) split across lines rather than cut short, so nothing a report says is lost.
 */
function wrapCell(text: string, width: number): string {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (let word of para.split(' ')) {
      if (line && line.length + 1 + word.length <= width) {
        line += ` ${word}`;
        continue;
      }
      if (line) lines.push(line);
      while (word.length > width) {
        lines.push(word.slice(0, width));
        word = word.slice(width);
      }
      line = word;
    }
    lines.push(line);
  }
  return lines.join('\n');
}

/**
 * Lay out rows (the first is the heading) as text lines, trailing spaces trimmed. Too wide for `width`: first the
 * headings of the number columns break at their hyphens and spaces (`init-deferred-page` over two lines) down to
 * their widest value, then the wrap column (prose) wraps on word boundaries, a word longer than it split, never cut.
 */
export function renderTable(rows: readonly (readonly string[])[], options: TableOptions = {}): string[] {
  if (rows.length === 0) return [];
  const cols = Math.max(...rows.map((r) => r.length));
  const cell = (r: readonly string[], i: number): string => r[i] ?? '';
  const natural = Array.from({ length: cols }, (_, i) => Math.max(1, ...rows.map((r) => cell(r, i).length)));
  const indent = options.indent ?? 0;
  const wrapCol = options.wrapColumn ?? 0;
  const limit = options.width ?? Infinity;
  const widths = [...natural];
  const total = (): number => indent + widths.reduce((s, w) => s + w, 0) + 2 * (cols - 1);
  const head = [...rows[0]!];
  // the narrowest each number column can be: its widest value, or its heading's longest hyphen segment
  const min = Array.from({ length: cols }, (_, i) =>
    i === wrapCol
      ? natural[i]!
      : Math.max(
          1,
          ...rows.slice(1).map((r) => cell(r, i).length),
          ...headingParts(cell(head, i)).map((p) => p.trimEnd().length),
        ),
  );
  // take one column at a time off the widest that can give: the headings break evenly
  while (total() > limit) {
    let widest = -1;
    for (let i = 0; i < cols; i++)
      if (widths[i]! > min[i]! && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    if (widest < 0) break;
    widths[widest]!--;
  }
  for (let i = 0; i < cols; i++)
    if (widths[i]! < natural[i]!) head[i] = packHeading(cell(head, i), widths[i]!);
  const wrap = total() > limit;
  if (wrap) widths[wrapCol] = Math.max(12, widths[wrapCol]! - (total() - limit));
  const t = new Table({
    chars: NO_BORDER,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    colWidths: widths,
    colAligns: Array.from({ length: cols }, (_, i) => options.align?.[i] ?? (i === 0 ? 'left' : 'right')),
  });
  // the prose column is wrapped here, not by cli-table3, whose word wrap cuts a word longer than the column short
  const body = (r: readonly string[], i: number): string =>
    wrap && i === wrapCol ? wrapCell(cell(r, i), widths[i]!) : cell(r, i);
  t.push(Array.from({ length: cols }, (_, i) => cell(head, i)));
  for (const r of rows.slice(1)) t.push(Array.from({ length: cols }, (_, i) => body(r, i)));
  const pad = ' '.repeat(indent);
  return t
    .toString()
    .split('\n')
    .map((l) => (pad + l).trimEnd());
}
