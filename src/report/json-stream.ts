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
  const length = rangeCount(ranges);
  const at: (i: number) => [number, number] = isRangeArray(ranges)
    ? (i) => [ranges[i]!.start, ranges[i]!.end]
    : (i) => [ranges.starts[i]!, ranges.ends[i]!];
  return { [STREAMED]: 'ranges', length, ranges, at, ...materialise(length, at) };
}

/** A value a table cell may hold; undefined leaves the member out, as JSON.stringify does. */
export type JsonCell = string | number | boolean | null | undefined;

/**
 * One column of a table: a typed (or plain) array of numbers, a dictionary-coded string column (`names[codes[i]]`,
 * so a million cells of a few distinct strings are a few strings), or a function of the row.
 */
export type JsonColumn =
  | ArrayLike<number>
  | { readonly codes: ArrayLike<number>; readonly names: readonly (string | undefined)[] }
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
  return (i) => col[i];
}

function isRangeArray(r: RangesLike): r is readonly Range[] {
  return Array.isArray(r);
}

function streamedKind(v: object): 'ranges' | 'table' | undefined {
  return (v as { [STREAMED]?: 'ranges' | 'table' })[STREAMED];
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
}

export const JSON_CHUNK_CHARS = 1 << 16;

const FRAME = { OBJECT: 0, ARRAY: 1, RANGES: 2, TABLE: 3 } as const;
type FrameKind = (typeof FRAME)[keyof typeof FRAME];

interface Frame {
  readonly kind: FrameKind;
  /** Nesting depth of the container (the root is 0); its members are indented by depth + 1 steps. */
  readonly depth: number;
  readonly length: number;
  /** Next member to look at, and members written so far (an object's undefined members are left out). */
  i: number;
  written: number;
  /** OBJECT: the object and its keys; ARRAY: the array; RANGES: the range list; TABLE: the table. */
  readonly source: unknown;
  readonly keys: readonly string[] | null;
  /** TABLE: its columns made ready for writing, on the first rows. */
  table?: PreparedTable;
}

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
      case FRAME.RANGES:
        writeRanges(f, inner);
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

  // [start, end] pairs without an array per pair, as many as fit in the chunk
  function writeRanges(f: Frame, inner: string): void {
    const r = f.source as RangesLike;
    const pair = indent(f.depth + 2);
    const close = inner + ']';
    let i = f.i;
    let out = buf;
    if (isRangeArray(r)) {
      for (; i < f.length && out.length < chunkChars; i++)
        out +=
          (i === 0 ? inner : ',' + inner) +
          '[' +
          pair +
          num(r[i]!.start) +
          ',' +
          pair +
          num(r[i]!.end) +
          close;
    } else {
      const { starts, ends } = r;
      for (; i < f.length && out.length < chunkChars; i++)
        out +=
          (i === 0 ? inner : ',' + inner) + '[' + pair + num(starts[i]!) + ',' + pair + num(ends[i]!) + close;
    }
    buf = out;
    f.written = f.i = i;
  }

  // Rows of a table as UTF-8 bytes, about a chunk's worth: member names and dictionary names encoded once per
  // table, numbers written digit by digit. A row is ~150 bytes and a table may have tens of millions of them: no
  // string, object or closure per row.
  function tableRows(f: Frame, inner: string): Uint8Array {
    const p = (f.table ??= prepareTable(
      f.source as JsonTable<unknown>,
      f.keys!,
      inner,
      indent(f.depth + 2),
      quote,
    ));
    const { kinds, nums, codes, names, first, next, open0, openN, close, fixedRowBytes } = p;
    const ncols = kinds.length;
    let out = new Uint8Array(chunkChars + fixedRowBytes + 64);
    let pos = 0;
    let i = f.i;
    for (; i < f.length && pos < chunkChars; i++) {
      // room for the row: a fixed bound, plus what the function columns print for it
      let need = fixedRowBytes;
      for (let c = 0; c < ncols; c++) if (kinds[c] === COL.FN) need += fnBytes(p, c, i)?.length ?? 0;
      if (pos + need > out.length) {
        const grown = new Uint8Array(Math.max(out.length * 2, pos + need));
        grown.set(out.subarray(0, pos));
        out = grown;
      }
      pos = put(out, pos, i === 0 ? open0 : openN);
      let n = 0;
      for (let c = 0; c < ncols; c++) {
        let value: Uint8Array | undefined;
        if (kinds[c] === COL.NUM) {
          pos = put(out, pos, n++ === 0 ? first[c]! : next[c]!);
          pos = putNumber(out, pos, nums[c]![i]!);
          continue;
        }
        if (kinds[c] === COL.DICT) value = names[c]![codes[c]![i]!];
        else value = fnBytes(p, c, i);
        if (value === undefined) continue;
        pos = put(out, pos, n++ === 0 ? first[c]! : next[c]!);
        pos = put(out, pos, value);
      }
      if (n > 0) pos = put(out, pos, close);
      else out[pos++] = 0x7d; // `}`
    }
    f.written = f.i = i;
    return out.subarray(0, pos);
  }
}

