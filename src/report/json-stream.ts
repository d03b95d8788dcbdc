// Every --json document written as a stream of chunks (issue 10): the text is exactly JSON.stringify(doc, null, 2)
// (the documents' contract: byte-identical output), but neither the whole document nor a finding's range list is
// ever one string. An 8M-block `inspect --json` is 1.3 GB of text; V8 strings stop near 512 MiB.
//
// The writer is pure: it yields chunks (jsonChunks) or hands them to a sink callback (writeJson); the CLI owns the
// file descriptor, waits for the reader between chunks (backpressure) and stops when the reader has gone.
//
// Two kinds of value stand in a document for arrays too long to hold as objects, and are written element by
// element straight from columns:
// - jsonRanges(ranges): half-open ranges written as `[start, end]` pairs. It takes one small interface,
//   RangesLike (src/core/ranges.ts): today's `Range[]` (objects with start/end) or typed range columns
//   `{ count, starts, ends }` (issue 10's findings), read by index, never copied.
// - jsonTable(length, columns): an array of flat objects given as one column per key (a typed array, a
//   dictionary-coded string column, or a function of the index): `inspect`'s preserved blocks, no object per block.
// Both carry a toJSON(), so JSON.stringify() of a document that holds them prints the same text (tests, small
// documents), and both are iterable.
import type { Range, RangesLike } from '../core/ranges.js';
import { rangeCount } from '../core/ranges.js';
import { rangeWindowsOf } from '../core/columns.js';
import { pointStretches, pointStretchesOf, pointWindowColumns } from '../core/point-ranges.js';
import { runStretches, runStretchesOf, runWindowColumns } from '../core/run-stretches.js';

/**
 * Receives the text in order, as strings or (a table's rows) UTF-8 bytes; returning false stops the writer (the
 * reader went away).
 */
export type JsonSink = (chunk: JsonChunk) => boolean | void;

/** A piece of the text: a string, or UTF-8 bytes (whole characters: a chunk never splits one). */
export type JsonChunk = string | Uint8Array;

const STREAMED = Symbol('json-stream');

/** Ranges written as `[start, end]` pairs, straight from the range list. */
export interface JsonRanges extends Iterable<[number, number]> {
  readonly [STREAMED]: 'ranges';
  readonly length: number;
  readonly ranges: RangesLike;
  at(i: number): [number, number];
  toJSON(): [number, number][];
}

export function jsonRanges(ranges: RangesLike): JsonRanges {
  const at: (i: number) => [number, number] = isRangeArray(ranges)
    ? (i) => [ranges[i]!.start, ranges[i]!.end]
    : (i) => [ranges.starts[i]!, ranges.ends[i]!];
  // the count read when the list is written (a list of point ranges counts them then: src/core/point-ranges.ts)
  let length = -1;
  const count = (): number => (length >= 0 ? length : (length = rangeCount(ranges)));
  return {
    [STREAMED]: 'ranges',
    get length(): number {
      return count();
    },
    ranges,
    at,
    toJSON: () => Array.from({ length: count() }, (_, i) => at(i)),
    *[Symbol.iterator]() {
      for (let i = 0; i < count(); i++) yield at(i);
    },
  };
}

/**
 * An array whose element i is asked for (`get(i)`) only when the writer reaches it, in order, after the text before
 * it has been handed on: a document whose parts are ready at different times (compare's strategies, one after the
 * other) is written while the later parts are still being made. `get` may block (src/cli/json-thread.ts waits for
 * the part there).
 */
export interface JsonLater extends Iterable<unknown> {
  readonly [STREAMED]: 'later';
  readonly length: number;
  readonly get: (i: number) => unknown;
  toJSON(): unknown[];
}

export function jsonLater(length: number, get: (i: number) => unknown): JsonLater {
  return { [STREAMED]: 'later', length, get, ...materialise(length, get) };
}

/** A value a table cell may hold; undefined leaves the member out, as JSON.stringify does. */
export type JsonCell = string | number | boolean | null | undefined;

/**
 * The codes of a dictionary column as runs of one code: rows [ends[k - 1], ends[k]) hold codes[k] (ends[-1] = 0),
 * `ends` ascending, the last one the table's length. A column whose neighbouring rows mostly share a code (inspect's
 * owners: 8M blocks, 1,798 runs) is then a few runs, not a code per row.
 */
export interface JsonCodeRuns {
  readonly ends: ArrayLike<number>;
  readonly codes: ArrayLike<number>;
}

/**
 * One column of a table: a typed (or plain) array of numbers, a dictionary-coded string column (`names[codes[i]]`,
 * so a million cells of a few distinct strings are a few strings; the codes per row, or as runs), or a function of
 * the row.
 */
export type JsonColumn =
  | ArrayLike<number>
  | { readonly codes: ArrayLike<number>; readonly names: readonly (string | undefined)[] }
  | { readonly runs: JsonCodeRuns; readonly names: readonly (string | undefined)[] }
  | ((i: number) => JsonCell);

/** An array of flat objects, one member per column, in the columns' order. */
export interface JsonTable<T> extends Iterable<T> {
  readonly [STREAMED]: 'table';
  readonly length: number;
  readonly columns: Readonly<Record<string, JsonColumn>>;
  at(i: number): T;
  toJSON(): T[];
}

export function jsonTable<T extends Record<string, JsonCell>>(
  length: number,
  columns: { readonly [K in keyof T]-?: JsonColumn },
): JsonTable<T> {
  const cols = columns as Readonly<Record<string, JsonColumn>>;
  const keys = Object.keys(cols);
  const cells = keys.map((k) => cellReader(cols[k]!));
  const at = (i: number): T => {
    const o: Record<string, JsonCell> = {};
    for (let c = 0; c < keys.length; c++) {
      const v = cells[c]!(i);
      if (v !== undefined) o[keys[c]!] = v;
    }
    return o as T;
  };
  return { [STREAMED]: 'table', length, columns: cols, at, ...materialise(length, at) };
}

function materialise<T>(
  length: number,
  at: (i: number) => T,
): { toJSON(): T[]; [Symbol.iterator](): Iterator<T> } {
  return {
    toJSON: () => Array.from({ length }, (_, i) => at(i)),
    *[Symbol.iterator]() {
      for (let i = 0; i < length; i++) yield at(i);
    },
  };
}

function cellReader(col: JsonColumn): (i: number) => JsonCell {
  if (typeof col === 'function') return col;
  if ('codes' in col) return (i) => col.names[col.codes[i]!];
  if ('runs' in col) return (i) => col.names[col.runs.codes[runAt(col.runs.ends, i)]!];
  return (i) => col[i];
}

/** The run holding row i: the first k with ends[k] > i (the last run for a row past the end). */
function runAt(ends: ArrayLike<number>, i: number): number {
  let lo = 0;
  let hi = ends.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[mid]! > i) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A run-coded group's run holding row i, found from the run it looked at last (rows are written in order). */
function segRun(g: Seg, i: number): number {
  const ends = g.runs!.ends;
  const at = g.run!;
  let k = at[0]!;
  if (k > 0 && ends[k - 1]! > i) k = runAt(ends, i);
  else while (k < ends.length - 1 && ends[k]! <= i) k++;
  at[0] = k;
  return k;
}

/** The code of row i in a dictionary group: its codes column, or its runs. */
function segCode(g: Seg, i: number): number {
  return g.codes !== null ? g.codes[i]! : g.runs!.codes[segRun(g, i)]!;
}

