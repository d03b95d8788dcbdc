// A copy of a replay's state at the point KHO strategies diverge (after memmap_init), so compare and check run
// the strategy-independent start of the boot once and go on under each strategy from a copy (issue 10). The state
// is typed columns, arrays of immutable records and maps of numbers: a copy is a few array copies, no replay.
import type { SimContext } from './context.js';
import type { IdRuns } from './id-runs.js';
import { fillIdRuns, idRunsOf } from './id-runs.js';

type Mutable = Record<PropertyKey, unknown>;

/**
 * Buffers nobody writes (the preserved blocks' columns, classified once per image and read only by every replay):
 * a typed array viewing one is shared by the copies, not copied. The memmap's block layer views the block columns
 * themselves when every block is layered (MemMap.attachBlocks): 16 bytes a block, per strategy, not copied.
 */
const readOnlyBuffers = new WeakSet<ArrayBufferLike>();

/** Declare the buffers of these arrays read only for every replay from now on (see readOnlyBuffers). */
export function shareReadOnly(...arrays: readonly ArrayBufferView[]): void {
  for (const a of arrays) readOnlyBuffers.add(a.buffer);
}

/** A typed array (not a DataView): what forkField() copies. */
type Column = ArrayBufferView & {
  readonly length: number;
  readonly [i: number]: number;
  slice(): Column;
  set(a: ArrayLike<number>): void;
};

/**
 * Columns of copies no replay reads again, handed to later copies (src/sim/replay.ts replayEach, when its caller keeps
 * no timeline): a copy of the same type and length is written into one (set()) instead of a new array (slice()). At
 * 8M blocks the memmap's block layer is two 32 MB columns a copy, and a slice() of one was mostly the kernel's work
 * of mapping fresh pages (first-touch page faults), which set() into pages already mapped does not pay.
 * Only columns of at least `minBytes` are kept, and only those a copy made by forkContext(ctx, this) still holds
 * in its memmap (or in the memmap's own helpers) when release() hands that copy back.
 */
export class SpareColumns {
  private readonly free: Column[] = [];
  /** The columns forkContext() made for each copy (the memmap's: what release() may take back). */
  private readonly made = new WeakMap<object, Set<Column>>();
  /** Copies written into a spare column (tests). */
  reused = 0;
  /** Columns taken out of the pool for good (take(); tests). */
  taken = 0;
  /** The default minBytes (tests lower it, so that a small bundle's columns are handed on too). */
  static minBytes = 1 << 20;
  constructor(private readonly minBytes = SpareColumns.minBytes) {}

  /** A spare column of this constructor and length, out of the pool (null when there is none). */
  private spare(ctor: unknown, length: number): Column | null {
    for (let k = 0; k < this.free.length; k++) {
      const c = this.free[k]!;
      if (c.constructor !== ctor || c.length !== length) continue;
      this.free.splice(k, 1);
      return c;
    }
    return null;
  }

  /** v copied: into a spare column of its type and length when there is one, else into a new one. */
  copy(v: Column): Column {
    const c = v.byteLength >= this.minBytes ? this.spare(v.constructor, v.length) : null;
    if (c === null) return v.slice();
    c.set(v);
    this.reused++;
    return c;
  }

  /**
   * A spare column of this type and length taken out of the pool for good (null when there is none): a column that
   * is then written whole and kept, not a copy's (kho_restore's restored positions: spareColumnFor()).
   */
  take<C extends Column>(ctor: new (n: number) => C, length: number): C | null {
    const c = this.spare(ctor, length) as C | null;
    if (c !== null) this.taken++;
    return c;
  }

  /**
   * A spare column of this type and length for a copy to write whole (a layer column written out from its runs:
   * forkContext(), solidContext()), else a new one; noted as the copy's like those copy() makes (noteMade()).
   */
  column<C extends Column>(
    ctor: (new (n: number) => C) & { readonly BYTES_PER_ELEMENT: number },
    length: number,
  ): C {
    const c =
      length * ctor.BYTES_PER_ELEMENT >= this.minBytes ? (this.spare(ctor, length) as C | null) : null;
    if (c === null) return new ctor(length);
    this.reused++;
    return c;
  }

  /** Note the columns of at least minBytes that `seen` (one forkContext()) made for the copy `memmap`. */
  noteMade(memmap: object, seen: Map<object, unknown>): void {
    const set = new Set<Column>();
    for (const c of seen.values())
      if (ArrayBuffer.isView(c) && c.byteLength >= this.minBytes) set.add(c as Column);
    if (set.size) this.made.set(memmap, set);
  }

  /** Note columns made for the map `memmap` after its copy (solidContext()): released with the others. */
  noteMore(memmap: object, cols: readonly Column[]): void {
    let set = this.made.get(memmap);
    for (const c of cols) {
      if (c.byteLength < this.minBytes) continue;
      if (!set) this.made.set(memmap, (set = new Set()));
      set.add(c);
    }
  }

