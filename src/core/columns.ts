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
 * Range columns `{ start, end, n }` (src/check/range-buffer.ts Cols, src/sim/memmap.ts EventRanges) made only when
 * read: `start` and `end` by cols() (which makes them the first time), `n` by n() each time it is read.
 */
export function lazyRanges(
  cols: MakeRangeColumns,
  n: () => number,
): { readonly start: Float64Array; readonly end: Float64Array; readonly n: number } {
  const o = {} as { start: Float64Array; end: Float64Array; n: number };
  Object.defineProperty(o, 'start', { enumerable: true, get: () => cols().S });
  Object.defineProperty(o, 'end', { enumerable: true, get: () => cols().E });
  Object.defineProperty(o, 'n', { enumerable: true, get: n });
  return o;
}

/** The same as a finding's range columns `{ count, starts, ends }` (src/core/ranges.ts RangeColumns). */
export function lazyColumns(
  cols: MakeRangeColumns,
  n: () => number,
): { readonly count: number; readonly starts: Float64Array; readonly ends: Float64Array } {
  const o = {} as { count: number; starts: Float64Array; ends: Float64Array };
  Object.defineProperty(o, 'count', { enumerable: true, get: n });
  Object.defineProperty(o, 'starts', { enumerable: true, get: () => cols().S });
  Object.defineProperty(o, 'ends', { enumerable: true, get: () => cols().E });
  return o;
}