function isRangeArray(r: RangesLike): r is readonly Range[] {
  return Array.isArray(r);
}

function streamedKind(v: object): 'ranges' | 'table' | 'later' | undefined {
  return (v as { [STREAMED]?: 'ranges' | 'table' | 'later' })[STREAMED];
}

export interface JsonChunkOptions {
  /** How much text a chunk holds before it is handed on (characters, or bytes of table rows). Default 64 Ki. */
  readonly chunkChars?: number;
  /**
   * Quotes a string (a member name or a string value): JSON.stringify(s) by default. The CLI passes one that also
   * escapes what a terminal would act on (src/core/escape.ts), the same bytes as escaping the whole text, since
   * JSON outside its strings is ASCII punctuation, digits, spaces and newlines.
   */
  readonly quote?: (s: string) => string;
  /**
   * Table rows are written into one buffer, reused for the next chunk of rows, instead of a new one per chunk (a
   * GB-sized table otherwise allocates and zeroes its size in buffers, and V8 collects garbage for each few of
   * them). Only for a consumer that is done with a chunk's bytes (has written them out, not queued them) before it
   * asks for the next chunk.
   */
  readonly reuseBuffer?: boolean;
}

export const JSON_CHUNK_CHARS = 1 << 16;

const FRAME = { OBJECT: 0, ARRAY: 1, RANGES: 2, TABLE: 3, LATER: 4 } as const;
type FrameKind = (typeof FRAME)[keyof typeof FRAME];

interface Frame {
  readonly kind: FrameKind;
  /** Nesting depth of the container (the root is 0); its members are indented by depth + 1 steps. */
  readonly depth: number;
  readonly length: number;
  /** Next member to look at, and members written so far (an object's undefined members are left out). */
  i: number;
  written: number;
  /** OBJECT: the object and its keys; ARRAY: the array; RANGES: the range list; TABLE: the table; LATER: the later. */
  readonly source: unknown;
  readonly keys: readonly string[] | null;
  /** TABLE: its columns made ready for writing, on the first rows. */
  table?: PreparedTable;
  /** RANGES: the bytes around a pair's numbers, on the first pairs. */
  pairs?: PairShape;
  /** The templates of the pairs written a run at a time (pairRun). */
  pairStamp?: PairStamp;
}

/** A `[start, end]` pair's bytes around its two numbers, at the pair's depth. */
interface PairShape {
  /** Before the first pair's start, and before any other's (a comma first). */
  readonly open0: Uint8Array;
  readonly openN: Uint8Array;
  /** Between start and end. */
  readonly mid: Uint8Array;
  /** After end. */
  readonly close: Uint8Array;
  /** A bound on one pair's bytes: its punctuation and two numbers as long as String() prints any (null, 1e+21...). */
  readonly maxRowBytes: number;
}

function pairShape(inner: string, pair: string): PairShape {
  const openN = utf8(',' + inner + '[' + pair);
  const mid = utf8(',' + pair);
  const close = utf8(inner + ']');
  return {
    open0: utf8(inner + '[' + pair),
    openN,
    mid,
    close,
    maxRowBytes: openN.length + mid.length + close.length + 2 * MAX_NUMBER_CHARS,
  };
}

/** The longest String(v) of a number, -1.7976931348623157e+308 (24 characters), rounded up. */
const MAX_NUMBER_CHARS = 32;

/**
 * The text of JSON.stringify(value, null, 2) as a sequence of chunks of about `chunkChars` characters (a chunk
 * ends between two members, so a single long string may make a longer one). Iterative, so neither the depth of
 * the document nor the length of an array grows the call stack.
 */
