// The simulator's one entry point: replay(host, image | null, scenario) -> Timeline. A plain boot runs the phases
// of src/sim/boot.ts; a KHO boot (kho-abi.md §6.1) runs kho_populate before memmap_init, kho_memory_init
// (deserialize under the strategy) after it, and the restores the image says are used after
// page_alloc_init_late, from the boot's hooks.
import type { MemblockCall } from '../../parsers/dmesg/types.js';
import type { Range } from '../core/index.js';
import { InternalError, TraceError } from '../core/index.js';
import type { HostTrace } from '../trace/host-trace.js';
import { continueBoot, finishTimeline, runBoot, startBoot } from './boot.js';
import type { SimContext } from './context.js';
import type { SpareColumns } from './fork.js';
import { forkContext, shareReadOnly, solidContext } from './fork.js';
import { khoMemoryInit } from './phases/kho-memory-init.js';
import { khoPopulate } from './phases/kho-populate.js';
import { khoRestore } from './phases/kho-restore.js';
import type { KhoRun } from './phases/kho-run.js';
import { BlockSet, classifyBlocks } from './phases/kho-run.js';
import type { KhoBlocks, KhoImageInput, KhoRestoreKind } from './phases/kho-types.js';
import type { KernelProfile, ProfileChoice } from './profiles.js';
import { chooseProfile } from './profiles.js';
import { extendedScratch } from './phases/kho-extend-scratch.js';
import type { Scenario } from './scenario.js';
import { RESTORE_ALL } from './scenario.js';
import type { KhoStrategy } from './strategies/index.js';
import { findStrategy } from './strategies/index.js';
import type { Timeline } from './timeline.js';

/**
 * The kernel profile a KHO boot replays and why: the scenario's, else the released kernel the image's
 * kexec-metadata or the bundle's kernel release names when it writes the image's ABI, else the newest released
 * kernel that writes the ABI (src/sim/profiles.ts chooseProfile).
 */
export function profileOf(
  image: KhoImageInput,
  scenario: Scenario,
  host?: Pick<HostTrace, 'kernelRelease' | 'sources'>,
): ProfileChoice {
  if (scenario.profile) return { profile: scenario.profile, reason: `--profile ${scenario.profile.name}` };
  return chooseProfile(image.abi, image.bitmapFormat, image.luo !== undefined && image.luo !== null, [
    { release: image.kexecMetadata?.previousRelease ?? null, from: "the image's kexec-metadata" },
    {
      release: host?.kernelRelease ?? null,
      from: host?.sources['kernelRelease']?.[0]?.file ?? 'the bundle',
    },
  ]);
}

/**
 * classifyBlocks() once per image (and page shift, max order): compare and check replay one image under many
 * strategies and profiles, and the block columns are read only.
 */
const blocksByImage = new WeakMap<KhoImageInput, Map<string, KhoBlocks>>();
function blocksOf(image: KhoImageInput, pageShift: number, maxPageOrder: number): KhoBlocks {
  let m = blocksByImage.get(image);
  if (!m) blocksByImage.set(image, (m = new Map()));
  const key = `${pageShift}/${maxPageOrder}`;
  let b = m.get(key);
  if (!b) m.set(key, (b = classifyBlocks(image, pageShift, maxPageOrder)));
  return b;
}

/**
 * Replay the early memory init of `host`'s incoming kernel: a plain boot when `image` is null, otherwise a KHO
 * boot receiving `image` under the scenario's profile and strategy. Throws TraceError when the image does not
 * fit the host (page size), InternalError when a phase breaks an engine invariant.
 */
export function replay(host: HostTrace, image: KhoImageInput | null, scenario: Scenario = {}): Timeline {
  return replayEach(host, image, scenario, [{}], (tl) => tl)[0]!;
}

/** What may differ between the replays of one replayEach(): what runs after the boot's strategies diverge. */
export type StrategyVariant = Pick<Scenario, 'strategy' | 'restore' | 'onProgress'>;

/**
 * What of a variant's strategy can change a KHO replay with deferred init on or off: nothing when the boot calls
 * none of its hooks (a strategy without methods, or `deferredOnly` with deferred init off: every posted strategy
 * begins with `if (!IS_ENABLED(CONFIG_DEFERRED_STRUCT_PAGE_INIT)) return`, and the phases then call no hook), else
 * the strategy itself. Any function-valued field counts as a hook (deserialize, deserializeBlocks, restore, or one
 * added later), so a new hook is never mistaken for no effect. kho_memory_init() and kho_restore() read nothing
 * else of the strategy (src/sim/phases/kho-memory-init.ts, kho-restore.ts): deserializeInit only orders the flush
 * of the deserialize hooks' queue, empty without them.
 */