  /**
   * The copy `ctx` (made by forkContext(ctx, this)) is read no more: the columns made for it that its memmap, or a
   * helper the memmap owns, still holds become spare. A column the map replaced since is left alone (whatever
   * replaced it may be held elsewhere), and so is every column of a context this pool did not copy.
   */
  release(ctx: SimContext): void {
    const memmap = ctx.memmap as object;
    const made = this.made.get(memmap);
    if (!made) return;
    this.made.delete(memmap);
    const held = new Set<Column>();
    const look = (o: object, depth: number): void => {
      for (const k of Reflect.ownKeys(o)) {
        const v = (o as Mutable)[k];
        if (v === null || typeof v !== 'object') continue;
        if (ArrayBuffer.isView(v)) {
          if (made.has(v as Column)) held.add(v as Column);
        } else if (depth > 0 && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Set))
          look(v, depth - 1);
      }
    };
    look(memmap, 1);
    for (const c of held) this.free.push(c);
  }

  /** No copy is to come: the spare columns are dropped (garbage once nothing else holds them). */
  clear(): void {
    this.free.length = 0;
  }
}

/** The pool each copy was made with (forkContext(ctx, spare)), by the copy's memmap. */
const poolOf = new WeakMap<object, SpareColumns>();

/**
 * An Int32Array of `length` for a column `ctx`'s replay makes, writes whole and keeps: a spare one from the pool the
 * copy `ctx` was made with when it has one (its pages are mapped already: a fresh 32 MB column is ~8K first-touch page
 * faults, ~13 ms here), else a new one. The pool holds, while a strategy runs, the columns of the copies read no more
 * (one fewer than the copies to come take: the copy that runs gives its own back when it is done); one taken here is
 * out of the pool for good.
 */
export function spareInt32For(ctx: SimContext, length: number): Int32Array {
  return poolOf.get(ctx.memmap)?.take(Int32Array, length) ?? new Int32Array(length);
}

/**
 * One mutable field copied: typed arrays, arrays (their elements are immutable records: page events, states,
 * phase summaries, diagnostics), Maps and Sets get a copy of their own; anything else is shared (layout, arch,
 * the memblock and the like are replaced, never changed in place, by the phases after memmap_init). Two typed-array
 * fields that view one buffer become two buffers, but one typed array held in two places (the memmap's block column
 * and its sweep cursor's) is copied once, both places then holding the copy (`seen`, per forkContext). A typed array
 * over a read-only buffer (shareReadOnly) is shared.
 */
function forkField(v: unknown, seen: Map<object, unknown>, spare?: SpareColumns): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) {
    if (readOnlyBuffers.has(v.buffer)) return v;
    let c = seen.get(v);
    if (c === undefined) seen.set(v, (c = spare ? spare.copy(v as Column) : (v as Column).slice()));
    return c;
  }
  if (Array.isArray(v)) return v.slice();
  if (v instanceof Map) return new Map(v);
  if (v instanceof Set) return new Set(v);
  return v;
}

/**
 * An instance of the same class with each own field forked (forkField); with `depth` > 0 an object-valued field
 * (a helper the instance owns, as a sweep cursor) is forked the same way, one level down. Generic on purpose: a
 * field added to MemMap or EarlyPfnToNid later is copied without this file knowing about it.
 */
function forkObject<T extends object>(o: T, seen: Map<object, unknown>, depth = 0, spare?: SpareColumns): T {
  const proto = Object.getPrototypeOf(o) as object;
  const ctor = (proto as { constructor?: unknown }).constructor;
  // an instance of a class whose constructor takes nothing (a sweep cursor) is made by it, so the copy has the
  // hidden class of every other instance (V8): one made by Object.create() has another, and the methods reading
  // both go polymorphic (a forked map's sweeps ran 2x slower); its fields are then all written below
  const c = (
    typeof ctor === 'function' &&
    ctor !== Object &&
    ctor.length === 0 &&
    /^class\b/.test(Function.prototype.toString.call(ctor))
      ? Reflect.construct(ctor, [])
      : Object.create(proto)
  ) as Mutable;
  for (const k of Reflect.ownKeys(o)) {
    const v = (o as Mutable)[k];
    const owned =
      depth > 0 &&
      v !== null &&
      typeof v === 'object' &&
      !ArrayBuffer.isView(v) &&
      !Array.isArray(v) &&
      !(v instanceof Map) &&
      !(v instanceof Set) &&
      !Object.isFrozen(v);
    c[k] = owned ? forkObject(v, seen, depth - 1, spare) : forkField(v, seen, spare);
  }
  return c as T;
}

/**
 * How forkContext() copies the memmap's block layer's two state-id columns (heads, tails: 4 bytes a block each):
 * - 'copy': the copy gets its own columns (from the source's runs where the source holds a column hollow);
 * - 'take': the copy takes the source's columns themselves, and the source keeps each as runs (IdRuns) until it is
 *   copied again (its copies then write the runs out) or made whole (solidContext()): the start state of a compare,
 *   whose columns are a few dozen runs of ids, copied per strategy and then used by the last one;
 * - 'wait': the copy keeps each column as runs, the source its own: a copy that waits for its turn (a boot twin's
 *   state before kho_restore), made whole when it is used.
 * A column of more runs than HOLLOW.maxRunsPerBlock of its blocks (or of fewer blocks than HOLLOW.minBlocks) is copied.
 */