export function* jsonChunks(
  value: unknown,
  opts: JsonChunkOptions = {},
): Generator<JsonChunk, void, undefined> {
  const chunkChars = opts.chunkChars ?? JSON_CHUNK_CHARS;
  const reuse = opts.reuseBuffer === true;
  let reusable = new Uint8Array(0);
  const quote = cachedQuote(opts.quote ?? JSON.stringify);
  let buf = '';
  const stack: Frame[] = [];
  const indents: string[] = [];
  const indent = (depth: number): string => (indents[depth] ??= '\n' + '  '.repeat(depth));
  const frame = (
    kind: FrameKind,
    depth: number,
    length: number,
    source: unknown,
    keys: readonly string[] | null,
  ) => stack.push({ kind, depth, length, i: 0, written: 0, source, keys });

  // Writes a value (after toJSON) at `depth`: a primitive at once, or a container's opening bracket (its members
  // follow from the loop below). Returns false for what JSON leaves out (undefined, functions, symbols).
  const open = (v: unknown, depth: number): boolean => {
    switch (typeof v) {
      case 'string':
        buf += quote(v);
        return true;
      case 'number':
        buf += Number.isFinite(v) ? String(v) : 'null';
        return true;
      case 'boolean':
        buf += v ? 'true' : 'false';
        return true;
      case 'bigint':
        throw new TypeError('Do not know how to serialize a BigInt');
      case 'object':
        break;
      default:
        return false;
    }
    if (v === null) {
      buf += 'null';
      return true;
    }
    if (v instanceof Number || v instanceof String || v instanceof Boolean) return open(v.valueOf(), depth);
    const streamed = streamedKind(v);
    if (streamed === 'ranges') {
      const r = v as JsonRanges;
      buf += '[';
      frame(FRAME.RANGES, depth, r.length, r.ranges, null);
    } else if (streamed === 'table') {
      const t = v as JsonTable<unknown>;
      buf += '[';
      frame(FRAME.TABLE, depth, t.length, t, Object.keys(t.columns));
    } else if (streamed === 'later') {
      const l = v as JsonLater;
      buf += '[';
      frame(FRAME.LATER, depth, l.length, l, null);
    } else if (Array.isArray(v)) {
      buf += '[';
      frame(FRAME.ARRAY, depth, v.length, v, null);
    } else {
      buf += '{';
      const keys = Object.keys(v);
      frame(FRAME.OBJECT, depth, keys.length, v, keys);
    }
    return true;
  };

  if (!open(toJson(value, ''), 0)) return; // JSON.stringify(undefined) is undefined: no text at all
  while (stack.length > 0) {
    if (buf.length >= chunkChars) {
      yield buf;
      buf = '';
    }
    const f = stack[stack.length - 1]!;
    if (f.i === f.length) {
      // `{` + `}` is JSON's `{}` for an object whose members were all left out, `[]` for an empty array
      buf += (f.written > 0 ? indent(f.depth) : '') + (f.kind === FRAME.OBJECT ? '}' : ']');
      stack.pop();
      continue;
    }
    const inner = indent(f.depth + 1);
    switch (f.kind) {
      case FRAME.OBJECT: {
        const k = f.keys![f.i++]!;
        const m = toJson((f.source as Record<string, unknown>)[k], k);
        if (m === undefined || typeof m === 'function' || typeof m === 'symbol') break;
        buf += (f.written++ === 0 ? inner : ',' + inner) + quote(k) + ': ';
        open(m, f.depth + 1);
        break;
      }
      case FRAME.ARRAY: {
        const i = f.i++;
        buf += f.written++ === 0 ? inner : ',' + inner;
        if (!open(toJson((f.source as unknown[])[i], String(i)), f.depth + 1)) buf += 'null';
        break;
      }
      case FRAME.LATER: {
        // the text so far goes out before the element is asked for (get may wait for it)
        const i = f.i++;
        buf += f.written++ === 0 ? inner : ',' + inner;
        yield buf;
        buf = '';
        if (!open(toJson((f.source as JsonLater).get(i), String(i)), f.depth + 1)) buf += 'null';
        break;
      }
      case FRAME.RANGES:
        // pairs go out as UTF-8 bytes (rangeRows), after the text so far
        if (buf.length > 0) {
          yield buf;
          buf = '';
        }
        yield rangeRows(f, inner);
        break;
      case FRAME.TABLE:
        // rows go out as UTF-8 bytes (tableRows): the text so far first, to keep the order
        if (buf.length > 0) {
          yield buf;
          buf = '';
        }
        yield tableRows(f, inner);
        break;
    }
  }
  if (buf.length > 0) yield buf;

  // [start, end] pairs as UTF-8 bytes, about a chunk's worth, without an array or a string per pair: a finding may
  // hold a range per block (8M blocks: ~1.2 GB of text), and pairs concatenated into a string cost a rope node per
  // piece, the flattening and then the string's UTF-8 encoding on the way out, 3-4x the time of writing the digits
  function rangeRows(f: Frame, inner: string): Uint8Array {
    const s = (f.pairs ??= pairShape(inner, indent(f.depth + 2)));
    const { open0, openN, mid, close } = s;
    const size = chunkChars + s.maxRowBytes + 64;
    let out: Uint8Array;
    if (reuse) out = reusable.length >= size ? reusable : (reusable = new Uint8Array(size));
    else out = new Uint8Array(size);
    const r = f.source as RangesLike;
    let pos = 0;
    let i = f.i;
    if (isRangeArray(r)) {
      for (; i < f.length && pos < chunkChars; i++) {
        pos = put(out, pos, i === 0 ? open0 : openN);
        pos = putNumber(out, pos, r[i]!.start);
        pos = put(out, pos, mid);
        pos = putNumber(out, pos, r[i]!.end);
        pos = put(out, pos, close);
      }
    } else if (rangeWindowsOf(r)) {
      // a packed point list or run stretches (unpackJson): its ranges made a window at a time, rows [base, base + m)
      // of the list, and written as the columns below are, with the row numbers of the window
      const w = rangeWindowsOf(r)!;
      const st = (f.pairStamp ??= newPairStamp(s));
      while (i < f.length && pos < chunkChars) {
        w.at(i);
        const base = w.base;
        const S = w.S;
        const E = w.E;
        const lim = Math.min(f.length, base + w.m) - base;
        let k = i - base;
        while (k < lim && pos < chunkChars) {
          if (k + base > 0) {
            const rows = pairRun(st, out, pos, k, lim, chunkChars, S, E);
            if (rows > 0) {
              pos = st.pos;
              k += rows;
              continue;
            }
          }
          pos = put(out, pos, k + base === 0 ? open0 : openN);
          pos = putNumber(out, pos, S[k]!);
          pos = put(out, pos, mid);
          pos = putNumber(out, pos, E[k]!);
          pos = put(out, pos, close);
          k++;
        }
        i = k + base;
      }
    } else {
      const { starts, ends } = r;
      const st = (f.pairStamp ??= newPairStamp(s));
      while (i < f.length && pos < chunkChars) {
        // this pair and the ones after it of the same digit counts, copied from a template a block at a time and
        // their digits written a column at a time (pairRun); the first pair, a number with no template, one by one
        if (i > 0) {
          const rows = pairRun(st, out, pos, i, f.length, chunkChars, starts, ends);
          if (rows > 0) {
            pos = st.pos;
            i += rows;
            continue;
          }
        }
        pos = put(out, pos, i === 0 ? open0 : openN);
        pos = putNumber(out, pos, starts[i]!);
        pos = put(out, pos, mid);
        pos = putNumber(out, pos, ends[i]!);
        pos = put(out, pos, close);
        i++;
      }
    }
    f.written = f.i = i;
    return out.subarray(0, pos);
  }

  // Rows of a table as UTF-8 bytes, about a chunk's worth: member names, brackets and dictionary names encoded once
  // per table, numbers written two digits at a time. A row is ~100 bytes and a table may have tens of millions of
  // them: no string, object or closure per row, and (prepareTable) as few copies per row as its columns allow.
  function tableRows(f: Frame, inner: string): Uint8Array {
    const p = (f.table ??= prepareTable(
      f.source as JsonTable<unknown>,
      f.keys!,
      inner,
      indent(f.depth + 2),
      quote,
    ));
    const { segs, open0, openN, close, fixedRowBytes, hasFn, numFirst } = p;
    const nsegs = segs.length;
    const start = numFirst ? 1 : 0;
    const nums0 = numFirst ? segs[0]!.nums! : null;
    const size = chunkChars + fixedRowBytes + 64;
    let out: Uint8Array;
    if (reuse) out = reusable.length >= size ? reusable : (reusable = new Uint8Array(size));
    else out = new Uint8Array(size);
    let pos = 0;
    let i = f.i;
    for (; i < f.length && pos < chunkChars; i++) {
      // room for the row: a fixed bound, plus what the function columns print for it
      let need = fixedRowBytes;
      if (hasFn)
        for (let s = 0; s < nsegs; s++) if (segs[s]!.kind === SEG.FN) need += fnBytes(p, s, i)?.length ?? 0;
      if (pos + need > out.length) {
        const grown = new Uint8Array(Math.max(out.length * 2, pos + need));
        grown.set(out.subarray(0, pos));
        out = grown;
        if (reuse) reusable = grown;
      }
      if (p.stamp !== null && i > 0) {
        // this row and the ones after it of the same shape, as many as start within the chunk
        const rows = stampRun(p.stamp, out, pos, i, f.length, chunkChars);
        if (rows > 0) {
          pos = p.stamp.pos;
          i += rows - 1;
          continue;
        }
      }
      // n: members written so far in this row (the first goes without a comma)
      let n = 0;
      if (nums0 !== null) {
        pos = put(out, pos, i === 0 ? p.open0First : p.openNFirst);
        pos = putNumber(out, pos, nums0[i]!);
        n = 1;
      } else pos = put(out, pos, i === 0 ? open0 : openN);
      let closed = false;
      for (let s = start; s < nsegs; s++) {
        const g = segs[s]!;
        if (g.kind === SEG.NUM) {
          pos = put(out, pos, n === 0 ? g.first! : g.next!);
          pos = putNumber(out, pos, g.nums![i]!);
          n = 1;
        } else if (g.kind === SEG.DICT) {
          // the group's members for this row's code, the row's end included when the group is last
          const code = segCode(g, i);
          const bytes =
            (n === 0 ? g.firstByCode! : g.nextByCode!)[code] ?? (n === 0 ? g.firstNone! : g.nextNone!);
          pos = put(out, pos, bytes);
          if (g.closes) closed = true;
          else if (bytes.length > 0) n = 1;
        } else {
          const v = fnBytes(p, s, i);
          if (v === undefined) continue;
          pos = put(out, pos, n === 0 ? g.first! : g.next!);
          pos = put(out, pos, v);
          n = 1;
        }
      }
      if (closed) continue;
      if (n > 0) pos = put(out, pos, close);
      else out[pos++] = 0x7d; // `}`
    }
    f.written = f.i = i;
    return out.subarray(0, pos);
  }
}

const SEG = { NUM: 0, DICT: 1, FN: 2 } as const;

/**
 * A piece of a row: a number column, a function column, or a group of neighbouring dictionary columns that share
 * one codes array (inspect's owner, session and token), whose members for each code are joined once per table.
 * One shape for all three, so the row loop reads its fields from one hidden class.
 */