const COL = { NUM: 0, DICT: 1, FN: 2 } as const;

/** A table's columns sorted by kind, its member names and brackets as bytes: made once per table. */
interface PreparedTable {
  readonly kinds: Uint8Array;
  readonly nums: (ArrayLike<number> | null)[];
  readonly codes: (ArrayLike<number> | null)[];
  readonly names: ((Uint8Array | undefined)[] | null)[];
  readonly fns: (((i: number) => JsonCell) | null)[];
  readonly first: Uint8Array[];
  readonly next: Uint8Array[];
  readonly open0: Uint8Array;
  readonly openN: Uint8Array;
  readonly close: Uint8Array;
  /** A row's most bytes without its function columns' values. */
  readonly fixedRowBytes: number;
  readonly quote: (s: string) => string;
  /** The last function cell encoded (its row and column), used twice per row: sized, then written. */
  fnRow: number;
  fnCol: number;
  fnValue: Uint8Array | undefined;
}

function prepareTable(
  t: JsonTable<unknown>,
  keys: readonly string[],
  inner: string,
  member: string,
  quote: (s: string) => string,
): PreparedTable {
  const p: PreparedTable = {
    kinds: new Uint8Array(keys.length),
    nums: [],
    codes: [],
    names: [],
    fns: [],
    first: keys.map((k) => utf8(member + quote(k) + ': ')),
    next: keys.map((k) => utf8(',' + member + quote(k) + ': ')),
    open0: utf8(inner + '{'),
    openN: utf8(',' + inner + '{'),
    close: utf8(inner + '}'),
    fixedRowBytes: 0,
    quote,
    fnRow: -1,
    fnCol: -1,
    fnValue: undefined,
  };
  let fixed = p.openN.length + p.close.length;
  keys.forEach((k, c) => {
    const col = t.columns[k]!;
    p.nums.push(null);
    p.codes.push(null);
    p.names.push(null);
    p.fns.push(null);
    fixed += p.next[c]!.length;
    if (typeof col === 'function') {
      p.kinds[c] = COL.FN;
      p.fns[c] = col;
    } else if ('codes' in col) {
      p.kinds[c] = COL.DICT;
      p.codes[c] = col.codes;
      const names = col.names.map((v) => (v === undefined ? undefined : utf8(quote(v))));
      p.names[c] = names;
      fixed += names.reduce((m, b) => Math.max(m, b?.length ?? 0), 0);
    } else {
      p.kinds[c] = COL.NUM;
      p.nums[c] = col;
      fixed += 24; // the longest number text: `-1.2345678901234567e+308`
    }
  });
  return Object.assign(p, { fixedRowBytes: fixed });
}

function fnBytes(p: PreparedTable, c: number, i: number): Uint8Array | undefined {
  if (p.fnRow !== i || p.fnCol !== c) {
    p.fnRow = i;
    p.fnCol = c;
    const v = p.fns[c]!(i);
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

/** A number as JSON prints it: digits for a whole number below 2^53 (all pfns, addresses, counts), else String(). */
function putNumber(out: Uint8Array, pos: number, v: number): number {
  if (!(v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v))) {
    const s = num(v);
    for (let j = 0; j < s.length; j++) out[pos + j] = s.charCodeAt(j);
    return pos + s.length;
  }
  // below 2^53 = 90071992 * 10^8 + ...: two parts that fit int32 arithmetic
  const hi = Math.floor(v / E8);
  let lo = v - hi * E8;
  if (hi === 0) return putSmall(out, pos, lo);
  pos = putSmall(out, pos, hi);
  for (let j = pos + 7; j >= pos; j--) {
    const q = (lo / 10) | 0;
    out[j] = 0x30 + lo - q * 10;
    lo = q;
  }
  return pos + 8;
}

/** 0 <= v < 10^8, no leading zeros. */
function putSmall(out: Uint8Array, pos: number, v: number): number {
  let digits = 1;
  for (let p = 10; p <= v; p *= 10) digits++;
  for (let j = pos + digits - 1; j >= pos; j--) {
    const q = (v / 10) | 0;
    out[j] = 0x30 + v - q * 10;
    v = q;
  }
  return pos + digits;
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
