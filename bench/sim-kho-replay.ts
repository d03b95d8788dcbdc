// Benchmark: replay() + check() under every strategy on the real host of traces/qemu/b-16g-2node (Debian
// 6.1, 16 GiB, two nodes, loaded through loadBundle) receiving synthetic KHO images of 10k, 100k and 1M preserved
// blocks: mixed orders packed into the free memory, and the worst case of alternating single pages (one
// struct-page run per block). Work must grow with blocks and ranges, never with pages.
// Run alone: `npm run build && node --expose-gc dist/bench/run.js sim-kho-replay [10k|100k|1m ...]`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { check } from '../src/check/kho-findings.js';
import type { KhoImageInput } from '../src/sim/phases/kho-types.js';
import { replay } from '../src/sim/replay.js';
import { findStrategy, listStrategies } from '../src/sim/strategies/index.js';
import type { HostTrace } from '../src/trace/host-trace.js';
import { loadBundle } from '../src/trace/index.js';
import type { BenchResult } from './measure.js';

const PAGE = 4096;

/** Scratch of b-16g-2node as kho_reserve_scratch() lays it out on a cold boot (bench/kho-scenario.ts B16G_SCRATCH). */
const B16G_SCRATCH = [
  { phys: 0x7bc0_0000, sizeBytes: 0x400_0000 },
  { phys: 0x4_6fc0_0000, sizeBytes: 0x1000_0000 },
  { phys: 0x2_77c0_0000, sizeBytes: 0x800_0000 },
  { phys: 0x4_67c0_0000, sizeBytes: 0x800_0000 },
];