interface Seg {
  readonly kind: (typeof SEG)[keyof typeof SEG];
  /** NUM and FN: the member's name with the indent before it, as the row's first member and after a comma. */
  readonly first: Uint8Array | null;
  readonly next: Uint8Array | null;
  readonly nums: ArrayLike<number> | null;
  readonly fn: ((i: number) => JsonCell) | null;
  /**
   * DICT: the group's codes per row, or (codes null) as runs, and then `run[0]`: the run a row was last found in (a
   * typed array slot, not a field written per look-up: such a store changed the shape V8 had assumed for these
   * objects, and the look-ups then cost ~0.4 us each, 111k of them at 8M rows).
   */
  readonly codes: ArrayLike<number> | null;
  readonly runs: JsonCodeRuns | null;
  readonly run: Int32Array | null;
  /** DICT: the group's members for each code (empty when all are left out), as first members and after a comma. */
  readonly firstByCode: Uint8Array[] | null;
  readonly nextByCode: Uint8Array[] | null;
  /** DICT: the bytes for a code no column names (every member left out). */
  readonly firstNone: Uint8Array | null;
  readonly nextNone: Uint8Array | null;
  /** DICT: the last piece of the row, so its bytes end the row too (`\n    }`, or `}` for a row with no member). */
  readonly closes: boolean;
}

/**
 * Rows stamped from templates: when a row starts with a number and has only number and dictionary columns, its
 * bytes are fixed by the digit count of each number and the code of each dictionary group, so each such shape is
 * laid out once (with room for the digits) and a row is one copy of its shape plus its digits. Rows of a table
 * mostly share a shape with the row before (8M preserved blocks: a handful of shapes).
 */
interface Stamp {
  readonly nums: ArrayLike<number>[];
  /** The dictionary groups (their codes: segCode). */
  readonly dicts: Seg[];
  readonly ncodes: number[];
  /** This row's numbers, read once for the key and once for the digits. */
  readonly vals: Float64Array;
  /** The run's bounds per number (lo <= v < hi), and 1 for a column that holds whole numbers only (an integer array). */
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly whole: Uint8Array;
  readonly shapes: Map<number, Shape>;
  lastKey: number;
  last: Shape | null;
  /** Scratch: the key rowKey() worked out, and where stampRun() stopped writing. */
  key: number;
  /** Scratch: the run's first row's codes. */
  readonly codeVals: Float64Array;
  /** A DataView of the output buffer `viewOf` (a 4-digit group is one 32-bit store). */
  view: DataView | null;
  viewOf: Uint8Array | null;
  pos: number;
  readonly p: PreparedTable;
}

/** One row shape: its bytes, with room (or the last digits written) where its numbers go. */
interface Shape {
  readonly bytes: Uint8Array;
  /** Where each number's digits end in `bytes`. */
  readonly ends: Int32Array;
  /** Each number's digits above the last 8 (floor(v / 10^8)) as they stand in `bytes`; -1 for none yet. */
  readonly highs: Float64Array;
}

/** A table's columns as row pieces, its member names and brackets as bytes: made once per table. */
interface PreparedTable {
  /** Set when the rows after the first can be stamped from templates. */
  stamp: Stamp | null;
  readonly segs: Seg[];
  readonly open0: Uint8Array;
  readonly openN: Uint8Array;
  /** When the first piece is a number column: the row's opening joined with that member's name. */
  readonly numFirst: boolean;
  readonly open0First: Uint8Array;
  readonly openNFirst: Uint8Array;
  readonly close: Uint8Array;
  /** A row's most bytes without its function columns' values. */
  readonly fixedRowBytes: number;
  readonly hasFn: boolean;
  readonly quote: (s: string) => string;
  /** The last function cell encoded (its row and piece), used twice per row: sized, then written. */
  fnRow: number;
  fnSeg: number;
  fnValue: Uint8Array | undefined;
}

function prepareTable(
  t: JsonTable<unknown>,
  keys: readonly string[],
  inner: string,
  member: string,
  quote: (s: string) => string,
): PreparedTable {
  const first = (k: string) => utf8(member + quote(k) + ': ');
  const next = (k: string) => utf8(',' + member + quote(k) + ': ');
  const open0 = utf8(inner + '{');
  const openN = utf8(',' + inner + '{');
  const close = utf8(inner + '}');
  const blank: Seg = {
    kind: SEG.NUM,
    first: null,
    next: null,
    nums: null,
    fn: null,
    codes: null,
    runs: null,
    run: null,
    firstByCode: null,
    nextByCode: null,
    firstNone: null,
    nextNone: null,
    closes: false,
  };
  const segs: Seg[] = [];
  let fixed = openN.length + close.length;
  for (let c = 0; c < keys.length;) {
    const col = t.columns[keys[c]!]!;
    if (typeof col === 'function') {
      segs.push({ ...blank, kind: SEG.FN, first: first(keys[c]!), next: next(keys[c]!), fn: col });
      fixed += segs[segs.length - 1]!.next!.length;
      c++;
    } else if ('codes' in col || 'runs' in col) {
      // this column and the dictionary columns after it with the same codes array (or runs): one group
      const codes = 'codes' in col ? col.codes : null;
      const runs = 'runs' in col ? col.runs : null;
      const group: { key: string; names: readonly (string | undefined)[] }[] = [];
      for (; c < keys.length; c++) {
        const d = t.columns[keys[c]!]!;
        if (typeof d === 'function') break;
        if ('codes' in d ? d.codes !== codes : !('runs' in d) || d.runs !== runs) break;
        group.push({ key: keys[c]!, names: (d as { names: readonly (string | undefined)[] }).names });
      }
      const ncodes = Math.max(...group.map((g) => g.names.length));
      const firstByCode: Uint8Array[] = [];
      const nextByCode: Uint8Array[] = [];
      for (let code = 0; code < ncodes; code++) {
        let asFirst = '';
        let asNext = '';
        for (const g of group) {
          const v = g.names[code];
          if (v === undefined) continue;
          asFirst += (asFirst === '' ? member : ',' + member) + quote(g.key) + ': ' + quote(v);
          asNext += ',' + member + quote(g.key) + ': ' + quote(v);
        }
        firstByCode.push(utf8(asFirst));
        nextByCode.push(utf8(asNext));
      }
      const none = new Uint8Array(0);
      segs.push({
        ...blank,
        kind: SEG.DICT,
        codes,
        runs,
        run: runs !== null ? new Int32Array(1) : null,
        firstByCode,
        nextByCode,
        firstNone: none,
        nextNone: none,
      });
      fixed += nextByCode.reduce((m, b) => Math.max(m, b.length), 0);
    } else {
      segs.push({ ...blank, kind: SEG.NUM, first: first(keys[c]!), next: next(keys[c]!), nums: col });
      fixed += segs[segs.length - 1]!.next!.length + 24; // the longest number text: `-1.2345678901234567e+308`
      c++;
    }
  }
  // a dictionary group at the end of the row carries the row's end
  const last = segs[segs.length - 1];
  if (last?.kind === SEG.DICT) {
    const withEnd = (b: Uint8Array, written: boolean): Uint8Array => {
      const end = written ? close : utf8('}');
      const out = new Uint8Array(b.length + end.length);
      out.set(b);
      out.set(end, b.length);
      return out;
    };
    segs[segs.length - 1] = {
      ...last,
      // as the first member: `}` alone when the group writes nothing (a row whose members are all left out)
      firstByCode: last.firstByCode!.map((b) => withEnd(b, b.length > 0)),
      nextByCode: last.nextByCode!.map((b) => withEnd(b, true)),
      firstNone: withEnd(last.firstNone!, false),
      nextNone: withEnd(last.nextNone!, true),
      closes: true,
    };
  }
  const numFirst = segs[0]?.kind === SEG.NUM;
  const join = (a: Uint8Array, b: Uint8Array | null): Uint8Array => {
    const out = new Uint8Array(a.length + (b?.length ?? 0));
    out.set(a);
    if (b) out.set(b, a.length);
    return out;
  };
  const p: PreparedTable = {
    stamp: null,
    segs,
    open0,
    openN,
    numFirst,
    open0First: numFirst ? join(open0, segs[0]!.first) : open0,
    openNFirst: numFirst ? join(openN, segs[0]!.first) : openN,
    close,
    fixedRowBytes: fixed,
    hasFn: segs.some((g) => g.kind === SEG.FN),
    quote,
    fnRow: -1,
    fnSeg: -1,
    fnValue: undefined,
  };
  if (numFirst && !p.hasFn) {
    const ncodes = segs.filter((g) => g.kind === SEG.DICT).map((g) => g.nextByCode!.length);
    const nnums = segs.filter((g) => g.kind === SEG.NUM).length;
    // the shape key is a mixed-radix number: 17 digit counts per number column, one code per group
    const keys = ncodes.reduce((m, c) => m * c, 17 ** nnums);
    if (keys <= Number.MAX_SAFE_INTEGER) {
      p.stamp = {
        nums: segs.filter((g) => g.kind === SEG.NUM).map((g) => g.nums!),
        dicts: segs.filter((g) => g.kind === SEG.DICT),
        ncodes,
        vals: new Float64Array(nnums),
        lo: new Float64Array(nnums),
        hi: new Float64Array(nnums),
        whole: Uint8Array.from(
          segs.filter((g) => g.kind === SEG.NUM),
          (g) => (isIntegerArray(g.nums!) ? 1 : 0),
        ),
        shapes: new Map(),
        lastKey: -1,
        last: null,
        key: 0,
        pos: 0,
        codeVals: new Float64Array(ncodes.length),
        view: null,
        viewOf: null,
        p,
      };
    }
  }
  return p;
}

