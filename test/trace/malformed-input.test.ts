// Bad input never crashes: every host parser and loadBundle, on real files cut, flipped and spliced at random,
// either accounts for every line (parsed + unknown = total) or throws a TraceError located at a line.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TraceError } from '../../src/core/index.js';
import { parseBuddyinfo, parsePagetypeinfo } from '../../parsers/buddyinfo/index.js';
import { parseCmdline } from '../../parsers/cmdline/index.js';
import { parseIomem } from '../../parsers/iomem/index.js';
import { parseKconfig } from '../../parsers/kconfig/index.js';
import { parseMemblockDebugfs } from '../../parsers/memblock/index.js';
import * as node from '../../parsers/node/index.js';
import { parseZoneinfo } from '../../parsers/zoneinfo/index.js';
import { loadBundle, parseFirmwareMemmap } from '../../src/trace/index.js';

interface Counted {
  totalLines: number;
  parsedLines: number;
  unknownLines: number;
}

const B = 'traces/qemu/b-16g-2node';
const read = (p: string): string => readFileSync(p, 'utf8');
const MEMBLOCK_65 =
  '   0: 0x0000000080000000..0x00000000901fffff    0 NONE\n   1: 0x0000000090200000..0x00000000905fffff    x RSV_KERN\n';

const PARSERS: [string, string, (t: string, f: string) => Counted][] = [
  ['iomem', read(`${B}/iomem.txt`), parseIomem],
  ['zoneinfo', read(`${B}/zoneinfo.txt`).slice(0, 4000), parseZoneinfo],
  ['zoneinfo-3.13', read('traces/public/ubuntu-3.13-desktop-procfs/zoneinfo').slice(0, 3000), parseZoneinfo],
  ['buddyinfo', read(`${B}/buddyinfo.txt`), parseBuddyinfo],
  ['pagetypeinfo', read(`${B}/pagetypeinfo.txt`).slice(0, 2500), parsePagetypeinfo],
  ['kconfig', read(`${B}/kernel-config-excerpt.txt`), parseKconfig],
  ['cmdline', read(`${B}/cmdline.txt`), parseCmdline],
  ['memblock', MEMBLOCK_65, parseMemblockDebugfs],
  ['node-meminfo', read(`${B}/node0-meminfo.txt`), node.parseNodeMeminfo],
  ['memory-blocks', read(`${B}/memory-blocks.txt`).slice(0, 2000), node.parseMemoryBlockTable],
  ['nodes', read(`${B}/nodes.txt`), node.parseNodeStates],
  ['cpulist', '0-3,8\n', node.parseCpulist],
  ['distance', read(`${B}/node0-distance.txt`), node.parseNodeDistance],
  ['firmware-memmap', read(`${B}/firmware-memmap.txt`), parseFirmwareMemmap],
];

/** A real file damaged: cut short, bytes replaced, digits swapped for hex letters, lines duplicated. */
function damaged(text: string): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.nat({ max: text.length }),
      fc.array(fc.tuple(fc.nat({ max: Math.max(0, text.length - 1) }), fc.string({ maxLength: 3 })), {
        maxLength: 8,
      }),
      fc.constantFrom('', '\u0000\u0001\u00ff', 'ffffffffffffffffff', '-', '\n\n', '99999999999999999999'),
    )
    .map(([cut, edits, junk]) => {
      let t = text.slice(0, cut);
      for (const [at, s] of edits) t = t.slice(0, at) + s + t.slice(at + s.length);
      return t + junk;
    });
}

function accounted(name: string, parse: (t: string, f: string) => Counted, text: string): void {
  try {
    const r = parse(text, name);
    expect(r.parsedLines + r.unknownLines).toBe(r.totalLines);
  } catch (e) {
    expect(e).toBeInstanceOf(TraceError);
    const loc = (e as TraceError).location;
    expect(loc.file).toBe(name);
    expect(loc.line).toBeGreaterThanOrEqual(1);
  }
}

describe('host parsers on damaged input', () => {
  for (const [name, text, parse] of PARSERS) {
    it(`${name}: damaged real file`, () => {
      fc.assert(
        fc.property(damaged(text), (t) => accounted(name, parse, t)),
        { numRuns: 100 },
      );
    });
    it(`${name}: arbitrary text`, () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (t) => accounted(name, parse, t)),
        { numRuns: 100 },
      );
    });
  }
});

describe('loadBundle on damaged bundles', () => {
  const files: Record<string, Uint8Array> = {};
  for (const f of [
    'iomem.txt',
    'zoneinfo.txt',
    'cmdline.txt',
    'memory-blocks.txt',
    'node0-meminfo.txt',
    'uname.txt',
  ]) {
    files[f] = new Uint8Array(readFileSync(`${B}/${f}`));
  }
  it('random bytes in any file: a HostTrace or a located TraceError, never anything else', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(files)),
        fc.uint8Array({ maxLength: 600 }),
        fc.boolean(),
        (name, junk, append) => {
          const bundle: Record<string, Uint8Array> = { ...files };
          if (append) {
            const a = files[name]!;
            const b = new Uint8Array(a.length + junk.length);
            b.set(a);
            b.set(junk, a.length);
            bundle[name] = b;
          } else bundle[name] = junk;
          try {
            const h = loadBundle(bundle);
            expect(Array.isArray(h.diagnostics)).toBe(true);
          } catch (e) {
            expect(e).toBeInstanceOf(TraceError);
            expect((e as TraceError).location.file).toBe(name);
          }
        },
      ),
      { numRuns: 120 },
    );
  });
});
