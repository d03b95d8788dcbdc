// Replays a memblock=debug call log (mm/memblock.c memblock_dbg() call sites, v6.1) through the memblock model,
// with the x86 steps the log does not print (e820__memblock_setup, numa_init), snapshotting each dump.
import type { Diagnostic, Range } from '../core/index.js';
import { normalizeRanges, subtractNormalized } from '../core/index.js';
import type { DmesgLog, MemblockCall, MemblockDump, MemblockDumpRegion } from '../../parsers/dmesg/types.js';
import type { MemblockRegion, MemblockVersion } from './memblock.js';
import { MEMBLOCK_FLAGS, Memblock } from './memblock.js';
import { renderMemblockDump } from './memblock-render.js';
import type { NumaMemblk, NumaMeminfoResult } from './memblock-x86-numa.js';
import { x86NumaCleanupMeminfo, x86NumaInitMemblock } from './memblock-x86-numa.js';

export interface X86NumaStep {
  /** SRAT memory affinity blocks as parsed (empty: dummy_numa_init fakes one node). */
  readonly srat: readonly NumaMemblk[];
  /** max_pfn (e820__end_of_ram_pfn); default: PFN_DOWN of the end of the last memory region at that point. */
  readonly maxPfn?: number;
  /** Apply before the call on this line (the reservation of the first NODE_DATA). */
  readonly beforeLine: number;
  /** The same point as a timestamp, for `orderBy: 'time'`. */
  readonly beforeTime?: number;
}

export interface MemblockReplayOptions {
  readonly version?: MemblockVersion;
  readonly pageShift?: number;
  /** x86 numa_init(): node ids for memory and reserved, not printed by memblock=debug. */
  readonly x86Numa?: X86NumaStep | null;
  /**
   * early_reserve_memory() runs before parse_early_param() sees memblock=debug, so the kernel image, the first
   * 64 KiB, the initrd, setup_data and the BIOS regions are reserved without a log line. When true (default),
   * the first dump supplies them: the reserved bytes it shows that the logged calls did not reserve.
   */
  readonly seedFromFirstDump?: boolean;
  /** Display name of the log, for diagnostics. */
  readonly file?: string;
  /**
   * 'line' (default): calls and dumps come from one log and are ordered by line. 'time': they come from
   * different files (e.g. the derived memblock-debug-calls and memblock-dump files) and are ordered by printk
   * timestamp; a call and a dump with the same timestamp keep the call first.
   */
  readonly orderBy?: 'line' | 'time';
}

export interface MemblockSnapshot {
  /** The dump this snapshot is taken for (line order). */
  readonly dump: MemblockDump;
  /** The model's state right before the dump's first line. */
  readonly state: Memblock;
  /** renderMemblockDump(state): what the kernel would print, without timestamps. */
  readonly lines: readonly string[];
}

/** One explicit step the replay applied that is not a log line, with its kernel source. */
export interface MemblockReplayStep {
  readonly beforeLine: number;
  readonly what: string;
}

/** An allocation summary line, the address the model's allocator picks, and the address the log reserved. */
export interface MemblockAllocCheck {
  readonly line: number;
  readonly fn: string;
  readonly size: number;
  readonly predicted: number;
  readonly actual: number;
}

export interface MemblockReplayResult {
  readonly final: Memblock;
  readonly snapshots: readonly MemblockSnapshot[];
  /** Reserved byte ranges taken from the first dump because no logged call made them (memory ones are in steps). */
  readonly unloggedReservations: readonly { start: number; end: number }[];
  readonly numa: NumaMeminfoResult | null;
  readonly steps: readonly MemblockReplayStep[];
  readonly diagnostics: readonly Diagnostic[];
  /** Calls applied (allocation summary lines are not applied: their own reserve line follows). */
  readonly applied: number;
  /** Each allocation line checked against the model's allocator (top-down, current_limit, node fallback). */
  readonly allocChecks: readonly MemblockAllocCheck[];
}

const ISA_END_ADDRESS = 0x100000;
const SMP_CACHE_BYTES = 64;

/**
 * Where the kernel's allocator would put the allocation of a summary line, without changing state:
 * memblock_phys_alloc_range() calls memblock_alloc_range_nid() directly; memblock_alloc_try_nid*() and
 * memblock_alloc_exact_nid_raw() go through memblock_alloc_internal(), which caps max_addr at current_limit
 * and retries from 0 when a lower limit fails (mm/memblock.c, 6.1).
 */