/**
 * Row `i`'s numbers into st.vals and its shape key into st.key; false when a value has no template (not a whole
 * number below 2^53, a code outside the names).
 */
function rowKey(st: Stamp, i: number): boolean {
  const { nums, dicts, ncodes, vals } = st;
  let key = 0;
  for (let k = 0; k < nums.length; k++) {
    const v = nums[k]![i]!;
    if (!(v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v))) return false;
    vals[k] = v;
    key = key * 17 + digitCount(v);
  }
  for (let k = 0; k < dicts.length; k++) {
    const c = segCode(dicts[k]!, i);
    if (!(c >= 0 && c < ncodes[k]! && Number.isInteger(c))) return false;
    key = key * ncodes[k]! + c;
  }
  st.key = key;
  return true;
}

/**
 * Write rows i, i+1, ... (not the first row of the table) while they have row i's shape and the same digits above
 * the last 8 of each number, and start before `chunkChars`. Returns the rows written (0 when row i has no template)
 * and leaves the position after them in st.pos.
 *
 * Each row's numbers are read once: the template is copied ahead for a block of rows (doubling with copyWithin, at
 * most STAMP_BLOCK rows a copy), then the block is filled in a column at a time (stampColumn: one tight loop per
 * number column, its bounds in locals), each row checked against the run's bounds as its digits are written. A row
 * that leaves the run ends it; its slot and the copies after it are written over by whatever comes next.
 */
function stampRun(
  st: Stamp,
  out: Uint8Array,
  pos: number,
  i: number,
  length: number,
  chunkChars: number,
): number {
  if (!rowKey(st, i)) return 0;
  const key = st.key;
  let shape = st.last;
  if (key !== st.lastKey || shape === null) {
    shape = st.shapes.get(key) ?? null;
    if (shape === null) st.shapes.set(key, (shape = layoutShape(st, i)));
    st.lastKey = key;
    st.last = shape;
  }
  const { bytes, ends, highs } = shape;
  const { nums, vals, lo, hi, whole } = st;
  const nn = ends.length;
  // Digits above the last 8 change rarely from row to row (sorted addresses): they are kept in the template and
  // rewritten there only when they change. A row stays in the run while each number keeps those digits (a number
  // of 10^8 or more) or its digit count (a smaller one): lo <= v < hi.
  for (let k = 0; k < nn; k++) {
    const v = vals[k]!;
    if (v >= E8) {
      const h = Math.floor(v / E8);
      if (h !== highs[k]) {
        putDigitsBefore(bytes, ends[k]! - 8, h);
        highs[k] = h;
      }
      lo[k] = h * E8;
      hi[k] = Math.min(lo[k]! + E8, Number.MAX_SAFE_INTEGER + 1);
    } else {
      const d = smallDigits(v);
      lo[k] = d === 1 ? 0 : POW10[d - 1]!;
      hi[k] = POW10[d]!;
    }
  }
  const len = bytes.length;
  const most = Math.min(length - i, Math.ceil((chunkChars - pos) / len));
  const { dicts, codeVals } = st;
  const nc = dicts.length;
  // rows [i, i + limit) share row i's codes in every run-coded group: up to the end of the shortest run
  let limit = most;
  for (let k = 0; k < nc; k++) {
    const g = dicts[k]!;
    if (g.codes !== null) codeVals[k] = g.codes[i]!;
    else {
      const run = segRun(g, i);
      codeVals[k] = g.runs!.codes[run]!;
      limit = Math.min(limit, g.runs!.ends[run]! - i);
    }
  }
  out.set(bytes, pos);
  const view = viewOfOut(st, out);
  let copies = 1;
  let m = 0;
  while (m < most) {
    // the template (or rows already stamped from it: the same bytes where digits do not go) copied ahead
    if (m === copies) copies = copyAhead(out, pos, len, copies, most);
    // The copied rows one column at a time: each number checked against the run's bounds and its digits written,
    // the block cut at the first row that leaves the run (its slot and those after it are left to what follows).
    let stop = copies < limit ? copies : limit;
    for (let k = 0; k < nc && stop > m; k++) {
      const col = dicts[k]!.codes;
      if (col === null) continue; // runs: within `limit`
      const want = codeVals[k]!;
      for (let r = m === 0 ? 1 : m; r < stop; r++) {
        if (col[i + r]! !== want) {
          stop = r;
          break;
        }
      }
    }
    for (let k = 0; k < nn && stop > m; k++)
      stop = stampColumn(
        out,
        view,
        nums[k]!,
        i,
        m,
        stop,
        pos + ends[k]!,
        len,
        lo[k]!,
        hi[k]!,
        whole[k] === 1,
        highs[k]!,
      );
    m = stop;
    if (m < copies) break;
  }
  st.pos = pos + m * len;
  return m;
}

/**
 * Digits of column `col` for the rows i + [from, to) of a stamped run whose slots start at `base` + row * `len`
 * (`base` = the run's position plus where the number ends in a row), while each value stays in [lo, hi) (and is
 * whole: `whole` says the column cannot hold anything else). The run's first row (from 0) is in bounds by
 * construction. Returns the first row out of bounds, or `to`.
 */
