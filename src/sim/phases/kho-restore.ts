// kernel/liveupdate/kexec_handover.c kho_restore_folio() / kho_restore_pages() -> kho_restore_page() (K616, K618, K619, KR3; kho-abi.md §6.3), run for what the image says is used.
import { GrowableColumns, noteAscendingPositions } from '../../core/index.js';
import type { PositionsBut } from '../../core/index.js';
import type { SimContext } from '../context.js';
import { runPhase } from '../context.js';
import { spareInt32For } from '../fork.js';
import { StrategyRunner } from './kho-run.js';
import type { KhoRun } from './kho-run.js';
import type { KhoStrategy } from '../strategies/strategy.js';
import type { KhoBlocks } from './kho-types.js';
import { KHO_RESTORE_KINDS, KhoBlockCursor } from './kho-types.js';

type RestoreFailure = 'magic' | 'order-above-max' | 'wrong-order' | 'no-memmap';

// a restore's verdict on a head as a small code (FAILURES[code]): no string per block
const PASS = 0;
const NO_MEMMAP = 1;
const MAGIC = 2;
const ABOVE_MAX = 3;
const WRONG_ORDER = 4;
const FAILURES: readonly (RestoreFailure | null)[] = [
  null,
  'no-memmap',
  'magic',
  'order-above-max',
  'wrong-order',
];

const PHASE = 'kho_restore';

/** out[at + k - from] = k for k = from, ..., to - 1 (a run of restored positions; a loop V8 keeps tight). */
function putPositions(out: Int32Array, at: number, from: number, to: number): void {
  for (let k = from; k < to; k++) out[at++] = k;
}

/**
 * The positions of the blocks restored, by position in `blocks`: every position in [0, n) but the nLeft in `left`
 * (ascending), as the restore hook receives them (PositionsBut: a walk by rows between the positions left out reads
 * no column). Their column, when a reader asks for one (column()), is made once per block columns and list left out
 * (every strategy of a compare with a hook, zone-walk and lazy-tail, restores the same blocks and leaves the same few
 * out): a million positions are a 32 MB column, made and written once instead of once a strategy, in a column from
 * `column` (a compare's spare one: the strategy that asks first draws it from its own pool). Nothing writes it after
 * (the hooks and the events that keep it, lazy-tail's tails cover, only read it).
 */
const restoredByBlocks = new WeakMap<KhoBlocks, { readonly left: Int32Array; at: Int32Array | null }>();
export function restoredPositions(
  blocks: KhoBlocks,
  left: Int32Array,
  nLeft: number,
  column: (n: number) => Int32Array = (n) => new Int32Array(n),
): PositionsBut {
  const n = blocks.length;
  let hit = restoredByBlocks.get(blocks);
  if (!(hit && hit.left.length === nLeft && hit.left.every((x, k) => x === left[k]))) {
    hit = { left: left.slice(0, nLeft), at: null };
    restoredByBlocks.set(blocks, hit);
  }
  const entry = hit;
  // (khoRestore lists the positions left out ascending, each below n; a walk by rows checks: positionsButWithin)
  return {
    total: n,
    left: entry.left,
    n: n - nLeft,
    column: () => (entry.at ??= positionsColumn(n, entry.left, column)),
  };
}

/** The column of every position in [0, n) but those in `left` (see restoredPositions), the entries past them zero. */
function positionsColumn(n: number, left: Int32Array, column: (n: number) => Int32Array): Int32Array {
  const nLeft = left.length;
  // (a column of n from `column`, whatever it holds: every entry written below)
  const at = column(n);
  let k = 0;
  let from = 0;
  // the positions left out ascending, each below n (khoRestore lists them so): then the n - nLeft written are too
  let ascending = true;
  for (let j = 0; j < nLeft; j++) {
    const l = left[j]!;
    if (!(l >= from && l < n)) ascending = false;
    putPositions(at, k, from, l);
    k += l - from;
    from = l + 1;
  }
  putPositions(at, k, from, n);
  at.fill(0, k + n - from);
  // (MemMap.initBlockTails() then takes them without a look at each)
  if (ascending) noteAscendingPositions(at, k + n - from, n);
  return at;
}

/**
 * The verdict loop's common case from block i on (khoRestore), up to `stop` (the next block of a kind not restored, or
 * n): a block whose head is in the memmap's layer in a state kho_restore_page() passes with the block's own order
 * (passOrder[id]: the order a head in state id passes with, -1 when it is refused). Returns the first block at or past
 * i that is not one (stop at the end): the loop takes [i, that) as one range of restored blocks and the block there by
 * the general path. A loop of typed arrays only, so V8 keeps it tight (the general loop's body, with its observation
 * and its calls, ran at ~40 ns a block); the blocks of kinds not restored are listed apart (kindStops), so it looks at
 * no block's kind (~19 ms instead of ~34 ms over 8.36M blocks).
 */
function passingRun(
  headIds: Int32Array,
  passOrder: Float64Array,
  orders: Uint8Array,
  i: number,
  stop: number,
): number {
  for (; i < stop; i++) {
    const id = headIds[i]!;
    if (id < 0 || passOrder[id] !== orders[i]) break;
  }
  return i;
}