function listFiles(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const ent of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${ent.name}` : ent.name;
    if (ent.isDirectory()) out.push(...listFiles(root, r));
    else out.push(r);
  }
  return out;
}

/** traces/qemu/b-16g-2node through loadBundle(), as `kexec-replay replay` reads it. */
export function b16gHost(): HostTrace {
  const root = new URL('../../traces/qemu/b-16g-2node/', import.meta.url).pathname;
  const dir = fs.existsSync(root) ? root : new URL('../traces/qemu/b-16g-2node/', import.meta.url).pathname;
  const files: Record<string, string> = {};
  for (const rel of listFiles(dir)) files[rel] = fs.readFileSync(path.join(dir, rel), 'utf8');
  return loadBundle(files, { displayRoot: 'traces/qemu/b-16g-2node' });
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Free pfn ranges of the host from 4.5 GiB (past node 0's first deferred section): memory minus reserved and scratch. */
function freePool(host: HostTrace): { start: number; end: number }[] {
  const cuts = [
    ...host.reserved.map((r) => ({ start: Math.floor(r.start / PAGE), end: Math.ceil(r.end / PAGE) })),
    ...B16G_SCRATCH.map((s) => ({ start: s.phys / PAGE, end: (s.phys + s.sizeBytes) / PAGE })),
  ].sort((a, b) => a.start - b.start);
  const out: { start: number; end: number }[] = [];
  for (const m of [...host.memory].sort((a, b) => a.start - b.start)) {
    let cur = Math.max(Math.ceil(m.start / PAGE), 0x1_2000_0000 / PAGE);
    const end = Math.floor(m.end / PAGE);
    for (const c of cuts) {
      if (c.end <= cur || c.start >= end) continue;
      if (c.start > cur) out.push({ start: cur, end: c.start });
      cur = Math.max(cur, c.end);
    }
    if (cur < end) out.push({ start: cur, end });
  }
  return out;
}

/**
 * A KhoImageInput (kho-v3, radix) of `count` blocks laid into the free pool: 'alternate' preserves every other
 * page; 'mixed' packs naturally aligned blocks of orders 0..10 (mostly small, as a buddy allocator hands out).
 */
export function syntheticImage(host: HostTrace, count: number, kind: 'mixed' | 'alternate'): KhoImageInput {
  const rand = mulberry32(count ^ (kind === 'mixed' ? 0x5eed : 0xa17e));
  const pool = freePool(host);
  // mixed blocks are spread over the whole pool by random gaps (both nodes, both sides of first_deferred_pfn)
  const poolPages = pool.reduce((a, r) => a + r.end - r.start, 0);
  const maxGap = kind === 'mixed' ? Math.max(0, Math.floor(2 * (poolPages / count - 3.5))) : 1;
  const phys = new Float64Array(count);
  const order = new Uint8Array(count);
  let n = 0;
  for (const r of pool) {
    let pfn = r.start;
    while (n < count) {
      let o = 0;
      if (kind === 'mixed') {
        const x = rand();
        o = x < 0.5 ? 0 : x < 0.8 ? 1 : x < 0.95 ? 2 : x < 0.999 ? 3 : 4 + Math.floor(rand() * 7);
      }
      const size = 2 ** o;
      const at = Math.ceil(pfn / size) * size;
      if (at + size > r.end) break;
      phys[n] = at * PAGE;
      order[n] = o;
      n++;
      pfn = at + size + (kind === 'alternate' ? 1 : Math.floor(rand() * maxGap));
    }
    if (n === count) break;
  }
  if (n < count) throw new Error(`only ${n} of ${count} ${kind} blocks fit in the free memory`);
  return {
    abi: 'kho-v3',
    bitmapFormat: null,
    pageSize: PAGE,
    scratch: B16G_SCRATCH,
    preserved: { count, phys, order },
    subtrees: [],
    vmalloc: [],
    reserveMem: [],
  };
}

function heapMb(): number {
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/**
 * One replay + check, in its own call so nothing of it outlives the case. Heap: used after a full GC before
 * the case, the most seen after the replay and after the check, and what is live (after a full GC) while the
 * timeline and the findings are still held.
 */
function runCase(
  host: HostTrace,
  image: KhoImageInput,
  size: string,
  kind: string,
  name: string,
): BenchResult {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const h0 = heapMb();
  const t0 = performance.now();
  const r = replay(host, image, { strategy: findStrategy(name) });
  const t1 = performance.now();
  let peak = heapMb();
  const findings = check(r);
  const t2 = performance.now();
  peak = Math.max(peak, heapMb());
  gc?.();
  const live = heapMb();
  const pages = r.kho!.run.blocks.pages();
  const count = image.preserved.count;
  return {
    name: `sim-kho-replay ${size} ${kind} ${name}`,
    runs: 1,
    medianMs: t2 - t0,
    maxMs: t2 - t0,
    detail: `replay ${(t1 - t0).toFixed(0)} ms + check ${(t2 - t1).toFixed(0)} ms, ${count} blocks, ${pages} pages, ${r.memmap.runCount} memmap runs, ${findings.length} findings, heap ${h0.toFixed(0)} -> max ${peak.toFixed(0)} MB, live ${live.toFixed(0)} MB${gc ? '' : ' (no --expose-gc)'}`,
  };
}

/**
 * One replay + check per strategy and image. `filter` (words of the command line) picks sizes ('10k', '100k',
 * '1m'), kinds ('mixed', 'alternate') and strategies by name; each group defaults to all.
 */
export function benchSimKhoReplay(filter: readonly string[] = []): BenchResult[] {
  const pick = <T extends string>(all: readonly T[]): readonly T[] => {
    const chosen = all.filter((x) => filter.includes(x));
    return chosen.length ? chosen : all;
  };
  const sizes = pick(['10k', '100k', '1m'] as const);
  const kinds = pick(['mixed', 'alternate'] as const);
  const strategies = pick(listStrategies().map((s) => s.name));
  const host = b16gHost();
  const counts = { '10k': 10_000, '100k': 100_000, '1m': 1_000_000 } as const;
  const out: BenchResult[] = [];
  for (const size of sizes) {
    const count = counts[size];
    for (const kind of kinds) {
      const image = syntheticImage(host, count, kind);
      for (const name of strategies) {
        try {
          out.push(runCase(host, image, size, kind, name));
        } catch (e) {
          // a case that throws is reported, and the others still run
          const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
          out.push({
            name: `sim-kho-replay ${size} ${kind} ${name}`,
            runs: 0,
            medianMs: NaN,
            maxMs: NaN,
            detail: `FAILED ${msg}`,
          });
        }
      }
    }
  }
  return out;
}
