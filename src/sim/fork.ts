// A copy of a replay's state at the point KHO strategies diverge (after memmap_init), so compare and check run
// the strategy-independent start of the boot once and go on under each strategy from a copy (issue 10). The state
// is typed columns, arrays of immutable records and maps of numbers: a copy is a few array copies, no replay.
import type { SimContext } from './context.js';

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

/**
 * One mutable field copied: typed arrays, arrays (their elements are immutable records: page events, states,
 * phase summaries, diagnostics), Maps and Sets get a copy of their own; anything else is shared (layout, arch,
 * the memblock and the like are replaced, never changed in place, by the phases after memmap_init). Two typed-array
 * fields that view one buffer become two buffers, but one typed array held in two places (the memmap's block column
 * and its sweep cursor's) is copied once, both places then holding the copy (`seen`, per forkContext). A typed array
 * over a read-only buffer (shareReadOnly) is shared.
 */
function forkField(v: unknown, seen: Map<object, unknown>): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) {
    if (readOnlyBuffers.has(v.buffer)) return v;
    let c = seen.get(v);
    if (c === undefined) seen.set(v, (c = (v as unknown as { slice(): unknown }).slice()));
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
function forkObject<T extends object>(o: T, seen: Map<object, unknown>, depth = 0): T {
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
    c[k] = owned ? forkObject(v, seen, depth - 1) : forkField(v, seen);
  }
  return c as T;
}

/**
 * A context the rest of a boot can run on without changing `ctx`: the memmap (runs, block layer, events, interned
 * states) and early_pfn_to_nid()'s one-entry cache are copied, every array and map of the context too; the layout,
 * the arch, the memblock (kho_memory_init replaces it with a copy holding the preserved blocks) and other read-only
 * facts are shared (so caches keyed by them, as src/check's,
 * are shared too).
 */
export function forkContext(ctx: SimContext): SimContext {
  const c = { ...ctx } as unknown as Mutable;
  const seen = new Map<object, unknown>();
  for (const k of Reflect.ownKeys(c)) c[k] = forkField(c[k], seen);
  // the memmap's own helpers (cursors over its columns) are its state too: forked one level down
  c['memmap'] = forkObject(ctx.memmap, seen, 1);
  c['pfnToNid'] = forkObject(ctx.pfnToNid, seen);
  return c as unknown as SimContext;
}