/**
 * The positions of the blocks of a kind not restored (restoring[kind] 0), ascending: once per block columns and set of
 * kinds restored (every strategy of a compare restores the same blocks; by default only reserve_mem's are left).
 */
const stopsByBlocks = new WeakMap<KhoBlocks, Map<string, Int32Array>>();
function kindStops(blocks: KhoBlocks, restoring: Uint8Array): Int32Array {
  let m = stopsByBlocks.get(blocks);
  if (!m) stopsByBlocks.set(blocks, (m = new Map()));
  const key = restoring.join('');
  let stops = m.get(key);
  if (stops) return stops;
  const kinds = blocks.kindCode;
  const at: number[] = [];
  for (let i = 0; i < kinds.length; i++) if (restoring[kinds[i]!] !== 1) at.push(i);
  m.set(key, (stops = Int32Array.from(at)));
  return stops;
}

/**
 * khoRestore()'s strategy hook over the restored blocks (every block but the nLeft in `left`, whose heads are cleared
 * by now), then adjust_managed_page_count()'s read of each restored head.
 */
function restoreHooked(
  ctx: SimContext,
  run: KhoRun,
  left: Int32Array,
  nLeft: number,
  nOk: number,
  restore: KhoStrategy['restore'],
  restoreBlocks: KhoStrategy['restoreBlocks'],
  read: { phase: string; fn: string },
  readLater: (() => unknown) | null = null,
): void {
  const blocks = run.blocks;
  // every block passes or is left out: the blocks that pass are all positions but those left out
  // (their column, when asked for, in a spare column of a compare's copies when there is one: spareInt32For)
  const okAt = restoredPositions(blocks, left, nLeft, (m) => spareInt32For(ctx, m));
  const runner = new StrategyRunner(ctx, run, 'restore', PHASE);
  if (restoreBlocks) {
    // the strategy's loop over the restored blocks, in one call (the same as restore() block by block; it makes
    // the room it needs in the init queue: a stretch of whole blocks is one row)
    restoreBlocks(blocks, okAt, nOk, runner);
  } else if (restore) {
    runner.expect(nOk + 1024);
    const b = new KhoBlockCursor(blocks);
    const at = okAt.column();
    for (let k = 0; k < nOk; k++) {
      b.at(at[k]!);
      runner.current = b.index;
      restore(b, runner);
    }
  }
  runner.flush();
  // the read counted in the clear's pass (readLater) holds when the hook left the heads as they were
  if (readLater && runner.headsLeftAlone()) readLater();
  else ctx.memmap.readPages(blocks.startPfn, read, { at: left, n: nLeft });
}

/**
 * For each block the replay restores (by kind, --restore): the head's page->private is checked (magic and
 * order from K618, order <= MAX_PAGE_ORDER until KR3; K616 trusts a bare order), the strategy's restore-time
 * init runs, adjust_managed_page_count() reads the head's zone (page_zone), and private is cleared. Blocks of
 * other kinds, and reserve_mem ranges, are never restored.
 */
