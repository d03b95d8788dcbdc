// Growable typed columns: k typed arrays filled row by row, for the engine's range and piece lists (a million
// preserved blocks are a few typed arrays, never an object per row). The columns are plain fields the caller
// indexes directly in its hot loop; when they are full, room() replaces each by a larger copy of the same kind.

/**
 * Where new range columns live. Off (the default): ordinary ArrayBuffers. On: SharedArrayBuffers, for a process that
 * hands its finding columns to a thread of its own (src/cli/json-thread.ts, compare --json's writer): such a column
 * goes over as a view of the same memory, where an ordinary one is copied first (on the 8M bench bundle, ~10M ranges
 * for none and ~4M for lazy-tail: ~230 MB copied on the main thread). A column's contents are the same either way;
 * only a column no one writes after it is handed over may be shared (a finding's: see packJson).
 */
let sharedColumns = false;

/** Put the range columns made from now on in shared memory (true) or not; returns the setting before. */
export function shareColumns(on: boolean): boolean {
  const was = sharedColumns;
  sharedColumns = on;
  return was;
}

/** A zeroed Float64Array of n elements, in shared memory when shareColumns() is on. */
export function f64Column(n: number): Float64Array {
  return sharedColumns ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
}

/** A zeroed typed array of n elements of the same kind as `like`, in shared memory when shareColumns() is on. */
export function columnLike<T extends TypedColumn>(like: T, n: number): T {
  const Kind = like.constructor as {
    new (length: number): T;
    new (buffer: SharedArrayBuffer): T;
    readonly BYTES_PER_ELEMENT: number;
  };
  return sharedColumns ? new Kind(new SharedArrayBuffer(n * Kind.BYTES_PER_ELEMENT)) : new Kind(n);
}

/** A column: any typed array of numbers. */
export type TypedColumn =
  Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

type ColumnOf<T extends TypedColumn> = T extends Float64Array
  ? Float64Array
  : T extends Int32Array
    ? Int32Array
    : T extends Uint8Array
      ? Uint8Array
      : T;

/** The arrays' kinds as given, with the wider `ArrayBufferLike` buffers views may have dropped. */
export type Columns<C extends readonly TypedColumn[]> = { -readonly [K in keyof C]: ColumnOf<C[K]> };

/**
 * k typed columns of one capacity and `n` rows in use. Add a row with `const i = row()` then `cols[j][i] = ...`, or
 * room() for several then `cols[j][n] = ...; n++`. Both may replace the columns: a caller that keeps a column in a
 * local reads it again after.
 */
export class GrowableColumns<C extends readonly TypedColumn[]> {
  /** The columns, each of length `capacity`; rows [0, n) are in use. */
  cols: Columns<C>;
  n = 0;

  /** Start from these (empty) columns: their kinds are kept and their common length is the first capacity. */
  constructor(cols: readonly [...C]) {
    const cap = cols.length ? cols[0]!.length : 0;
    for (const c of cols) if (c.length !== cap) throw new RangeError('columns of different lengths');
    this.cols = [...cols] as unknown as Columns<C>;
  }

  get capacity(): number {
    const c = this.cols as readonly TypedColumn[];
    return c.length ? c[0]!.length : 0;
  }

  /** Room for `extra` more rows: when full, every column becomes a copy of capacity max(n + extra, 2 capacity + 16). */
  room(extra = 1): void {
    const need = this.n + extra;
    if (need > this.capacity) this.grow(need);
  }

  /** Add one row at the end (making room when full) and return its index: the caller writes each column there. */
  row(): number {
    const n = this.n;
    if (n === this.capacity) this.grow(n + 1);
    this.n = n + 1;
    return n;
  }

  private grow(need: number): void {
    const cap = Math.max(need, this.capacity * 2 + 16);
    const n = this.n;
    const cols = this.cols as TypedColumn[];
    for (let j = 0; j < cols.length; j++) {
      const old = cols[j]!;
      const c = columnLike(old, cap);
      c.set(old.subarray(0, n) as ArrayLike<number>);
      cols[j] = c;
    }
  }

  /** Rows [0, n) of column j, a view (no copy). */
  used<J extends number>(j: J): Columns<C>[J] {
    const c = (this.cols as TypedColumn[])[j]!;
    return c.subarray(0, this.n) as Columns<C>[J];
  }
}

/** What lazyRanges() and lazyColumns() read when a column is first asked for: the range columns, made once. */
export type MakeRangeColumns = () => { readonly S: Float64Array; readonly E: Float64Array };

