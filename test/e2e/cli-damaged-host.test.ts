// A real qemu bundle (traces/qemu/b-16g-2node) with one host file damaged the way copies go wrong (a number changed,
// a line lost or repeated, the file cut short) and run through parse and replay in-process: the boot simulator must
// turn whatever the loader accepts into a report (exit 0/1), or the command says in one line what is wrong (2/3);
// never exit 70. Bounded runs with a fixed seed; explore locally with
//   KEXEC_REPLAY_FUZZ_RUNS=1000 KEXEC_REPLAY_FUZZ_SEED=$RANDOM npx vitest run test/e2e/cli-damaged-host.test.ts
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { captureOutput } from '../helpers/output.js';

const RUNS = Number(process.env['KEXEC_REPLAY_FUZZ_RUNS'] ?? 60);
const SEED = Number(process.env['KEXEC_REPLAY_FUZZ_SEED'] ?? 0x686f7374);
const BUNDLE = 'traces/qemu/b-16g-2node';

// The files the host model reads, the ones whose numbers move the replay.
const FILES = [
  'dmesg.txt',
  'iomem.txt',
  'zoneinfo.txt',
  'cmdline.txt',
  'kernel-config-excerpt.txt',
  'node0-meminfo.txt',
  'node1-cpulist.txt',
  'nodes.txt',
  'firmware-memmap.txt',
];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-damaged-host-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const copy = path.join(tmp, 'b-16g-2node');
fs.cpSync(BUNDLE, copy, { recursive: true });
const originals = new Map(FILES.map((f) => [f, fs.readFileSync(path.join(BUNDLE, f), 'utf8')]));

const NUMBER = /0x[0-9a-fA-F]+|[0-9a-fA-F]{8,16}|\d+/g;

type Damage =
  | {
      kind: 'number';
      which: number;
      to: 'zero' | 'double' | 'half' | 'huge' | 'all-ones' | 'random';
      rnd: number;
    }
  | { kind: 'drop-line'; which: number }
  | { kind: 'repeat-line'; which: number }
  | { kind: 'swap-lines'; which: number }
  | { kind: 'cut'; which: number };

const index = fc.noBias(fc.integer({ min: 0, max: 0x7fffffff }));
const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({
    kind: fc.constant('number' as const),
    which: index,
    to: fc.constantFrom('zero', 'double', 'half', 'huge', 'all-ones', 'random') as fc.Arbitrary<
      'zero' | 'double' | 'half' | 'huge' | 'all-ones' | 'random'
    >,
    rnd: fc.noBias(fc.integer({ min: 0, max: 0x7fffffff })),
  }),
  fc.record({ kind: fc.constant('drop-line' as const), which: index }),
  fc.record({ kind: fc.constant('repeat-line' as const), which: index }),
  fc.record({ kind: fc.constant('swap-lines' as const), which: index }),
  fc.record({ kind: fc.constant('cut' as const), which: index }),
);

/** A number token rewritten, keeping its notation (0x..., bare hex of the same width, decimal). */
function rewriteNumber(tok: string, to: Damage & { kind: 'number' }): string {
  const hex = tok.startsWith('0x') || /[a-fA-F]/.test(tok) || (tok.length >= 8 && /^[0-9a-fA-F]+$/.test(tok));
  const digits = tok.startsWith('0x') ? tok.slice(2) : tok;
  const v = BigInt(hex ? `0x${digits}` : digits);
  const w: bigint = {
    zero: 0n,
    double: v * 2n,
    half: v / 2n,
    huge: v + (1n << 53n),
    'all-ones': (1n << 64n) - 1n,
    random: BigInt(to.rnd) * 4096n,
  }[to.to];
  if (!hex) return w.toString();
  const s = w.toString(16).padStart(digits.length, '0');
  return tok.startsWith('0x') ? `0x${s}` : s;
}

function applyDamage(text: string, d: Damage): string {
  const lines = text.split('\n');
  const at = d.which % Math.max(1, lines.length);
  switch (d.kind) {
    case 'number': {
      const toks = [...text.matchAll(NUMBER)];
      if (toks.length === 0) return text;
      const m = toks[d.which % toks.length]!;
      return text.slice(0, m.index) + rewriteNumber(m[0], d) + text.slice(m.index + m[0].length);
    }
    case 'drop-line':
      return [...lines.slice(0, at), ...lines.slice(at + 1)].join('\n');
    case 'repeat-line':
      return [...lines.slice(0, at + 1), ...lines.slice(at)].join('\n');
    case 'swap-lines': {
      const out = lines.slice();
      const b = (at + 1) % out.length;
      [out[at], out[b]] = [out[b]!, out[at]!];
      return out.join('\n');
    }
    case 'cut':
      return text.slice(0, d.which % (text.length + 1));
  }
}

async function damagedRun(file: string, d: Damage, argv: string[]) {
  const full = path.join(copy, file);
  fs.writeFileSync(full, applyDamage(originals.get(file)!, d));
  try {
    const o = captureOutput();
    const code = await run([...argv, copy], o);
    return { code, out: o.stdout, err: o.stderr };
  } finally {
    fs.writeFileSync(full, originals.get(file)!);
  }
}

function checkOutcome(r: { code: number; out: string; err: string }, schema: string): void {
  expect(r.code, r.err).not.toBe(70);
  if (r.code === 0 || r.code === 1) {
    expect(JSON.parse(r.out).schema).toBe(schema);
    return;
  }
  expect([2, 3], r.err).toContain(r.code);
  expect(r.out).toBe('');
  expect(r.err.trimEnd().split('\n'), r.err).toHaveLength(1);
  if (r.code === 3) {
    expect(r.err).toContain(copy);
    expect(r.err).toMatch(/: [A-Z]+_ERR_[A-Z0-9_]+: expected /);
  }
}

describe(`${BUNDLE} with one host file damaged`, () => {
  it('number rewrite keeps the notation', () => {
    const d = { kind: 'number', which: 0, to: 'double', rnd: 0 } as const;
    expect(rewriteNumber('0x000000047fffffff', d)).toBe('0x00000008fffffffe');
    expect(rewriteNumber('00100000', d)).toBe('00200000');
    expect(rewriteNumber('220', d)).toBe('440');
  });

  it('parse --json: a report or one line, never exit 70', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FILES), damage, async (file, d) => {
        checkOutcome(await damagedRun(file, d, ['parse', '--json']), 'kexec-replay/parse/1');
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('replay --json: a report or one line, never exit 70', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FILES), damage, async (file, d) => {
        checkOutcome(await damagedRun(file, d, ['replay', '--json']), 'kexec-replay/replay/1');
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