export function predictAllocation(mb: Memblock, c: MemblockCall): number {
  const size = c.end - c.base;
  const align = c.align !== undefined && c.align > 0 ? c.align : SMP_CACHE_BYTES;
  const nid = c.nid !== undefined && c.nid >= 0 ? c.nid : null;
  const exact = c.fn === 'memblock_alloc_exact_nid_raw';
  const internal = c.fn !== 'memblock_phys_alloc_range';
  let end = c.maxAddr ?? 0;
  if (internal && end > mb.currentLimit) end = mb.currentLimit;
  const attempt = (start: number): number => {
    let flags = mb.chooseFlags();
    for (;;) {
      let found = mb.findInRangeNode(size, align, start, end, nid, flags);
      if (found === 0 && nid !== null && !exact)
        found = mb.findInRangeNode(size, align, start, end, null, flags);
      if (found !== 0 || (flags & MEMBLOCK_FLAGS.MEMBLOCK_MIRROR) === 0) return found;
      flags &= ~MEMBLOCK_FLAGS.MEMBLOCK_MIRROR;
    }
  };
  const start = c.from ?? 0;
  let got = attempt(start);
  if (got === 0 && internal && start !== 0) got = attempt(0);
  return got;
}

const ALLOC_RESERVE_CALLER = /^memblock_alloc_range_nid\+/;

/** [start, end) byte ranges of a region list, normalised. */
function byteSet(regions: readonly { base: number; size: number }[]): Range[] {
  return normalizeRanges(regions.map((r) => ({ start: r.base, end: r.base + r.size })));
}

/**
 * Apply the calls in line order; snapshot at each dump. Allocation summary lines (`memblock_alloc_try_nid: N
 * bytes ...`) are not applied: in 6.1 the allocator's own memblock_reserve line follows (caller
 * memblock_alloc_range_nid). On [MB-N] kernels that reserve is made with the allocation's nid and RSRV_KERN.
 */