function strategyEffect(strategy: KhoStrategy, deferred: boolean): KhoStrategy | 'inert' {
  return hookEffect(strategy, deferred, NO_HOOKS);
}

const NO_HOOKS: readonly string[] = [];
/** The hooks kho_restore() calls (src/sim/phases/kho-restore.ts): restore() block by block, or restoreBlocks(). */
const RESTORE_HOOKS: readonly string[] = ['restore', 'restoreBlocks'];

/**
 * The strategy when the boot calls a hook of it other than those named `unread` (any function-valued field, own
 * fields and a class's methods alike), 'inert' when it calls none or the strategy is `deferredOnly` with deferred
 * init off.
 */
function hookEffect(
  strategy: KhoStrategy,
  deferred: boolean,
  unread: readonly string[],
): KhoStrategy | 'inert' {
  if (strategy.deferredOnly && !deferred) return 'inert';
  for (
    let o: object | null = strategy;
    o && o !== Object.prototype;
    o = Object.getPrototypeOf(o) as object | null
  )
    for (const k of Object.getOwnPropertyNames(o))
      if (
        k !== 'constructor' &&
        !unread.includes(k) &&
        typeof (strategy as unknown as Record<string, unknown>)[k] === 'function'
      )
        return strategy;
  return 'inert';
}

/**
 * What of a variant's strategy the boot reads before kho_restore: nothing ('inert') when its only hooks are restore()
 * and restoreBlocks() (or it is `deferredOnly` with deferred init off), else the strategy itself. kho_memory_init() reads deserialize,
 * deserializeBlocks, deserializeInit (which only orders the flush of the deserialize hooks' queue, empty without
 * them) and deferredOnly; memblock_free_all and page_alloc_init_late read nothing of it. Any function-valued field
 * but those two counts as read before the restore, so a hook added later is never mistaken for none. Strategies alike
 * here boot alike up to kho_restore: a later one goes on from a copy of the earlier one's state there (replayEach).
 */
function deserializeEffect(strategy: KhoStrategy, deferred: boolean): KhoStrategy | 'inert' {
  return hookEffect(strategy, deferred, RESTORE_HOOKS);
}

function sameKinds(a: ReadonlySet<unknown>, b: ReadonlySet<unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}

/**
 * replay(host, image, { ...scenario, ...variant }) for each variant, in order (but for a variant that boots as an
 * earlier one up to kho_restore: right after that one), each timeline handed to `take` with its index and
 * dropped when it returns (compare and check keep the findings and costs, not the memmap). The boot up to where
 * the strategies diverge (free_area_init, kho_populate, memmap_init) runs once; each variant goes on from a copy
 * of its state (src/sim/fork.ts), the last one from the state itself.
 *
 * A variant whose replay would be the same computation as an earlier one's (the same restore kinds, and both
 * strategies inert in this boot or the same strategy: strategyEffect) is not replayed again: it gets the earlier
 * timeline under its own strategy and scenario, and with `relabel` not even `take` runs again (relabel(earlier
 * result, its timeline, i): the caller's findings and costs read nothing of the strategy but the state). With
 * deferred init off every posted strategy is inert, so compare replays the KHO phases once, not five times.
 *
 * With `spare` (a caller that keeps no timeline past `take`, nor anything of its memmap), the memmap columns of a
 * copy whose timeline has been taken (and is not kept for a later twin) are handed to the next copies
 * (src/sim/fork.ts SpareColumns): written into, not made anew.
 *
 * With `listOrder` the variants run in their list's order, a boot twin too: a caller that writes each result out as
 * it comes, in the list's order (compare --json), then has each one to write as soon as it is taken, not after the
 * ones a boot twin's place put before it. The copy of the state a boot twin goes on from is then kept the longer.
 */
