// kernel/liveupdate/kexec_handover.c kho_memory_init() -> kho_release_scratch() and the memory-map walk (deserialize_bitmap K616/K618, kho_preserved_memory_reserve KR3/KD1; kho-abi.md §6.1 step 3).
import { formatMemRange, normalizeRanges, subtractRanges } from '../../core/index.js';
import type { SimContext } from '../context.js';
import { runPhase } from '../context.js';
import type { Memblock } from '../memblock.js';
import type { KhoReserveResult } from '../memblock-kho-reserve.js';
import { reserveKhoBlocksOn } from '../memblock-kho-reserve.js';
import { StrategyRunner } from './kho-run.js';
import type { KhoRun } from './kho-run.js';
import type { KhoBlocks } from './kho-types.js';
import { KhoBlockCursor } from './kho-types.js';

const PHASE = 'kho_memory_init';

/** The memblock kho_memory_init() leaves for a memblock it starts from and the blocks (one per starting memblock). */
const reservedFrom = new WeakMap<
  Memblock,
  { blocks: KhoBlocks; pageSize: number; result: Memblock; walk: KhoReserveResult }
>();

/**
 * kho_preserved_memory_reserve() per block, in the walk's order: memblock_reserve() (NUMA_NO_NODE, merged with what is
 * there) then memblock_reserved_mark_noinit() of the whole block, so a region reserved before keeps its node and flags
 * and gains RSRV_NOINIT where a block covers it, and memblock.reserved doubled (memblock_double_array) in scratch-only
 * mode whenever the array runs out of room (src/sim/memblock-kho-reserve.ts), on a copy. The strategy plays no part in
 * it: the strategies compare and check replay from one boot (src/sim/replay.ts replayEach) start from the same
 * memblock and share the result, which (as every memblock once the boot tables are built) is replaced by a phase that
 * changes memblock, never changed in place.
 */
function withBlocksReserved(
  from: Memblock,
  run: KhoRun,
  pageSize: number,
): { memblock: Memblock; walk: KhoReserveResult } {
  const blocks = run.blocks;
  const hit = reservedFrom.get(from);
  if (hit && hit.blocks === blocks && hit.pageSize === pageSize)
    return { memblock: hit.result, walk: hit.walk };
  // memblock allocations in kho_memory_init() come from MEMBLOCK_KHO_SCRATCH memory only: the kho_scratch[] areas
  // (kho_populate) and, from v7.3, kho_extend_scratch()'s ranges
  const allocatable = normalizeRanges([...run.scratch, ...run.extendedScratch]);
  // kho-v1's chunk list holds order 0 first; a radix tree's keys put the highest order first
  const walk = run.image.abi === 'kho-v1' ? 'order-asc' : 'order-desc';
  const r = reserveKhoBlocksOn(from, blocks, walk, allocatable);
  reservedFrom.set(from, { blocks, pageSize, result: r.memblock, walk: r.result });
  return { memblock: r.memblock, walk: r.result };
}

/**
 * The walk's doublings against the `reserved is doubled to %ld at [%pa-%pa]` lines the incoming kernel printed in
 * kho_memory_init() (memblock=debug; linux v7.3-rc7 mm/memblock.c memblock_double_array), in order, with the codes
 * of the memblock=debug log replay (src/sim/memblock-replay.ts): the address, the new max and the failure each.
 */
function compareWithLog(
  ctx: SimContext,
  w: KhoReserveResult,
  log: NonNullable<KhoRun['khoLogDoublings']>,
): void {
  const hex = (a: number) => `0x${a.toString(16)}`;
  const model = w.doublings.map((d) => ({ newMax: d.newMax, addr: d.addr as number | null }));
  if (w.failed) model.push({ newMax: w.failed.max * 2, addr: null });
  const n = Math.max(model.length, log.lines.length);
  for (let k = 0; k < n; k++) {
    const m = model[k];
    const c = log.lines[k];
    const said = m
      ? m.addr === null
        ? `fails to double it to ${m.newMax}`
        : `doubles it to ${m.newMax} at ${hex(m.addr)}`
      : '';
    if (!c) {
      ctx.diagnostics.push({
        code: 'MEMBLOCK_REPLAY_DOUBLE_UNLOGGED',
        severity: 'warning',
        message: `kho_memory_init: the replay ${said.replace('it', 'memblock.reserved')}; the kernel's memblock=debug log has no line for it`,
      });
      continue;
    }
    const kernel =
      c.kind === 'memblock_double_failed'
        ? `failed to double memblock.reserved to ${c.newMax}`
        : `doubled memblock.reserved to ${c.newMax} at ${hex(c.base)}`;
    const location = { file: log.file, line: c.line };
    if (!m)
      ctx.diagnostics.push({
        code: 'MEMBLOCK_REPLAY_DOUBLE_UNMODELLED',
        severity: 'warning',
        message: `kho_memory_init: the kernel ${kernel}; the replay's array had room`,
        location,
      });
    else if (
      m.newMax !== c.newMax ||
      (c.kind === 'memblock_double_failed') !== (m.addr === null) ||
      (m.addr !== null && m.addr !== c.base)
    )
      ctx.diagnostics.push({
        code: 'MEMBLOCK_REPLAY_DOUBLE_ELSEWHERE',
        severity: 'warning',
        message: `kho_memory_init: the kernel ${kernel}; the replay ${said}`,
        location,
      });
  }
}