export function replayMemblockLog(
  calls: readonly MemblockCall[],
  dumps: readonly MemblockDump[] = [],
  opts: MemblockReplayOptions = {},
): MemblockReplayResult {
  const version = opts.version ?? 'v6.1';
  const file = opts.file ?? 'dmesg';
  // The log is replayed on top of what early boot did: no resize until memblock_allow_resize, and the
  // doubled array's reservation is in the log itself.
  const mb = new Memblock({ version, pageShift: opts.pageShift ?? 12, reserveDoubledArrays: false });
  const diagnostics: Diagnostic[] = [];
  const steps: MemblockReplayStep[] = [];
  const snapshots: MemblockSnapshot[] = [];
  let unlogged: { start: number; end: number }[] = [];
  let numa: NumaMeminfoResult | null = null;
  let numaDone = false;
  let sawE820Add = false;
  let trimmedForDump = false;
  let pendingAlloc: MemblockCall | null = null;
  let applied = 0;
  const allocChecks: MemblockAllocCheck[] = [];
  let sawInitMemMapping = false;
  let limitRaised = false;

  let dumpsTaken = 0;
  const seed = opts.seedFromFirstDump ?? true;
  // memblock_double_array() prints `%s is doubled to %ld at [..]` inside the call that needed the room, right
  // after that call's own line: each doubling the model makes while applying a call waits for the log's line
  // (the array's own reservation follows as a logged __memblock_reserve/memblock_reserve line).
  let eventsSeen = 0;
  const modelDoubles: { type: string; newMax: number; addr: number | null; line: number }[] = [];
  const hex = (a: number | null): string => (a === null ? 'kmalloc' : `0x${a.toString(16)}`);
  const takeModelDoubles = (line: number): void => {
    for (; eventsSeen < mb.events.length; eventsSeen++) {
      const e = mb.events[eventsSeen]!;
      if (e.kind === 'double') modelDoubles.push({ type: e.type, newMax: e.newMax, addr: e.addr, line });
    }
  };
  const unprinted = (): void => {
    for (const d of modelDoubles.splice(0))
      diagnostics.push({
        code: 'MEMBLOCK_REPLAY_DOUBLE_UNLOGGED',
        severity: 'warning',
        message: `the model doubles memblock.${d.type} to ${d.newMax} at ${hex(d.addr)} on this call; the kernel printed no \`is doubled\` line after it`,
        location: { file, line: d.line },
      });
  };
  const printedDouble = (c: MemblockCall): void => {
    const d = modelDoubles.shift();
    const kernel = `memblock.${c.arrayType} to ${c.newMax} at 0x${c.base.toString(16)}`;
    if (!d)
      diagnostics.push({
        code: 'MEMBLOCK_REPLAY_DOUBLE_UNMODELLED',
        severity: 'warning',
        message: `the kernel doubled ${kernel}; the model's array had room`,
        location: { file, line: c.line },
      });
    else if (d.type !== c.arrayType || d.newMax !== c.newMax || d.addr !== c.base)
      diagnostics.push({
        code: 'MEMBLOCK_REPLAY_DOUBLE_ELSEWHERE',
        severity: 'warning',
        message: `the kernel doubled ${kernel}; the model doubles memblock.${d.type} to ${d.newMax} at ${hex(d.addr)}`,
        location: { file, line: c.line },
      });
  };

  const takeDump = (dump: MemblockDump, first: boolean): void => {
    // e820__memblock_setup() (arch/x86/kernel/e820.c, 6.1): after the memblock_add loop,
    // memblock_trim_memory(PAGE_SIZE) throws away partial pages, then memblock_dump_all().
    if (sawE820Add && !trimmedForDump) {
      mb.trimMemory(mb.pageSize);
      trimmedForDump = true;
      steps.push({ beforeLine: dump.line, what: 'e820__memblock_setup: memblock_trim_memory(PAGE_SIZE)' });
    }
    if (first && seed) {
      // Reserved: x86 early_reserve_memory(). Memory: arches that add memory before parse_early_param()
      // (arm64 and riscv add DT memory in setup_machine_fdt / early_init_dt_scan). Each dump region fills
      // only what the logged calls left uncovered, with the dump's nid and flags.
      for (const [type, regions] of [
        [mb.memory, dump.memory],
        [mb.reserved, dump.reserved],
      ] as const) {
        const have = byteSet(type.regions());
        const want = byteSet(regions);
        const extra = subtractNormalized(have, want);
        if (extra.length > 0)
          diagnostics.push({
            code: 'MEMBLOCK_REPLAY_SEED_CONFLICT',
            severity: 'warning',
            message: `${extra.length} logged ${type.name} range(s) are not in the first dump`,
            location: { file, line: dump.line },
          });
        const missing = subtractNormalized(want, have);
        if (missing.length === 0) continue;
        if (type === mb.reserved) unlogged = missing;
        for (const r of regions) mb.addRange(type, r.base, r.size, r.nid, r.flags);
        steps.push({
          beforeLine: dump.line,
          what:
            type === mb.reserved
              ? `early_reserve_memory (before memblock=debug): ${missing.length} reservation(s) taken from the first dump`
              : `memory added before memblock=debug: ${missing.length} range(s) taken from the first dump`,
        });
      }
    }
    snapshots.push({ dump, state: mb.clone(), lines: renderMemblockDump(mb) });
  };

  const applyNuma = (line: number): void => {
    const step = opts.x86Numa;
    if (!step || numaDone) return;
    numaDone = true;
    const lastEnd = mb.memory.count > 0 ? mb.memory.end(mb.memory.count - 1) : 0;
    const maxPfn = step.maxPfn ?? Math.floor(lastEnd / mb.pageSize);
    numa = x86NumaCleanupMeminfo(step.srat, mb, maxPfn);
    if (numa.error !== null) {
      diagnostics.push({
        code: 'MEMBLOCK_REPLAY_NUMA_REJECTED',
        severity: 'warning',
        message: `numa_cleanup_meminfo would fail: ${numa.error}`,
        location: { file, line },
      });
      return;
    }
    x86NumaInitMemblock(mb, numa.blocks);
    steps.push({
      beforeLine: line,
      what: `x86 numa_init: memblock_set_node on memory and reserved for ${numa.blocks.length} numa_meminfo block(s)`,
    });
  };

  // One ordered stream: the numa step, calls and dumps, by line (or timestamp) with ties in that order.
  let byTime = opts.orderBy === 'time';
  if (byTime && [...calls, ...dumps].some((x) => x.time === undefined)) {
    diagnostics.push({
      code: 'MEMBLOCK_REPLAY_NO_TIME',
      severity: 'warning',
      message: 'orderBy time needs a timestamp on every call and dump; using line order',
    });
    byTime = false;
  }
  type Ev =
    | { key: number; tie: 0; kind: 'numa'; line: number }
    | { key: number; tie: 1; kind: 'call'; call: MemblockCall }
    | { key: number; tie: 2; kind: 'dump'; dump: MemblockDump };
  const keyOf = (x: { line: number; time?: number }): number => (byTime ? x.time! : x.line);
  const stream: Ev[] = [
    ...calls.map((call) => ({ key: keyOf(call), tie: 1 as const, kind: 'call' as const, call })),
    ...dumps.map((dump) => ({ key: keyOf(dump), tie: 2 as const, kind: 'dump' as const, dump })),
  ];
  const ns = opts.x86Numa;
  if (ns) {
    const key = byTime ? (ns.beforeTime ?? Infinity) : ns.beforeLine;
    stream.push({ key, tie: 0, kind: 'numa', line: ns.beforeLine });
  }
  stream.sort((a, b) => a.key - b.key || a.tie - b.tie);

  let lastLine = 0;
  for (const ev of stream) {
    // the doublings of the event before this one (a call, the numa step, a dump's seed), at its line
    takeModelDoubles(lastLine);
    lastLine = ev.kind === 'call' ? ev.call.line : ev.kind === 'dump' ? ev.dump.line : ev.line;
    if (ev.kind === 'numa') {
      applyNuma(ev.line);
      continue;
    }
    if (ev.kind === 'dump') {
      unprinted();
      takeDump(ev.dump, dumpsTaken === 0);
      dumpsTaken++;
      continue;
    }
    const c = ev.call;
    if (c.kind === 'memblock_double_array') {
      printedDouble(c);
      continue;
    }
    // a logged line of another call: the previous call's doublings should have been printed by now
    if (c.kind !== 'memblock_double_failed') unprinted();
    const size = c.end - c.base;
    const afterAlloc = pendingAlloc;
    pendingAlloc = null;
    // setup_arch() (arch/x86/kernel/setup.c, 6.1): memblock_set_current_limit(ISA_END_ADDRESS) before
    // e820__memblock_setup(), then memblock_set_current_limit(get_max_mapped()) once init_mem_mapping() has
    // mapped all RAM (max_pfn_mapped = max_pfn on 64-bit).
    if (c.caller.startsWith('init_mem_mapping')) sawInitMemMapping = true;
    else if (sawInitMemMapping && !limitRaised) {
      limitRaised = true;
      const lastEnd = mb.memory.count > 0 ? mb.memory.end(mb.memory.count - 1) : 0;
      mb.currentLimit = Math.floor(lastEnd / mb.pageSize) * mb.pageSize;
      steps.push({ beforeLine: c.line, what: 'setup_arch: memblock_set_current_limit(get_max_mapped())' });
    }
    switch (c.kind) {
      case 'memblock_add':
        if (!sawE820Add && c.caller.startsWith('e820__memblock_setup')) {
          // e820__memblock_setup() calls memblock_allow_resize() before its memblock_add loop.
          mb.allowResize();
          mb.currentLimit = ISA_END_ADDRESS;
          steps.push({ beforeLine: c.line, what: 'e820__memblock_setup: memblock_allow_resize()' });
        }
        if (c.caller.startsWith('e820__memblock_setup')) sawE820Add = true;
        mb.add(c.base, size);
        break;
      case 'memblock_add_node':
        mb.addNode(c.base, size, c.nid ?? null, c.flags ?? 0);
        break;
      case 'memblock_remove':
        mb.remove(c.base, size);
        break;
      case 'memblock_reserve': {
        const fromAlloc = afterAlloc !== null && ALLOC_RESERVE_CALLER.test(c.caller);
        if (fromAlloc && afterAlloc.end - afterAlloc.base === size) {
          const predicted = predictAllocation(mb, afterAlloc);
          allocChecks.push({ line: afterAlloc.line, fn: afterAlloc.fn, size, predicted, actual: c.base });
          if (predicted !== c.base)
            diagnostics.push({
              code: 'MEMBLOCK_REPLAY_ALLOC_ELSEWHERE',
              severity: 'info',
              message: `${afterAlloc.fn} of ${size} bytes: the model picks 0x${predicted.toString(16)}, the kernel reserved 0x${c.base.toString(16)}`,
              location: { file, line: afterAlloc.line },
            });
        }
        if (c.flags !== undefined || c.fn === '__memblock_reserve') {
          // [MB-N] prints nid= and flags= itself.
          mb.reserveNode(c.base, size, c.nid !== undefined && c.nid >= 0 ? c.nid : null, c.flags ?? 0);
        } else if (fromAlloc && version !== 'v6.1') {
          const nid = afterAlloc.nid !== undefined && afterAlloc.nid >= 0 ? afterAlloc.nid : null;
          mb.reserveNode(c.base, size, nid, MEMBLOCK_FLAGS.MEMBLOCK_RSRV_KERN);
        } else mb.reserve(c.base, size);
        break;
      }
      case 'memblock_free':
      case 'memblock_phys_free':
        mb.physFree(c.base, size);
        break;
      case 'memblock_alloc':
        pendingAlloc = c;
        continue;
      case 'memblock_double_failed':
        // the kernel found no room: the call that needed it fails with -ENOMEM (the model says so in its events)
        continue;
      default:
        diagnostics.push({
          code: 'MEMBLOCK_REPLAY_UNKNOWN_CALL',
          severity: 'warning',
          message: `memblock call ${c.fn} is not modelled; skipped`,
          location: { file, line: c.line },
        });
        continue;
    }
    applied++;
  }
  takeModelDoubles(lastLine);
  unprinted();
  for (const e of mb.events) {
    if (e.kind === 'warn')
      diagnostics.push({
        code: 'MEMBLOCK_REPLAY_KERNEL_WARN',
        severity: 'warning',
        message: `memblock_add_range would WARN on ${e.type}: ${e.message}`,
      });
    if (e.kind === 'panic' || e.kind === 'resize-refused')
      diagnostics.push({
        code: 'MEMBLOCK_REPLAY_RESIZE',
        severity: 'warning',
        message: e.kind === 'panic' ? e.message : `memblock: cannot resize ${e.type} array (max ${e.max})`,
      });
  }
  return {
    final: mb,
    snapshots,
    unloggedReservations: unlogged,
    numa,
    steps,
    diagnostics,
    applied,
    allocChecks,
  };
}

