// The KHO bundles of traces/ damaged at random (cut short, a u64 overwritten, bytes flipped) and run through the CLI
// in-process: every outcome is a report (exit 0/1) or one stderr line naming the damaged file, a location and a
// stable code (exit 3); never exit 70. Bounded runs with a fixed seed, so CI is deterministic; explore locally with
//   KEXEC_REPLAY_FUZZ_RUNS=2000 KEXEC_REPLAY_FUZZ_SEED=$RANDOM npx vitest run test/e2e/cli-damaged-kho.test.ts
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { captureOutput } from '../helpers/output.js';

const RUNS = Number(process.env['KEXEC_REPLAY_FUZZ_RUNS'] ?? 40);
const SEED = Number(process.env['KEXEC_REPLAY_FUZZ_SEED'] ?? 0x6b686f);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-damaged-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Damage =
  | { kind: 'cut'; at: number }
  | { kind: 'u64'; at: number; value: bigint }
  | { kind: 'flip'; edits: [number, number][] };

// Offsets are drawn without fast-check's bias towards small values (which would hit every file's magic), then
// taken modulo the file size; half of the draws aim at the first 256 bytes, where the headers are.
const offset: fc.Arbitrary<number> = fc.oneof(
  fc.noBias(fc.integer({ min: 0, max: 0x7fffffff })),
  fc.noBias(fc.integer({ min: 0, max: 255 })),
);

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: offset }),
  fc.record({
    kind: fc.constant('u64' as const),
    at: offset,
    value: fc.oneof(
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      fc.bigInt({ min: 0n, max: 1n << 36n }),
      fc.constantFrom(0n, 1n, 0xffffffffffffffffn, 1n << 53n, 0x100000000n),
    ),
  }),
  fc.record({
    kind: fc.constant('flip' as const),
    edits: fc.array(fc.tuple(offset, fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }),
  }),
);

function applyDamage(bytes: Uint8Array, d: Damage): Uint8Array {
  const n = bytes.length;
  if (d.kind === 'cut') return bytes.slice(0, n === 0 ? 0 : d.at % n);
  const out = bytes.slice();
  if (n === 0) return out;
  if (d.kind === 'u64') {
    // 8-aligned, where the kernel's u64 fields (pointers, sizes) are
    if (n >= 8) new DataView(out.buffer).setBigUint64(Math.floor((d.at % (n - 7)) / 8) * 8, d.value, true);
    return out;
  }
  for (const [at, x] of d.edits) out[at % n] = out[at % n]! ^ x;
  return out;
}

function filesOf(dir: string, rel = ''): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesOf(dir, path.join(rel, e.name)) : [path.join(rel, e.name)]))
    .sort();
}

/** Damage one kho/ file of a copy of `bundle`, run `argv` on the copy, restore the file. */
async function damagedRun(copy: string, rel: string, original: Uint8Array, d: Damage, argv: string[]) {
  const file = path.join(copy, rel);
  fs.writeFileSync(file, applyDamage(original, d));
  try {
    const o = captureOutput();
    const code = await run([...argv, copy], o);
    return { code, out: o.stdout, err: o.stderr, file };
  } finally {
    fs.writeFileSync(file, original);
  }
}

function checkOutcome(r: { code: number; out: string; err: string; file: string }, copy: string): void {
  expect(r.code, r.err).not.toBe(70);
  if (r.code === 0 || r.code === 1) {
    expect(JSON.parse(r.out).schema).toMatch(/^kexec-replay\/[a-z]+\/1$/);
    return;
  }
  expect([2, 3], r.err).toContain(r.code);
  if (r.code === 3 && r.out !== '') {
    // a report on input partly rejected: a note at error severity in it, and one stderr line saying so
    const doc = JSON.parse(r.out) as { diagnostics: { severity: string }[] };
    expect(doc.diagnostics.some((d) => d.severity === 'error')).toBe(true);
    expect(r.err.trimEnd().split('\n'), r.err).toHaveLength(1);
    expect(r.err).toMatch(/^kexec-replay: .*\(input partly rejected/);
    return;
  }
  expect(r.out).toBe('');
  expect(r.err.trimEnd().split('\n'), r.err).toHaveLength(1);
  if (r.code === 3) {
    expect(r.err).toContain(copy);
    expect(r.err).toMatch(/: [A-Z]+_ERR_[A-Z0-9_]+: expected /);
    // a location: byte offset, line, or at least the structure field that was read
    expect(r.err).toMatch(/: offset 0x[0-9a-f]+|:\d+(:\d+)?[: ]|\(.+\)/);
  }
}

function bundleCopy(from: string): { copy: string; files: Map<string, Uint8Array> } {
  const copy = path.join(tmp, path.basename(from));
  fs.cpSync(from, copy, { recursive: true });
  const files = new Map(
    filesOf(copy)
      .filter((f) => f.startsWith('kho/'))
      .map((f): [string, Uint8Array] => [f, new Uint8Array(fs.readFileSync(path.join(copy, f)))]),
  );
  return { copy, files };
}

describe('inspect --json on randomly damaged KHO images: a report or one located line, never exit 70', () => {
  for (const era of ['kho-era-v1-512', 'kho-era-v1-page', 'kho-era-v2', 'kho-era-v3']) {
    it(`traces/${era}`, async () => {
      const { copy, files } = bundleCopy(`traces/${era}`);
      const names = [...files.keys()];
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...names), damage, async (rel, d) => {
          checkOutcome(await damagedRun(copy, rel, files.get(rel)!, d, ['inspect', '--json']), copy);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    });
  }
});

describe('replay --json on a damaged traces/kho-b-16g-2node: a report or one located line, never exit 70', () => {
  it('kho/ files damaged one at a time', async () => {
    const { copy, files } = bundleCopy('traces/kho-b-16g-2node');
    const names = [...files.keys()];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), damage, async (rel, d) => {
        checkOutcome(await damagedRun(copy, rel, files.get(rel)!, d, ['replay', '--json']), copy);
      }),
      { numRuns: Math.max(4, Math.ceil(RUNS / 5)), seed: SEED },
    );
  });
});