function stampColumn(
  out: Uint8Array,
  view: DataView,
  col: ArrayLike<number>,
  i: number,
  from: number,
  to: number,
  base: number,
  len: number,
  lo: number,
  hi: number,
  whole: boolean,
  high: number,
): number {
  // The digit tables in locals: the single-file CLI (scripts/build-single.mjs, esbuild) turns every top-level const
  // into a var, which the optimising compiler loads again and checks at each use in the loop (8M rows of inspect
  // --json: ~20 ms of its ~200)
  const quads = QUADS32;
  const pairs = DIGIT_PAIRS;
  if (lo >= E8) {
    // the digits above the last 8 are the template's; the last 8 as two 32-bit stores of 4 digits
    const off = high * E8;
    for (let r = from; r < to; r++) {
      const v = col[i + r]!;
      if (!(v >= lo && v < hi && (whole || Number.isInteger(v)))) return r;
      const x = (v - off) | 0; // int32 arithmetic: a division by a constant becomes a multiplication
      const q = (x / 10000) | 0;
      const j = base + r * len;
      view.setUint32(j - 8, quads[q]!, true);
      view.setUint32(j - 4, quads[x - q * 10000]!, true);
    }
  } else {
    for (let r = from; r < to; r++) {
      const v = col[i + r]!;
      if (!(v >= lo && v < hi && (whole || Number.isInteger(v)))) return r;
      // a whole number below 10^8, passed as a small integer (a double would be boxed per call)
      putSmallBefore(out, base + r * len, v | 0, pairs);
    }
  }
  return to;
}

/**
 * The pair templates of one ranges frame: per (digits of start, digits of end), the bytes of a pair but for its
 * numbers' last 8 digits (zeros until written), as stampRun's row shapes.
 */
interface PairStamp {
  readonly shape: PairShape;
  readonly shapes: Map<number, Shape>;
  view: DataView | null;
  viewOf: Uint8Array | null;
  /** Scratch: where pairRun() stopped writing. */
  pos: number;
}

function newPairStamp(shape: PairShape): PairStamp {
  return { shape, shapes: new Map(), view: null, viewOf: null, pos: 0 };
}

/** A whole number 0 <= v < 2^53 (one that has a template). */
function hasTemplate(v: number): boolean {
  return v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v);
}

/** Low bound and high bound of the run a number keeps its template in (stampRun's rule), for pairRun. */
function runBounds(v: number): [number, number] {
  if (v >= E8) {
    const lo = Math.floor(v / E8) * E8;
    return [lo, Math.min(lo + E8, Number.MAX_SAFE_INTEGER + 1)];
  }
  const d = smallDigits(v);
  return [d === 1 ? 0 : POW10[d - 1]!, POW10[d]!];
}

/**
 * Pairs i, i+1, ... (not the first of the list) while each number keeps pair i's digit count and digits above the
 * last 8, and they start before `chunkChars`: the same bytes as writing them one by one (put, putNumber), written as
 * stampRun writes table rows (the template copied ahead a block at a time, then each column's digits in one tight
 * loop, stampColumn). Returns the pairs written (0 when pair i has no template) and leaves the position in st.pos.
 */
function pairRun(
  st: PairStamp,
  out: Uint8Array,
  pos: number,
  i: number,
  length: number,
  chunkChars: number,
  starts: ArrayLike<number>,
  ends: ArrayLike<number>,
): number {
  const a = starts[i]!;
  const b = ends[i]!;
  if (!hasTemplate(a) || !hasTemplate(b)) return 0;
  const da = digitCount(a);
  const db = digitCount(b);
  const key = da * 32 + db;
  let shape = st.shapes.get(key);
  if (shape === undefined) {
    const { openN, mid, close } = st.shape;
    const bytes = new Uint8Array(openN.length + da + mid.length + db + close.length);
    bytes.set(openN, 0);
    bytes.set(mid, openN.length + da);
    bytes.set(close, bytes.length - close.length);
    const ends2 = Int32Array.from([openN.length + da, openN.length + da + mid.length + db]);
    st.shapes.set(key, (shape = { bytes, ends: ends2, highs: Float64Array.from([-1, -1]) }));
  }
  const { bytes, ends: at, highs } = shape;
  // the digits above the last 8 kept in the template, written there when they change
  const ha = a >= E8 ? Math.floor(a / E8) : -1;
  const hb = b >= E8 ? Math.floor(b / E8) : -1;
  if (ha >= 0 && ha !== highs[0]) {
    putDigitsBefore(bytes, at[0]! - 8, ha);
    highs[0] = ha;
  }
  if (hb >= 0 && hb !== highs[1]) {
    putDigitsBefore(bytes, at[1]! - 8, hb);
    highs[1] = hb;
  }
  const [loA, hiA] = runBounds(a);
  const [loB, hiB] = runBounds(b);
  const len = bytes.length;
  const most = Math.min(length - i, Math.ceil((chunkChars - pos) / len));
  out.set(bytes, pos);
  const view = viewOfOut(st, out);
  const wholeA = isIntegerArray(starts);
  const wholeB = isIntegerArray(ends);
  let copies = 1;
  let m = 0;
  while (m < most) {
    if (m === copies) copies = copyAhead(out, pos, len, copies, most);
    let stop = stampColumn(out, view, starts, i, m, copies, pos + at[0]!, len, loA, hiA, wholeA, highs[0]!);
    if (stop > m)
      stop = stampColumn(out, view, ends, i, m, stop, pos + at[1]!, len, loB, hiB, wholeB, highs[1]!);
    m = stop;
    if (m < copies) break;
  }
  st.pos = pos + m * len;
  return m;
}

/** Rows a stamped run copies its template ahead by, at most, per copy: what a row that ends the run may waste. */
const STAMP_BLOCK = 64;

/** The DataView of `out` a stamped run writes 4-digit groups through, made once per output buffer. */
function viewOfOut(st: { view: DataView | null; viewOf: Uint8Array | null }, out: Uint8Array): DataView {
  if (st.viewOf !== out) {
    st.viewOf = out;
    st.view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  }
  return st.view!;
}

/**
 * The `copies` rows of `len` bytes at `pos` (the template, or rows already stamped from it) copied after them,
 * at most STAMP_BLOCK rows and never past row `most`: returns the rows there are now.
 */
function copyAhead(out: Uint8Array, pos: number, len: number, copies: number, most: number): number {
  const c = Math.min(copies, most - copies, STAMP_BLOCK);
  out.copyWithin(pos + copies * len, pos, pos + c * len);
  return copies + c;
}

/** 10^d for d = 0..8. */
const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000] as const;

/** A typed array that can hold only whole numbers. */
function isIntegerArray(a: ArrayLike<number>): boolean {
  return (
    a instanceof Uint8Array ||
    a instanceof Uint8ClampedArray ||
    a instanceof Int8Array ||
    a instanceof Uint16Array ||
    a instanceof Int16Array ||
    a instanceof Uint32Array ||
    a instanceof Int32Array
  );
}

