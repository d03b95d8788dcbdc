// Real lines for the ReDoS check's pumped shapes: every distinct line of the text files under traces/, and each
// kernel-log line again without its `[    0.000000] ` / `<6>` prefix (dmesg patterns match the message).
import * as fs from 'node:fs';
import * as path from 'node:path';

function textFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'malformed' ? [] : textFiles(p);
    return /\.(txt|md|dts)$/.test(e.name) ? [p] : [];
  });
}

/** Distinct lines (at most `maxLen` characters each) of the text files under `root`, and their messages. */
export function sampleLines(root = 'traces', maxLen = 400): string[] {
  const out = new Set<string>();
  for (const f of textFiles(root).sort()) {
    for (const line of fs.readFileSync(f, 'utf8').split(/\r?\n/)) {
      if (line.length === 0 || line.length > maxLen) continue;
      out.add(line);
      const msg = line.replace(/^(?:<\d+>)?(?:\[ *[\d.]+\] )?/, '');
      if (msg !== line && msg.length > 0) out.add(msg);
    }
  }
  return [...out];
}