export type ForkMode = 'copy' | 'take' | 'wait';

/**
 * When forkContext() holds a layer column as runs ('take', 'wait'): of at least minBlocks blocks, in at most
 * maxRunsPerBlock runs a block (tests lower both to reach small maps); `held` counts the columns held so (tests).
 */
export const HOLLOW = { minBlocks: 1 << 16, maxRunsPerBlock: 1 / 64, held: 0 };

/**
 * A context the rest of a boot can run on without changing `ctx`: the memmap (runs, block layer, events, interned
 * states) and early_pfn_to_nid()'s one-entry cache are copied, every array and map of the context too; the layout,
 * the arch, the memblock (kho_memory_init replaces it with a copy holding the preserved blocks) and other read-only
 * facts are shared (so caches keyed by them, as src/check's,
 * are shared too). The block layer's id columns as `mode` says (ForkMode).
 */
export function forkContext(ctx: SimContext, spare?: SpareColumns, mode: ForkMode = 'copy'): SimContext {
  // the copy walks the map's block columns again (they are shared, read only): their shape made once, for every copy
  ctx.memmap.noteBlockShape();
  const c = { ...ctx } as unknown as Mutable;
  const seen = new Map<object, unknown>();
  for (const k of Reflect.ownKeys(c)) c[k] = forkField(c[k], seen);
  // the layer's id columns: what the copy gets for each (seen: forkField() then hands it out), and the source's
  const lay = ctx.memmap.layerIds();
  const mine: [I32, I32] = lay ? [lay.H, lay.T] : [EMPTY, EMPTY];
  const copyRuns: [IdRuns | null, IdRuns | null] = [null, null];
  const keepRuns: [IdRuns | null, IdRuns | null] = lay ? [lay.runsH, lay.runsT] : [null, null];
  const keep: [I32, I32] = [mine[0], mine[1]];
  let took = false;
  let changed = false;
  if (lay)
    for (let k = 0; k < 2; k++) {
      const col = mine[k]!;
      const runs = keepRuns[k]!;
      if (runs) {
        changed = true;
        // held hollow: the copy's column written out from the runs (into a spare one), or the same runs
        if (mode === 'wait') {
          seen.set(col, new Int32Array(0));
          copyRuns[k] = runs;
        } else {
          seen.set(col, writtenOut(runs, spare));
        }
        continue;
      }
      if (mode === 'copy' || lay.n < HOLLOW.minBlocks) continue;
      const r = idRunsOf(col, lay.n, Math.max(1, Math.floor(lay.n * HOLLOW.maxRunsPerBlock)));
      if (!r) continue;
      HOLLOW.held++;
      changed = true;
      if (mode === 'take') {
        seen.set(col, col);
        keep[k] = new Int32Array(0);
        keepRuns[k] = r;
        took = true;
      } else {
        seen.set(col, new Int32Array(0));
        copyRuns[k] = r;
      }
    }
  // the memmap's own helpers (cursors over its columns) are its state too: forked one level down; its big columns
  // (the block layer's) copied into spare ones when the caller gives a pool
  const memmap = forkObject(ctx.memmap, seen, 1, spare);
  c['memmap'] = memmap;
  if (lay && changed) {
    memmap.setLayerIds(seen.get(mine[0]) as I32, seen.get(mine[1]) as I32, copyRuns[0], copyRuns[1]);
    if (took) ctx.memmap.setLayerIds(keep[0], keep[1], keepRuns[0], keepRuns[1]);
  }
  spare?.noteMade(memmap, seen);
  if (spare) poolOf.set(memmap, spare);
  c['pfnToNid'] = forkObject(ctx.pfnToNid, seen);
  return c as unknown as SimContext;
}

type I32 = Int32Array<ArrayBuffer>;
const EMPTY: I32 = new Int32Array(0);

/** A layer column held as runs, written out whole: into a spare column of the pool when it has one. */
function writtenOut(runs: IdRuns, spare?: SpareColumns): I32 {
  const c = spare ? spare.column(Int32Array, runs.len) : new Int32Array(runs.len);
  fillIdRuns(runs, c);
  return c;
}

/**
 * `ctx` made whole for its replay to go on: the layer columns its memmap holds as runs (forkContext() 'take' and
 * 'wait') written out, into spare columns of `spare` when it has some (noted as the map's: release() hands them on).
 * Returns ctx.
 */
export function solidContext(ctx: SimContext, spare?: SpareColumns): SimContext {
  const lay = ctx.memmap.layerIds();
  if (!lay || (!lay.runsH && !lay.runsT)) return ctx;
  const made: I32[] = [];
  const out = (runs: IdRuns | null, col: I32): I32 => {
    if (!runs) return col;
    const c = writtenOut(runs, spare);
    made.push(c);
    return c;
  };
  ctx.memmap.setLayerIds(out(lay.runsH, lay.H), out(lay.runsT, lay.T), null, null);
  if (spare) {
    spare.noteMore(ctx.memmap, made);
    poolOf.set(ctx.memmap, spare);
  }
  return ctx;
}