/**
 * A range list whose columns are made only when read (issue 10: ranges kept as stretches of another column, the JSON
 * writer's thread writing them out a window at a time): how its columns and count are made, and what it is kept as.
 * `kind` names the stretches' shape (src/core/point-ranges.ts 'points', src/core/run-stretches.ts 'runs'), for the
 * few places that read the stretches themselves (packJson(), a sum of pages); everything else asks lazyListOf().
 */
export interface LazyList {
  readonly cols: MakeRangeColumns;
  readonly n: () => number;
  readonly kind: string;
  readonly stretches: object;
  /** Set for a list the JSON writer writes a window at a time (withWindows()). */
  windows?: RangeWindows;
}

/** The lazy lists, by the object lazyRanges() or lazyColumns() made. */
const lazyLists = new WeakMap<object, LazyList>();

/** The lazy list behind a range list made by lazyRanges() or lazyColumns(), undefined for any other. */
export function lazyListOf(ranges: object): LazyList | undefined {
  return lazyLists.get(ranges);
}

/**
 * Range columns `{ start, end, n }` (src/check/range-buffer.ts Cols, src/sim/memmap.ts EventRanges) made only when
 * read: `start` and `end` by l.cols() (which makes them the first time), `n` by l.n() each time it is read.
 */
export function lazyRanges(l: LazyList): {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly n: number;
} {
  const o = {} as { start: Float64Array; end: Float64Array; n: number };
  Object.defineProperty(o, 'start', { enumerable: true, get: () => l.cols().S });
  Object.defineProperty(o, 'end', { enumerable: true, get: () => l.cols().E });
  Object.defineProperty(o, 'n', { enumerable: true, get: l.n });
  lazyLists.set(o, l);
  return o;
}

/** The same list as a finding's range columns `{ count, starts, ends }` (src/core/ranges.ts RangeColumns). */
export function lazyColumns(l: LazyList): {
  readonly count: number;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
} {
  const o = {} as { count: number; starts: Float64Array; ends: Float64Array };
  Object.defineProperty(o, 'count', { enumerable: true, get: l.n });
  Object.defineProperty(o, 'starts', { enumerable: true, get: () => l.cols().S });
  Object.defineProperty(o, 'ends', { enumerable: true, get: () => l.cols().E });
  lazyLists.set(o, l);
  return o;
}

/**
 * Writes the next ranges of a list, in order, into S and E from row 0 (both of length size + 1 or more: a piece
 * joining the last range of a full window writes S[size], the next start's place) until `size` are whole and the
 * next piece starts another; returns how many (0: none left). Its cursor is its own.
 */
export type RangeFill = (S: Float64Array, E: Float64Array, size: number) => number;

/**
 * The ranges of a lazy list a window of `size` at a time, in order (the JSON writer's thread writes a list from
 * these: src/report/json-stream.ts rangeRows), instead of columns of all of them. After at(i), S[r] and E[r] for
 * r < m are ranges base + r; a window ends before a range that the next piece could still extend, so each is whole.
 * `open` starts a fill from the list's first range.
 */
export class RangeWindows {
  readonly S: Float64Array;
  readonly E: Float64Array;
  base = 0;
  m = 0;
  private fill: RangeFill;
  constructor(
    private readonly open: () => RangeFill,
    private readonly size = 1 << 14,
  ) {
    this.S = new Float64Array(size + 1);
    this.E = new Float64Array(size + 1);
    this.fill = open();
  }

  /** Make the window hold range i: the windows from the current one on, or (i before it) from the first. */
  at(i: number): void {
    if (i < this.base) {
      this.base = 0;
      this.m = 0;
      this.fill = this.open();
    }
    while (i >= this.base + this.m) {
      this.base += this.m;
      this.m = this.fill(this.S, this.E, this.size);
      if (this.m === 0) throw new RangeError(`range ${i} asked of a list of ${this.base}`);
    }
  }
}

/** `ranges` (a lazy list's) to be written a window at a time by `w`; returns ranges. */
export function withWindows<T extends object>(ranges: T, w: RangeWindows): T {
  const l = lazyLists.get(ranges);
  if (l === undefined) throw new TypeError('windows asked for a range list that is not a lazy one');
  // (a list of its own: the windows are the writer's, not those of other lists of the same stretches)
  lazyLists.set(ranges, { ...l, windows: w });
  return ranges;
}

/** The windows a list made by withWindows() is written from, undefined for any other. */
export function rangeWindowsOf(ranges: object): RangeWindows | undefined {
  return lazyLists.get(ranges)?.windows;
}
