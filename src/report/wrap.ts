// Text reports fit the terminal (or 100 columns when not a terminal): every line longer than the width is wrapped
// at spaces, its continuation lines indented under the first one's text, and a word longer than the width (a
// path, a long range list) is broken where it must be. Tables are laid out to the width before this
// (src/report/table.ts), so this only ever wraps prose: notes, diagnostics, how-to-read paragraphs.

/** Wrap one line to `width` columns with a hanging indent; shorter lines come back as they are. */
export function wrapLine(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const lead = /^ */.exec(line)![0].length;
  // continuation lines go under the first one's text, plus 2, unless that leaves too little room
  const hang = ' '.repeat(Math.min(lead + 2, Math.floor(width / 2)));
  const out: string[] = [];
  let cur = line.slice(0, lead);
  let curHasWord = false;
  // words with the spaces before them kept as they were (`decided by:   root` keeps its alignment)
  const parts = line.slice(lead).split(/( +)/);
  for (let k = 0; k < parts.length; k += 2) {
    let w = parts[k]!;
    const sep = k > 0 ? parts[k - 1]! : ' ';
    const room = (): number => width - cur.length - (curHasWord ? sep.length : 0);
    if (w.length <= room()) {
      cur += (curHasWord ? sep : '') + w;
      curHasWord = true;
      continue;
    }
    if (curHasWord && w.length <= width - hang.length) {
      out.push(cur);
      cur = hang + w;
      continue;
    }
    // a word longer than a whole line: fill what is left, then whole lines of it
    while (w.length > room()) {
      const n = Math.max(1, room());
      cur += (curHasWord ? ' ' : '') + w.slice(0, n);
      out.push(cur);
      w = w.slice(n);
      cur = hang;
      curHasWord = false;
    }
    cur += (curHasWord ? ' ' : '') + w;
    curHasWord = w.length > 0;
  }
  if (cur.trim() !== '') out.push(cur);
  return out;
}

/** Wrap every line of a text report to `width` columns. */
export function wrapText(text: string, width: number): string {
  const trailing = text.endsWith('\n');
  const lines = (trailing ? text.slice(0, -1) : text).split('\n');
  return lines.flatMap((l) => wrapLine(l.trimEnd(), width)).join('\n') + (trailing ? '\n' : '');
}