/** Exactly 8 digits (leading zeros kept) of 0 <= v < 10^8, ending just before `end`: two groups of four. */
function putLow8Before(out: Uint8Array, end: number, v: number): void {
  const x = v | 0; // int32 arithmetic: a division by a constant becomes a multiplication
  const hi = ((x / 10000) | 0) << 2;
  const lo = (x - (hi >> 2) * 10000) << 2;
  const j = end - 8;
  out[j] = DIGIT_QUADS[hi]!;
  out[j + 1] = DIGIT_QUADS[hi + 1]!;
  out[j + 2] = DIGIT_QUADS[hi + 2]!;
  out[j + 3] = DIGIT_QUADS[hi + 3]!;
  out[j + 4] = DIGIT_QUADS[lo]!;
  out[j + 5] = DIGIT_QUADS[lo + 1]!;
  out[j + 6] = DIGIT_QUADS[lo + 2]!;
  out[j + 7] = DIGIT_QUADS[lo + 3]!;
}

/** The template of row i's shape: its bytes with zeros where its numbers' digits go, and where each number ends. */
function layoutShape(st: Stamp, i: number): Shape {
  const { p } = st;
  const parts: Uint8Array[] = [];
  const ends: number[] = [];
  let len = 0;
  let closed = false;
  const add = (b: Uint8Array) => {
    parts.push(b);
    len += b.length;
  };
  p.segs.forEach((g, s) => {
    if (g.kind === SEG.NUM) {
      add(s === 0 ? p.openNFirst : g.next!);
      add(new Uint8Array(digitCount(g.nums![i]!)));
      ends.push(len);
    } else {
      add(g.nextByCode![segCode(g, i)]!);
      closed = g.closes;
    }
  });
  if (!closed) add(p.close);
  const bytes = new Uint8Array(len);
  let at = 0;
  for (const b of parts) {
    bytes.set(b, at);
    at += b.length;
  }
  return { bytes, ends: Int32Array.from(ends), highs: new Float64Array(ends.length).fill(-1) };
}

/** Digits of a whole number 0 <= v < 2^53. */
function digitCount(v: number): number {
  return v < E8 ? smallDigits(v) : 8 + smallDigits(Math.floor(v / E8));
}

function smallDigits(v: number): number {
  return v < 10000
    ? v < 100
      ? v < 10
        ? 1
        : 2
      : v < 1000
        ? 3
        : 4
    : v < 1000000
      ? v < 100000
        ? 5
        : 6
      : v < 10000000
        ? 7
        : 8;
}

/** The digits of a whole number 0 <= v < 2^53 ending just before `end`, two at a time. */
function putDigitsBefore(out: Uint8Array, end: number, v: number): void {
  let x: number;
  if (v >= E8) {
    const hi = Math.floor(v / E8);
    putLow8Before(out, end, v - hi * E8);
    end -= 8;
    x = hi | 0;
  } else x = v | 0; // int32 from here: divisions by constants become multiplications
  putSmallBefore(out, end, x, DIGIT_PAIRS);
}

/** The digits of a whole number 0 <= x < 10^8 (an int32) ending just before `end`, two at a time from `pairs`. */
function putSmallBefore(out: Uint8Array, end: number, x: number, pairs: Uint8Array): void {
  let j = end;
  while (x >= 100) {
    const q = (x / 100) | 0;
    const r = (x - q * 100) << 1;
    out[--j] = pairs[r + 1]!;
    out[--j] = pairs[r]!;
    x = q;
  }
  if (x >= 10) {
    out[--j] = pairs[(x << 1) + 1]!;
    out[--j] = pairs[x << 1]!;
  } else out[--j] = 0x30 + x;
}

function fnBytes(p: PreparedTable, s: number, i: number): Uint8Array | undefined {
  if (p.fnRow !== i || p.fnSeg !== s) {
    p.fnRow = i;
    p.fnSeg = s;
    const v = p.segs[s]!.fn!(i);
    p.fnValue = v === undefined ? undefined : utf8(cellText(v, p.quote));
  }
  return p.fnValue;
}

function cellText(v: Exclude<JsonCell, undefined>, quote: (s: string) => string): string {
  return typeof v === 'string' ? quote(v) : typeof v === 'number' ? num(v) : String(v);
}

const encoder = new TextEncoder();

function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

function put(out: Uint8Array, pos: number, bytes: Uint8Array): number {
  // short runs: a loop beats set() and its call overhead
  const n = bytes.length;
  for (let j = 0; j < n; j++) out[pos + j] = bytes[j]!;
  return pos + n;
}

const E8 = 100_000_000;

/** "00", "01", ... "99": two digits per division. */
const DIGIT_PAIRS = (() => {
  const t = new Uint8Array(200);
  for (let i = 0; i < 100; i++) {
    t[2 * i] = 0x30 + ((i / 10) | 0);
    t[2 * i + 1] = 0x30 + (i % 10);
  }
  return t;
})();

/** "0000" ... "9999" as 32-bit words, the first digit in the low byte: one little-endian store writes four. */
const QUADS32 = (() => {
  const t = new Uint32Array(10000);
  for (let i = 0; i < 10000; i++) {
    const d = [(i / 1000) | 0, ((i / 100) | 0) % 10, ((i / 10) | 0) % 10, i % 10];
    t[i] = (0x30 + d[0]!) | ((0x30 + d[1]!) << 8) | ((0x30 + d[2]!) << 16) | ((0x30 + d[3]!) << 24);
  }
  return t;
})();

/** "0000" ... "9999" (40 KB): four digits per division. */
const DIGIT_QUADS = (() => {
  const t = new Uint8Array(40000);
  for (let i = 0; i < 10000; i++) {
    t[4 * i] = 0x30 + ((i / 1000) | 0);
    t[4 * i + 1] = 0x30 + (((i / 100) | 0) % 10);
    t[4 * i + 2] = 0x30 + (((i / 10) | 0) % 10);
    t[4 * i + 3] = 0x30 + (i % 10);
  }
  return t;
})();

/** A number as JSON prints it: digits for a whole number below 2^53 (all pfns, addresses, counts), else String(). */
function putNumber(out: Uint8Array, pos: number, v: number): number {
  if (!(v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v))) {
    const s = num(v);
    for (let j = 0; j < s.length; j++) out[pos + j] = s.charCodeAt(j);
    return pos + s.length;
  }
  const end = pos + digitCount(v);
  putDigitsBefore(out, end, v);
  return end;
}

/** Short strings repeat (member names, owners, codes): each is quoted once per document. */
function cachedQuote(quote: (s: string) => string): (s: string) => string {
  const cache = new Map<string, string>();
  return (s) => {
    if (s.length > 64) return quote(s);
    let q = cache.get(s);
    if (q === undefined) {
      if (cache.size >= 4096) cache.clear();
      cache.set(s, (q = quote(s)));
    }
    return q;
  };
}