export function replayEach<T>(
  host: HostTrace,
  image: KhoImageInput | null,
  scenario: Scenario,
  variants: readonly StrategyVariant[],
  take: (tl: Timeline, i: number) => T,
  relabel?: (earlier: T, tl: Timeline, i: number) => T,
  spare?: SpareColumns,
  listOrder = false,
): T[] {
  if (!image) {
    // a plain boot has no strategy: each variant is the same boot
    return variants.map((v, i) => {
      const sc = { ...scenario, ...v };
      return take(finishTimeline(runBoot(host, sc), sc, null), i);
    });
  }
  const choice = profileOf(image, scenario, host);
  const profile = choice.profile;
  const defaultStrategy = scenario.strategy ?? findStrategy(profile.defaultStrategy);
  if (image.pageSize !== 2 ** host.pageShift)
    // the handover and the host files disagree: the bundle is inconsistent (exit 3), not the command line
    throw new TraceError({
      code: 'TRACE_ERR_PAGE_SIZE_MISMATCH',
      location: { file: `${scenario.bundleName ?? 'bundle'}/kho`, field: 'page size' },
      expected: `the host's ${2 ** host.pageShift}-byte pages`,
      found: `an image with ${image.pageSize}-byte pages`,
    });
  let populated: KhoRun | null = null;
  // a KHO boot runs the incoming kernel's mm, whatever the captured host ran
  const boot: Scenario = {
    ...scenario,
    mmProfile: profile.mmProfile,
    mmReason: `profile ${profile.name} runs ${profile.mmProfile}`,
  };
  const deferral = { name: profile.name, on: profile.deferredDefault };
  const start = startBoot(
    host,
    boot,
    {
      beforeMemmapInit: (c) => {
        const run = khoRunOf(c, image, profile, defaultStrategy, scenario.restore ?? RESTORE_ALL);
        const logged = khoLogDoublings(host.memblockCalls);
        run.khoLogDoublings = logged && {
          file: host.sources['memblockCalls']?.[0]?.file ?? 'dmesg',
          lines: logged,
        };
        khoPopulate(c, run);
        // a kdump kernel is loaded with kexec -p (KEXEC_TYPE_CRASH): kho_fill_kimage() adds no handover to a crash
        // image and kho_locate_mem_hole() leaves its placement alone (linux v7.3-rc7
        // kernel/liveupdate/kexec_handover.c kho_fill_kimage, kho_locate_mem_hole), so it never gets the image:
        // is_kho_boot() is false, nothing is revived. v7.4 also switches KHO off inside it ("kho: do not reserve
        // scratch memory in the kdump kernel", C-KDUMP dc645f2db753: kho_memory_init() without incoming scratch and
        // is_kdump_kernel() sets kho_enable = false, "disabled in the kdump kernel"; read in linux-mm
        // kernel/liveupdate/kexec_handover.c@65660710427926892c784d39e015528fcc2a3c4f). is_kdump_kernel() is
        // elfcorehdr= on the command line kexec gives the crash kernel.
        const kdump = scenario.kdump ?? /(^|\s)elfcorehdr=/.test(host.cmdline?.raw ?? '');
        if (run.accepted && kdump) {
          run.accepted = false;
          const off = profile.kdumpDisablesKho
            ? `; ${profile.name}'s kho_memory_init() then sets kho_enable = false in it ("disabled in the kdump kernel"): no scratch, nothing handed to a next kernel`
            : '';
          run.observations.push({
            kind: 'image-refused',
            phase: 'kho_populate',
            fn: 'kho_fill_kimage',
            reason: `a kdump kernel (kexec -p): kho_fill_kimage() gives a crash image no KHO handover, so it boots without it${off}`,
          });
        }
        // v7.3: kho_memory_init_early() runs first in mm_core_init_early(), before free_area_init()
        if (run.accepted && profile.extendedScratch)
          run.extendedScratch = extendedScratch(image, c.layout.memRanges, c.arch.PAGE_SHIFT);
        populated = run;
      },
    },
    deferral,
  );
  const shared = populated as KhoRun | null;
  if (!shared) throw new InternalError('the boot did not run the KHO hooks');
  // several strategies: the preserved blocks join the memmap's block layer once, before the copies (an attach is
  // invisible in the map's answers; each strategy's kho_memory_init() then finds them attached)
  if (shared.accepted && variants.length > 1) {
    // the block columns are never written (blocksOf): each copy of the map views them, none copies them
    shareReadOnly(shared.blocks.startPfn, shared.blocks.endPfn);
    start.memmap.attachBlocks(shared.blocks.startPfn, shared.blocks.endPfn, shared.blocks);
    // deferred init over the gaps between the blocks, done by the first copy that runs it, taken by the others when
    // every condition of MemMap.replayShared holds in theirs (same batch, same layer, same runs under its writes)
    start.memmap.shareDeferredInit();
    // the layer's caches (its prefix sums, the census's; the blocks out of it, deferred init's): the same blocks in
    // the layer in every copy until one leaves it, so made once here, not again over every block by each strategy
    const prefix = start.memmap.layerCachesForCopies();
    if (prefix) shareReadOnly(prefix);
  }
  // memblock.reserved as kho_memory_init() finds it: the same for every strategy
  const reservedBefore: Range[] = [];
  start.memblock.forEachReservedMemRegion((s, e) => reservedBefore.push({ start: s, end: e }));
  const strategyOf = (v: StrategyVariant): KhoStrategy => v.strategy ?? defaultStrategy;
  const kindsOf = (v: StrategyVariant): ReadonlySet<KhoRestoreKind> =>
    v.restore ?? scenario.restore ?? RESTORE_ALL;
  // twinOf[i]: the first earlier variant whose replay is variant i's (strategyEffect), -1 when none
  const effects = variants.map((v) => strategyEffect(strategyOf(v), start.deferred));
  const twinOf = variants.map((v, i) =>
    variants.findIndex((w, j) => j < i && effects[j] === effects[i] && sameKinds(kindsOf(w), kindsOf(v))),
  );
  // bootTwinOf[i]: the first earlier replay of its own whose boot up to kho_restore is variant i's (deserializeEffect),
  // -1 when none: variant i goes on from a copy of that replay's state before kho_restore (restoreAt), not from start
  const deser = variants.map((v) => deserializeEffect(strategyOf(v), start.deferred));
  const bootTwinOf = variants.map((_, i) =>
    twinOf[i]! >= 0 ? -1 : twinOf.findIndex((t, j) => j < i && t < 0 && deser[j] === deser[i]),
  );
  // the last variant that boots from start takes start itself, the others a copy
  const lastOwn = variants.reduce((m, _, i) => (twinOf[i]! < 0 && bootTwinOf[i]! < 0 ? i : m), -1);
  const lastBootTwin = variants.map((_, j) => bootTwinOf.lastIndexOf(j));
  const restoreAt = new Map<number, { ctx: SimContext; observations: KhoRun['observations'] }>();
  // the timelines (and results) later twins still need, by variant
  const lastTwin = twinOf.map((_, j) => twinOf.lastIndexOf(j));
  const kept = new Map<number, { tl: Timeline; result: T }>();
  // the order the variants run in (below), and the last place in it where a variant makes a copy: of start (a boot of
  // its own but the last one's), of its state before kho_restore for a later one (restoreAt), or of that state (a
  // boot twin but the last one of its twin)
  const order: number[] = [];
  // (a variant's twin and boot twin come before it in the list: either order runs them first)
  if (listOrder) for (let i = 0; i < variants.length; i++) order.push(i);
  else
    for (let i = 0; i < variants.length; i++)
      if (bootTwinOf[i]! < 0) {
        order.push(i);
        for (let k = i + 1; k < variants.length; k++) if (bootTwinOf[k] === i) order.push(k);
      }
  const orderOf = new Array<number>(variants.length);
  order.forEach((i, p) => (orderOf[i] = p));
  // (start and a boot twin's waiting copy hold their layer columns as runs, written out by the variant that takes
  // them: it draws spare columns too; src/sim/fork.ts ForkMode)
  const copies = (i: number): boolean => twinOf[i]! < 0;
  let lastCopyAt = -1;
  order.forEach((i, p) => {
    if (copies(i)) lastCopyAt = p;
  });
  const runVariant = (i: number): T => {
    const v = variants[i]!;
    const strategy = strategyOf(v);
    const restoreKinds = kindsOf(v);
    const sc: Scenario = { ...scenario, ...v };
    const j = twinOf[i]!;
    if (j >= 0) {
      const earlier = kept.get(j)!;
      if (lastTwin[j] === i) kept.delete(j);
      const k = earlier.tl.kho!;
      const tl: Timeline = {
        ...earlier.tl,
        scenario: sc,
        kho: { ...k, strategy, restoreKinds, run: { ...k.run, strategy, restoreKinds } },
      };
      return relabel ? relabel(earlier.result, tl, i) : take(tl, i);
    }
    const b = bootTwinOf[i]!;
    const at = b >= 0 ? restoreAt.get(b)! : null;
    if (at && lastBootTwin[b] === i) restoreAt.delete(b);
    // the strategy's own run: what kho_populate() found (and, from a twin's boot, what its kho_memory_init() saw),
    // with the restores still to come
    const run: KhoRun = {
      ...shared,
      strategy,
      restoreKinds,
      observations: (at ? at.observations : shared.observations).slice(),
      restored: new BlockSet(image.preserved.count),
    };
    let ctx: SimContext;
    if (at) {
      // the boot up to kho_restore is the twin's: its state there, then this strategy's restores
      ctx = lastBootTwin[b] === i ? solidContext(at.ctx, spare) : forkContext(at.ctx, spare);
      for (const p of ['kho_memory_init', 'memblock_free_all', 'page_alloc_init_late', 'kho_restore'])
        sc.onProgress?.(p);
      khoRestore(ctx, run);
    } else
      ctx = continueBoot(
        // the first copy of start takes its layer columns, start keeping them as runs (ForkMode 'take')
        i === lastOwn ? solidContext(start, spare) : forkContext(start, spare, 'take'),
        { ...boot, ...v },
        {
          afterMemmapInit: (c) => {
            sc.onProgress?.('kho_memory_init');
            khoMemoryInit(c, run);
          },
          afterPageAllocInitLate: (c) => {
            // a later variant boots as this one up to here (bootTwinOf): a copy of the state for it, holding its layer
            // columns of few runs (the tails, at 8M blocks) as runs until it is used (ForkMode 'wait')
            if (lastBootTwin[i]! > i)
              restoreAt.set(i, {
                ctx: forkContext(c, spare, 'wait'),
                observations: run.observations.slice(),
              });
            sc.onProgress?.('kho_restore');
            khoRestore(c, run);
          },
        },
      );
    const tl = finishTimeline(ctx, sc, {
      profile,
      profileReason: choice.reason,
      strategy,
      restoreKinds,
      run,
      reservedBefore,
    });
    const result = take(tl, i);
    if (lastTwin[i]! > i) kept.set(i, { tl, result });
    // read no more (a later twin reads the kept timeline): its columns go on to the copies still to come (start's
    // too, those solidContext() wrote out for it), and once the last one is made the spare columns are dropped
    else if (spare && orderOf[i]! < lastCopyAt) spare.release(ctx);
    if (spare && orderOf[i] === lastCopyAt) spare.clear();
    return result;
  };
  // in order, but (without listOrder) a variant that boots as an earlier one up to kho_restore right after that one
  // (the copy of its state there is then kept only while that one restores and is taken)
  const results = new Array<T>(variants.length);
  for (const i of order) results[i] = runVariant(i);
  return results;
}