/** What the walk did to memblock.reserved's array, for the report. */
function walkDiagnostics(ctx: SimContext, w: KhoReserveResult): void {
  const page = 2 ** ctx.arch.PAGE_SHIFT;
  const last = w.doublings[w.doublings.length - 1];
  if (last)
    ctx.diagnostics.push({
      code: 'SIM_KHO_RESERVED_DOUBLED',
      severity: 'info',
      message:
        `kho_memory_init: reserving the preserved blocks doubled memblock.reserved ${w.doublings.length} time(s), ` +
        `to ${w.doublings.map((d) => d.newMax).join(', ')} regions (memblock_double_array in scratch-only mode, ` +
        `linux v7.3-rc7 mm/memblock.c); the last array, ${last.sizeBytes} bytes at ` +
        `${formatMemRange(last.addr, last.addr + last.sizeBytes)}, stays reserved (RSRV_KERN) through ` +
        `memblock_free_all() until memblock_discard()` +
        (w.doublings.length > 1 ? `; the earlier ones were freed at the next doubling` : ''),
    });
  if (w.failed)
    ctx.diagnostics.push({
      code: 'SIM_KHO_RESERVED_DOUBLE_FAILED',
      severity: 'warning',
      message: `kho_memory_init: memblock_double_array() finds no ${Math.ceil((w.failed.max * 2 * 24) / page)} free scratch page(s) to double memblock.reserved from ${w.failed.max} regions ("Failed to double reserved array"): the preserved blocks reserved from then on are not reserved, or not marked RSRV_NOINIT`,
    });
  if (w.unmodelled)
    ctx.diagnostics.push({
      code: 'SIM_KHO_RESERVED_DOUBLE_UNMODELLED',
      severity: 'warning',
      message: `kho_memory_init: the doublings of memblock.reserved are not modelled (${w.unmodelled}): its max grown to hold the regions, no new array placed or reserved`,
    });
}

/**
 * memmap_init_kho_scratch_pages() (every version before the scratch fix KD2): init_deferred_page() on the free
 * part of each scratch area, so deferred init later initialises those pages a second time (kho-abi.md §6.5).
 */
function releaseScratch(ctx: SimContext, run: KhoRun): void {
  if (!run.profile.releasesScratchAtInit || !ctx.deferred) return;
  const reserved: { start: number; end: number }[] = [];
  ctx.memblock.forEachReservedMemRegion((start, end) =>
    reserved.push({
      start: Math.floor(start / 2 ** ctx.arch.PAGE_SHIFT),
      end: Math.ceil(end / 2 ** ctx.arch.PAGE_SHIFT),
    }),
  );
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
    ctx.memmap.attachBlocks(run.blocks.startPfn, run.blocks.endPfn, run.blocks);
    releaseScratch(ctx, run);
    const runner = new StrategyRunner(ctx, run, 'deserialize', PHASE);
    const skip = run.strategy.deferredOnly && !ctx.deferred;
    const deser = skip ? undefined : run.strategy.deserialize?.bind(run.strategy);
    if (!skip && run.strategy.deserializeBlocks) run.strategy.deserializeBlocks(run.blocks, runner);
    else if (deser) {
      runner.expect(run.blocks.length + 1024);
      const b = new KhoBlockCursor(run.blocks);
      for (let i = 0; i < run.blocks.length; i++) {
        b.at(i);
        runner.current = b.index;
        deser(b, runner);
      }
    }
    if (run.strategy.deserializeInit === 'before-order-write') runner.flush();
    const reserved = withBlocksReserved(ctx.memblock, run, 2 ** ctx.arch.PAGE_SHIFT);
    ctx.memblock = reserved.memblock;
    walkDiagnostics(ctx, reserved.walk);
    if (run.khoLogDoublings) compareWithLog(ctx, reserved.walk, run.khoLogDoublings);
    ctx.memmap.writeKhoHeadColumns(run.blocks.startPfn, run.blocks.order, run.profile.pageMagic, {
      phase: PHASE,
      fn: 'kho_preserved_memory_reserve',
    });
    if (run.strategy.deserializeInit === 'after-order-write') runner.flush();
  });
}
