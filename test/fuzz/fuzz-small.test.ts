// The fuzzer's small deterministic set (issue 13), part of npm test: a few thousand structure-aware mutations of
// the real files under traces/ (every binary format and every host text format) and a few mutated bundles through
// the CLI, each in a worker with a timeout. Every input must parse, end in a located TraceError, or end in
// counted diagnostics; a crash, a hang or an unlocated error fails the test and names the folder the minimised
// input was written to. The full run is `npm run fuzz` (FUZZING.md).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

interface Counts {
  inputs: number;
  crash: number;
  hang: number;
  unlocated: number;
  traceError: number;
  diagnostics: number;
  parsed: number;
}
interface Report {
  formats: Record<string, Counts>;
  cli: { inputs: number; ok: number; bad: number };
  failures: { format: string; kind: string; message: string; dir: string }[];
}

describe('fuzz: the small deterministic set', () => {
  it('a few thousand inputs: no crash, no hang, every TraceError located; CLI exits 0/1/3 only', async () => {
    const { fuzz } = (await import(path.resolve('dist/fuzz/run.js'))) as {
      fuzz: (o: object, log: (s: string) => void) => Promise<Report>;
    };
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-fuzz-small-'));
    const r = await fuzz(
      {
        binary: 400,
        text: 120,
        cli: 24,
        seed: 13,
        workers: 1,
        out,
        // Generous for a loaded machine: a hang in the full run is 1 s; here only a real stall should trip it.
        timeoutMs: 5000,
        heapMb: 768,
        only: [],
        quiet: true,
        binaryEvery: 0,
      },
      () => undefined,
    );
    const formats = Object.keys(r.formats);
    expect(formats).toEqual(
      expect.arrayContaining(['fdt', 'elf', 'kho', 'text:dmesg.txt', 'text:iomem.txt', 'text:zoneinfo.txt']),
    );
    const total = Object.values(r.formats).reduce((s, c) => s + c.inputs, 0);
    expect(total).toBeGreaterThan(2000);
    expect(r.failures, JSON.stringify(r.failures, null, 2)).toEqual([]);
    for (const [f, c] of Object.entries(r.formats)) {
      expect(c.crash + c.hang + c.unlocated, f).toBe(0);
      expect(c.parsed + c.diagnostics + c.traceError, f).toBe(c.inputs);
    }
    // The mutators must reach past the first check: some inputs of each binary format still decode.
    for (const f of ['fdt', 'elf', 'kho'])
      expect(r.formats[f]!.parsed + r.formats[f]!.diagnostics, f).toBeGreaterThan(0);
    expect(r.cli.inputs).toBe(24);
    expect(r.cli.bad).toBe(0);
    fs.rmSync(out, { recursive: true, force: true });
  }, 600_000);
});