/**
 * Replay a parsed kernel log: its memblock=debug calls and dumps, with the x86 numa_init step placed before the
 * reservation of the first `NODE_DATA(n) allocated` range (alloc_node_data() in numa_register_memblks()).
 */
export function replayMemblockFromDmesg(
  log: DmesgLog,
  opts: Omit<MemblockReplayOptions, 'x86Numa'> = {},
): MemblockReplayResult {
  let x86Numa: X86NumaStep | null = null;
  const nd = log.nodeData[0];
  if (nd) {
    const reserveOfNodeData = log.memblockCalls.find(
      (c) => c.kind === 'memblock_reserve' && c.base === nd.start && c.end === nd.end && c.line < nd.line,
    );
    const srat = log.srat.map((s) => ({ nid: s.nid, start: s.start, end: s.end }));
    const beforeLine = reserveOfNodeData?.line ?? nd.line;
    const maxPfn =
      log.fakeNode !== null && srat.length === 0
        ? Math.floor(log.fakeNode.end / 2 ** (opts.pageShift ?? 12))
        : undefined;
    x86Numa = maxPfn === undefined ? { srat, beforeLine } : { srat, beforeLine, maxPfn };
  }
  return replayMemblockLog(log.memblockCalls, log.memblockDumps, { ...opts, x86Numa });
}

/** Region-by-region differences between a model state and a parsed dump (empty when equal). */
export function diffAgainstDump(mb: Memblock, dump: MemblockDump): string[] {
  const out: string[] = [];
  if (mb.memory.totalSize !== dump.memorySize)
    out.push(`memory size ${mb.memory.totalSize.toString(16)} != ${dump.memorySize.toString(16)}`);
  if (mb.reserved.totalSize !== dump.reservedSize)
    out.push(`reserved size ${mb.reserved.totalSize.toString(16)} != ${dump.reservedSize.toString(16)}`);
  const cmp = (name: string, got: readonly MemblockRegion[], want: readonly MemblockDumpRegion[]): void => {
    const n = Math.max(got.length, want.length);
    for (let i = 0; i < n; i++) {
      const g = got[i];
      const w = want[i];
      if (!g || !w || g.base !== w.base || g.size !== w.size || g.nid !== w.nid || g.flags !== w.flags)
        out.push(`${name}[${i}]: model ${JSON.stringify(g ?? null)} kernel ${JSON.stringify(w ?? null)}`);
    }
  };
  cmp('memory', mb.memory.regions(), dump.memory);
  cmp('reserved', mb.reserved.regions(), dump.reserved);
  return out;
}