export function khoRestore(ctx: SimContext, run: KhoRun): void {
  runPhase(ctx, PHASE, () => {
    if (!run.accepted) return;
    const maxOrder = ctx.arch.MAX_PAGE_ORDER;
    const blocks = run.blocks;
    const headPfns = blocks.startPfn;
    const kinds = blocks.kindCode;
    const orders = blocks.order;
    // null: block i is image entry i (the identity, never made)
    const indexes = blocks.indexColumn;
    // the kinds restored, by kind code
    const restoring = KHO_RESTORE_KINDS.map((k) => run.restoreKinds.has(k));
    const skip = run.strategy.deferredOnly && !ctx.deferred;
    const restore = skip ? undefined : run.strategy.restore?.bind(run.strategy);
    const restoreBlocks = skip ? undefined : run.strategy.restoreBlocks?.bind(run.strategy);
    const hooked = restore !== undefined || restoreBlocks !== undefined;
    // the positions of the blocks that do not pass (few: the heads of the rest are the block column, cleared and read
    // in one pass over the memmap's layer); with a restore hook, the rest (restoredPositions) are the blocks it visits
    const left = new GrowableColumns([new Int32Array(64)]);
    const leave = (i: number): void => {
      const r = left.row();
      left.cols[0][r] = i;
    };
    let nOk = 0;
    const checkMagic = run.profile.pageMagic;
    const checkMax = run.profile.restoreChecksMaxOrder;
    // the heads' struct pages as deserialize left them (heads ascending: one pass over the memmap; a view of the
    // memmap's head column when it can: read only in the verdict loop below, before the clear writes the heads)
    const heads = ctx.memmap.stateIdsAt(headPfns, true);
    const headIds = heads.ids;
    // what kho_restore_page() makes of each state a head is in, by state id: the failure that does not depend on the
    // block (K616: order = page->private, zeroed by any init since the write; K618+: magic and order in the union),
    // and the order it reads (no object per block)
    const states = heads.states;
    const refusal = new Int8Array(states.length);
    const headOrder = new Float64Array(states.length);
    // the order a head in the state passes with (the order it reads, when nothing refuses it), -1 when refused: no
    // block's order (0-255) is -1
    const passOrder = new Float64Array(states.length);
    for (let id = 0; id < states.length; id++) {
      const st = states[id]!;
      const order = st.khoOrder < 0 ? 0 : st.khoOrder;
      headOrder[id] = order;
      if (!st.memmap) refusal[id] = NO_MEMMAP;
      else if (checkMagic && !st.khoMagic) refusal[id] = MAGIC;
      else if (checkMax && order > maxOrder) refusal[id] = ABOVE_MAX;
      passOrder[id] = refusal[id] === PASS ? order : -1;
    }
    const n = blocks.length;
    const restoringCode = Uint8Array.from(restoring, (r) => (r ? 1 : 0));
    const stops = kindStops(blocks, restoringCode);
    // the verdict on block i whose head does not pass as it is (id its state id, -1 out of the memmap's layer) or of a
    // kind not restored: the failure observed, and whether it is restored all the same (a wrong order) or left
    const decide = (i: number, id: number): boolean => {
      if (!restoring[kinds[i]!]) {
        leave(i);
        return false;
      }
      // (a head out of the memmap's layer: read alone)
      if (id < 0) id = ctx.memmap.stateIdOf(headPfns[i]!);
      let reason = refusal[id]!;
      if (reason === PASS && headOrder[id] !== orders[i]) reason = WRONG_ORDER;
      if (reason === PASS) return true;
      const kind = blocks.kind(i);
      const fn = kind === 'folio' || kind === 'subtree' ? 'kho_restore_folio' : 'kho_restore_pages';
      run.observations.push({
        kind: 'restore-failed',
        phase: PHASE,
        fn,
        block: blocks.imageIndex(i),
        reason: FAILURES[reason]!,
      });
      // a wrong order is restored anyway (as the order the head says); the others are refused
      if (reason !== WRONG_ORDER) {
        leave(i);
        return false;
      }
      return true;
    };
    // adjust_managed_page_count(page, nr) -> page_zone(head): a read of the head's struct page
    const read = { phase: PHASE, fn: 'kho_restore_page' };
    // the verdict and the clear of `page->private` (then, with no strategy hook between them, the read) in one pass
    // over the memmap's head column (MemMap.clearRestoredKhoHeads): the blocks that pass as a run of heads written,
    // the others asked of decide() in block order; false when the memmap cannot (the heads are not its layer's)
    const verdict = { passOrder, orders, stops: { at: stops, n: stops.length }, decide };
    // (a hook that leaves the heads alone, as it says: the read counted in the same pass, recorded after the hook)
    const readLater =
      hooked && run.strategy.restoreLeavesHeads === true
        ? ctx.memmap.clearRestoredKhoHeadsReadLater(headPfns, verdict, read)
        : null;
    const cleared =
      readLater === null
        ? ctx.memmap.clearRestoredKhoHeads(headPfns, verdict, hooked ? null : read)
        : readLater;
    if (cleared !== false) {
      // restored: every block but those left (no strategy hook or check reads the set before the phase ends)
      let from = 0;
      for (let j = 0; j < left.n; j++) {
        const l = left.cols[0][j]!;
        run.restored.addRange(from, l, indexes);
        from = l + 1;
      }
      run.restored.addRange(from, n, indexes);
      nOk = n - left.n;
      if (hooked)
        restoreHooked(ctx, run, left.cols[0], left.n, nOk, restore, restoreBlocks, read, readLater || null);
      return;
    }
    let sk = 0;
    for (let i = 0; i < n; i++) {
      // the common case in one tight loop: blocks that pass, in a row, up to the next block of a kind not restored,
      // taken as one range
      while (sk < stops.length && stops[sk]! < i) sk++;
      const e = passingRun(headIds, passOrder, orders, i, sk < stops.length ? stops[sk]! : n);
      if (e > i) {
        run.restored.addRange(i, e, indexes);
        nOk += e - i;
        i = e;
        if (i === n) break;
      }
      // the general path: the verdict block by block
      if (!decide(i, headIds[i]!)) continue;
      // restored (no strategy hook or check reads the set before the phase ends)
      run.restored.addRange(i, i + 1, indexes);
      nOk++;
    }
    // the restored heads: the block column but the heads left out (the memmap reads its layer's heads in one pass)
    const except = { at: left.cols[0], n: left.n };
    if (hooked) {
      // private is cleared right after the check, before anything else touches the page
      ctx.memmap.clearKhoHeads(headPfns, except);
      restoreHooked(ctx, run, left.cols[0], left.n, nOk, restore, restoreBlocks, read);
    } else {
      // no strategy hook between them: `page->private = 0` then adjust_managed_page_count()'s page_zone(head) in
      // one pass over the heads (linux v7.3-rc7 kernel/liveupdate/kexec_handover.c kho_restore_page()): the block
      // column but the heads left out
      ctx.memmap.clearKhoHeadsThenRead(headPfns, read, except);
    }
  });
}
