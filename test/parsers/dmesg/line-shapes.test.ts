// The table of single-line shapes (parsers/dmesg/line-shapes.ts): every entry names its printer and what it sets,
// reads its groups by name, and each one is reached by a sample line (the first matching entry is the one).
import { describe, expect, it } from 'vitest';
import { parseDmesg } from '../../../parsers/dmesg/index.js';
import { LINE_SHAPES } from '../../../parsers/dmesg/line-shapes.js';

/** Capturing groups that are not named: `(` not followed by `?`, not escaped, outside a character class. */
function unnamedGroups(src: string): number {
  let n = 0;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(' && src[i + 1] !== '?') n++;
  }
  return n;
}

describe('LINE_SHAPES', () => {
  it('has unique ids, a printer and a target for every entry', () => {
    const ids = LINE_SHAPES.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of LINE_SHAPES) {
      expect(s.printedBy, s.id).toMatch(/\S/);
      expect(s.sets, s.id).toMatch(/\S/);
    }
  });

  it('captures only named groups', () => {
    for (const s of LINE_SHAPES) expect(unnamedGroups(s.re.source), `${s.id}: ${s.re.source}`).toBe(0);
  });

  it.each([
    ['unavailable-ranges', 'On node 0, zone DMA: 1 pages in unavailable ranges', (l) => l.unavailable.length],
    [
      'zeroed-unavailable',
      'Zeroed struct page in unavailable ranges: 14373 pages',
      (l) => l.zeroedUnavailablePages,
    ],
    ['reserved-unavailable', 'Reserved but unavailable: 14890 pages', (l) => l.reservedUnavailablePages],
    ['deferred-init-kswapd', 'kswapd 0 initialised deferred memory in 12ms', (l) => l.deferredInit.length],
    [
      'memory-available',
      'Memory: 3846100K/4124504K available (1K kernel code, 278404K reserved)',
      (l) => l.memoryAvailable[0]?.reservedKiB,
    ],
  ] as [string, string, (l: ReturnType<typeof parseDmesg>) => unknown][])('%s', (id, line, get) => {
    expect(LINE_SHAPES.find((s) => s.re.test(line))?.id).toBe(id);
    const log = parseDmesg(`[    0.000000] ${line}\n`, 'x');
    expect(log.unknownLines).toBe(0);
    expect(get(log)).toBeTruthy();
  });
});
