// kernel/liveupdate/kexec_handover.c kho_memory_init() -> kho_release_scratch() and the memory-map walk (deserialize_bitmap K616/K618, kho_preserved_memory_reserve KR3/KD1; kho-abi.md §6.1 step 3).
import type { Range } from '../../core/index.js';
import { MEMBLOCK_FLAGS, normalizeRanges, subtractRanges } from '../../core/index.js';
import type { SimContext } from '../context.js';
import { runPhase } from '../context.js';
import { earlyPfnToNid, StrategyRunner } from './kho-run.js';
import type { KhoRun } from './kho-run.js';
import { KhoBlockCursor } from './kho-types.js';

const PHASE = 'kho_memory_init';

type Region = SimContext['tables']['reserved'][number];

const byStartEnd = (a: Region, b: Region): number => a.start - b.start || a.end - b.end;

function sortedBy(rs: readonly Region[]): boolean {
  for (let i = 1; i < rs.length; i++) if (byStartEnd(rs[i - 1]!, rs[i]!) > 0) return false;
  return true;
}

/**
 * [...a, ...b].sort(by start, end) in one merge pass when both are sorted (the stable sort keeps a's region
 * first on a tie, and so does the merge); otherwise the sort itself.
 */
function mergeRegions(a: readonly Region[], b: readonly Region[]): Region[] {
  if (!sortedBy(a) || !sortedBy(b)) return [...a, ...b].sort(byStartEnd);
  const out: Region[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && byStartEnd(a[i]!, b[j]!) <= 0)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

/**
 * normalizeRanges() as columns [S[k], E[k]) for k < n: one pass when the input is sorted by start (preserved
 * blocks are), normalizeRanges() otherwise.
 */
function normalizedColumns(rs: readonly Range[]): { S: Float64Array; E: Float64Array; n: number } {
  let src = rs;
  for (let i = 1; i < rs.length; i++) {
    if (rs[i]!.start < rs[i - 1]!.start) {
      src = normalizeRanges(rs);
      break;
    }
  }
  const S = new Float64Array(src.length);
  const E = new Float64Array(src.length);
  let n = 0;
  for (const r of src) {
    if (!(r.end > r.start)) continue;
    if (n > 0 && r.start <= E[n - 1]!) {
      if (r.end > E[n - 1]!) E[n - 1] = r.end;
    } else {
      S[n] = r.start;
      E[n] = r.end;
      n++;
    }
  }
  return { S, E, n };
}

/**
 * memmap_init_kho_scratch_pages() (every version before the scratch fix KD2): init_deferred_page() on the free
 * part of each scratch area, so deferred init later initialises those pages a second time (kho-abi.md §6.5).
 */
function releaseScratch(ctx: SimContext, run: KhoRun): void {
  if (!run.profile.releasesScratchAtInit || !ctx.deferred) return;
  const reserved = ctx.tables.reserved.map((r) => ({
    start: Math.floor(r.start / 2 ** ctx.arch.PAGE_SHIFT),
    end: Math.ceil(r.end / 2 ** ctx.arch.PAGE_SHIFT),
  }));
  const runner = new StrategyRunner(ctx, run, 'deserialize', PHASE);
  for (const r of subtractRanges(run.scratch, reserved)) {
    for (const m of ctx.layout.memRanges) {
      const s = Math.max(r.start, m.start);
      const e = Math.min(r.end, m.end);
      if (s < e) runner.initDeferredPages(s, e, m.nid, 'memmap_init_kho_scratch_pages');
    }
  }
  runner.flush();
}

/**
 * For each preserved block, in the memory map's order: the strategy's deserialize-time init (before or after
 * the head write, as the strategy says), memblock_reserve() + memblock_reserved_mark_noinit() of the whole
 * block (reserved regions with MEMBLOCK_RSRV_NOINIT, so memmap_init_reserved_pages() skips them), and the
 * head's page->private = order (bare, K616) or {order, KHO_PAGE_MAGIC} (K618 on). The size is computed in
 * 64-bit here; the kernel's int shift is checked by KHO_BLOCK_SIZE_OVERFLOW.
 */
export function khoMemoryInit(ctx: SimContext, run: KhoRun): void {
  runPhase(ctx, PHASE, () => {
    if (!run.accepted) return;
    // the preserved blocks' struct pages from here on live in the memmap's block columns (same answers, and
    // the runs stop growing with the number of blocks)
    ctx.memmap.attachBlocks(run.blocks.startPfn, run.blocks.endPfn);
    releaseScratch(ctx, run);
    const runner = new StrategyRunner(ctx, run, 'deserialize', PHASE);
    const deser = run.strategy.deserialize?.bind(run.strategy);
    if (deser) {
      const b = new KhoBlockCursor(run.blocks);
      for (let i = 0; i < run.blocks.length; i++) {
        b.at(i);
        runner.current = b.index;
        deser(b, runner);
      }
    }
    if (run.strategy.deserializeInit === 'before-order-write') runner.flush();
    const pageSize = 2 ** ctx.arch.PAGE_SHIFT;
    const { startPfn, endPfn } = run.blocks;
    const added = Array.from(startPfn, (s, i) => ({
      start: s * pageSize,
      end: endPfn[i]! * pageSize,
      nid: earlyPfnToNid(ctx, s),
      flags: MEMBLOCK_FLAGS.MEMBLOCK_RSRV_NOINIT,
    }));
    // memblock_reserve() merges with what is already reserved and mark_noinit() flags the whole block, so a
    // region reserved before keeps its flags only outside the preserved blocks
    const { S, E, n } = normalizedColumns(added);
    const kept: (typeof ctx.tables.reserved)[number][] = [];
    let j = 0;
    for (const r of [...ctx.tables.reserved].sort((a, b) => a.start - b.start)) {
      // blocks and regions both sorted: one forward sweep (regions may overlap each other, so j only skips
      // blocks that end before this region starts)
      while (j < n && E[j]! <= r.start) j++;
      let cur = r.start;
      for (let k = j; k < n && S[k]! < r.end; k++) {
        if (S[k]! > cur) kept.push({ start: cur, end: S[k]!, nid: r.nid, flags: r.flags });
        cur = Math.max(cur, E[k]!);
      }
      if (cur < r.end) kept.push({ start: cur, end: r.end, nid: r.nid, flags: r.flags });
    }
    ctx.tables = { memory: ctx.tables.memory, reserved: mergeRegions(kept, added) };
    ctx.memmap.writeKhoHeadColumns(run.blocks.startPfn, run.blocks.order, run.profile.pageMagic, {
      phase: PHASE,
      fn: 'kho_preserved_memory_reserve',
    });
    if (run.strategy.deserializeInit === 'after-order-write') runner.flush();
  });
}