function num(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

/** JSON.stringify's first step on a member: an object (or bigint) with a toJSON method is replaced by its result. */
function toJson(v: unknown, key: string): unknown {
  if (v !== null && (typeof v === 'object' || typeof v === 'bigint')) {
    if (typeof v === 'object' && streamedKind(v) !== undefined) return v;
    const f = (v as { toJSON?: unknown }).toJSON;
    if (typeof f === 'function') return (f as (k: string) => unknown).call(v, key);
  }
  return v;
}

/**
 * Write `value` as JSON.stringify(value, null, 2) to `sink`, chunk by chunk. Returns false when the sink stopped
 * it (returned false), true when the whole text was written.
 */
export function writeJson(value: unknown, sink: JsonSink, opts: JsonChunkOptions = {}): boolean {
  for (const chunk of jsonChunks(value, opts)) if (sink(chunk) === false) return false;
  return true;
}

/** The member that marks a packed range list (packJson): no document member is named so. */
const PACKED_RANGES = '\u0000kexec-replay/ranges';
/** The member that marks a packed list of single pages kept as stretches of their pfn column (packJson). */
const PACKED_POINTS = '\u0000kexec-replay/points';
/** The member that marks a packed list of runs kept as stretches of the blocks' columns (packJson). */
const PACKED_RUNS = '\u0000kexec-replay/runs';

/**
 * A typed array of `n` zeros of kind `C` in shared memory (packJson()'s copies): it goes to another thread as a view of
 * the same memory, without a copy and without a transfer. A transfer detaches the buffer it sends, and the first
 * detach anywhere in the process invalidates V8's ArrayBuffer-detaching protector: every optimised function that reads
 * a typed array is deoptimised at once and compiled again with checks (on the 8M bench bundle's compare, the first
 * strategy's outcome sent to the JSON writer thread sent the next strategy's loops back to the interpreter, ~0.1 s).
 */
function sharedArray<C extends Float64ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor>(
  C: C,
  n: number,
): InstanceType<C> {
  return new C(new SharedArrayBuffer(n * C.BYTES_PER_ELEMENT) as unknown as ArrayBuffer) as InstanceType<C>;
}

/** `a`'s values, each less `lo`, in shared memory (sharedArray()). */
function sharedLess(a: Int32Array, lo: number): Int32Array {
  const c = sharedArray(Int32Array, a.length);
  for (let i = 0; i < a.length; i++) c[i] = a[i]! - lo;
  return c;
}

/**
 * A list of stretches' bounds (from[k] .. to[k] - 1: positions into their column, ascending) as packJson() sends them:
 * the span [lo, hi) of the column they cover, and the bounds counted from lo in shared memory (sharedLess()).
 */
function packedSpan(
  from: Int32Array,
  to: Int32Array,
): { lo: number; hi: number; from: Int32Array; to: Int32Array } {
  const m = from.length;
  const lo = m ? from[0]! : 0;
  const hi = m ? to[m - 1]! : 0;
  return { lo, hi, from: sharedLess(from, lo), to: sharedLess(to, lo) };
}

/**
 * The first `count` values of `a` as a typed array of the same kind (so the same numbers) that can go to another
 * thread: a view of `a` when it is in shared memory (src/core/columns.ts shareColumns: the other thread reads the
 * same memory, nothing is copied or transferred), else a copy of its own in shared memory (sharedArray(): nothing
 * transferred, nothing detached).
 */
function packColumn(a: ArrayLike<number>, count: number): Float64Array | Int32Array | Uint32Array {
  if (a instanceof Int32Array || a instanceof Uint32Array || a instanceof Float64Array) {
    if (a.buffer instanceof SharedArrayBuffer) return a.subarray(0, count);
    const c = sharedArray(a.constructor as Float64ArrayConstructor, count);
    c.set(a.subarray(0, count) as Float64Array);
    return c;
  }
  const c = sharedArray(Float64Array, count);
  for (let i = 0; i < count; i++) c[i] = a[i]!;
  return c;
}

/**
 * A document (or a part of one) as a structured clone can carry it to another thread, and the buffers to transfer
 * with it (none: every column is in shared memory, see sharedArray(); kept for callers that pass it on): what JSON
 * leaves out is left out here (an object's undefined, function and symbol members; in an array they are null),
 * toJSON() is applied, a table is its rows, and a range list (jsonRanges) is two typed columns (16
 * bytes or less a range, where its text is ~70): views of its own columns when they are in shared memory, which the
 * caller must then not write until the other thread has read them; else copies of their own in shared memory, sent
 * without a further copy. unpackJson() on the other side gives a value whose jsonChunks() text is this one's.
 */
export function packJson(value: unknown): { value: unknown; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const pack = (v: unknown, key: string): unknown => {
    const m = toJson(v, key);
    if (m === null || typeof m !== 'object')
      return typeof m === 'function' || typeof m === 'symbol' ? undefined : m;
    if (m instanceof Number || m instanceof String || m instanceof Boolean) return m.valueOf();
    const kind = streamedKind(m);
    if (kind === 'ranges') {
      const r = (m as JsonRanges).ranges;
      // single pages kept as stretches of their pfn column (src/core/point-ranges.ts): the part of the column they
      // are in and the stretches, their count and ranges made by the other thread (unpackJson), not here
      const p = pointStretchesOf(r);
      if (p) {
        const { lo, hi, from, to } = packedSpan(p.from, p.to);
        return { [PACKED_POINTS]: 1, at: packColumn(p.at.subarray(lo, hi), hi - lo), from, to };
      }
      // runs kept as stretches of the blocks' columns (src/core/run-stretches.ts): the part of the columns the
      // stretches are in (views: shared memory, never written), the rows and the stretches; their count and ranges
      // made by the other thread, not here
      const q = runStretchesOf(r);
      if (q) {
        const { lo, hi, from, to } = packedSpan(q.from, q.to);
        const at = sharedLess(q.at, 0);
        return {
          [PACKED_RUNS]: 1,
          S: packColumn(q.S.subarray(lo, hi), hi - lo),
          E: packColumn(q.E.subarray(lo, hi), hi - lo),
          rs: packColumn(q.rs, q.rows),
          re: packColumn(q.re, q.rows),
          at,
          from,
          to,
        };
      }
      const n = rangeCount(r);
      if (isRangeArray(r)) {
        const cols = {
          starts: packColumn(
            r.map((x) => x.start),
            r.length,
          ),
          ends: packColumn(
            r.map((x) => x.end),
            r.length,
          ),
        };
        return { [PACKED_RANGES]: n, ...cols };
      }
      return {
        [PACKED_RANGES]: n,
        starts: packColumn(r.starts, n),
        ends: packColumn(r.ends, n),
      };
    }
    if (kind === 'later') throw new TypeError('a jsonLater() array cannot be packed');
    if (kind === 'table' || Array.isArray(m)) {
      const a = kind === 'table' ? (m as JsonTable<unknown>).toJSON() : (m as unknown[]);
      return a.map((x, i) => pack(x, String(i)) ?? null);
    }
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(m)) {
      const x = pack((m as Record<string, unknown>)[k], k);
      if (x !== undefined) o[k] = x;
    }
    return o;
  };
  return { value: pack(value, ''), transfer };
}

/** packJson()'s value back as a document: each packed range list a jsonRanges() over its columns. */
export function unpackJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(unpackJson);
  const o = value as Record<string, unknown>;
  const pn = o[PACKED_POINTS];
  if (pn !== undefined) {
    const p = pointStretches(o['at'] as Float64Array, o['from'] as Int32Array, o['to'] as Int32Array);
    // counted here, and written a window at a time (rangeRows), not made as columns of all of them
    return jsonRanges(pointWindowColumns(p));
  }
  if (o[PACKED_RUNS] !== undefined) {
    const rs = o['rs'] as Float64Array;
    const q = runStretches(
      o['S'] as Float64Array,
      o['E'] as Float64Array,
      rs,
      o['re'] as Float64Array,
      rs.length,
      o['at'] as Int32Array,
      o['from'] as Int32Array,
      o['to'] as Int32Array,
    );
    // counted here, and written a window at a time (rangeRows), not made as columns of all of them
    return jsonRanges(runWindowColumns(q));
  }
  const n = o[PACKED_RANGES];
  if (typeof n === 'number')
    return jsonRanges({ count: n, starts: o['starts'] as Float64Array, ends: o['ends'] as Float64Array });
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) out[k] = unpackJson(o[k]);
  return out;
}