/**
 * The `reserved` doubling lines memblock=debug printed inside kho_memory_init(): from the first
 * kho_preserved_memory_reserve() call of the log to its last one and the doubling lines right after it (a doubling in
 * the last block's memblock_reserved_mark_noinit(), which prints nothing of its own). Null when the log has no such
 * call (not a KHO boot's log, or no memblock=debug).
 */
function khoLogDoublings(calls: readonly MemblockCall[]): MemblockCall[] | null {
  const isKho = (c: MemblockCall): boolean => c.caller.startsWith('kho_preserved_memory_reserve');
  const first = calls.findIndex(isKho);
  if (first < 0) return null;
  let last = first;
  for (let k = first; k < calls.length; k++) if (isKho(calls[k]!)) last = k;
  let end = last + 1;
  while (
    end < calls.length &&
    (calls[end]!.kind === 'memblock_double_array' || calls[end]!.kind === 'memblock_double_failed')
  )
    end++;
  return calls
    .slice(first, end)
    .filter(
      (c) =>
        (c.kind === 'memblock_double_array' || c.kind === 'memblock_double_failed') &&
        c.arrayType === 'reserved',
    );
}

/** The KHO side of a boot as kho_populate() starts it: the image's blocks classified, scratch in pfns. */
function khoRunOf(
  c: SimContext,
  image: KhoImageInput,
  profile: KernelProfile,
  strategy: KhoStrategy,
  restoreKinds: KhoRun['restoreKinds'],
): KhoRun {
  const pageSize = 2 ** c.arch.PAGE_SHIFT;
  return {
    profile,
    strategy,
    image,
    blocks: blocksOf(image, c.arch.PAGE_SHIFT, c.arch.MAX_PAGE_ORDER),
    restoreKinds,
    accepted: true,
    scratch: image.scratch
      .map((s) => ({
        start: Math.floor(s.phys / pageSize),
        end: Math.ceil((s.phys + s.sizeBytes) / pageSize),
      }))
      .sort((a, b) => a.start - b.start),
    observations: [],
    restored: new BlockSet(image.preserved.count),
    extendedScratch: [],
  };
}
