// The streamed JSON writer prints exactly JSON.stringify(doc, null, 2), in chunks, whatever the chunk size.
import { describe, expect, it } from 'vitest';
import {
  jsonChunks,
  jsonLater,
  jsonRanges,
  jsonTable,
  packJson,
  unpackJson,
  writeJson,
} from '../../src/report/json-stream.js';
import { prng } from '../helpers/prng.js';
import { pointColumns, pointStretches } from '../../src/core/point-ranges.js';
import { runColumns, runStretches } from '../../src/core/run-stretches.js';

const decoder = new TextDecoder();
const asText = (c: string | Uint8Array): string => (typeof c === 'string' ? c : decoder.decode(c));
const text = (v: unknown, chunkChars?: number): string =>
  [...jsonChunks(v, { chunkChars })].map(asText).join('');

function randomValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 4 ? 7 : 10));
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return [0, -0, 1.5, -3, 2 ** 53, 1e21, 1e-7, NaN, Infinity, 123456789012][Math.floor(r() * 10)];
    case 3:
      return ['', 'plain', 'quote " and \\ back', 'ctl \u0001\n\t\u001b', '\ud800 lone', 'ünïcödé \u2028'][
        Math.floor(r() * 6)
      ];
    case 4:
      return undefined;
    case 5:
      return () => 1;
    case 6:
      return { toJSON: (key: string) => `toJSON(${key})` };
    case 7: {
      const n = Math.floor(r() * 4);
      return Array.from({ length: n }, () => randomValue(r, depth + 1));
    }
    default: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 5);
      for (let i = 0; i < n; i++)
        o[['a', 'b', '2', '10', 'key "q"', 'ü'][Math.floor(r() * 6)]!] = randomValue(r, depth + 1);
      return o;
    }
  }
}

describe('jsonChunks: the text of JSON.stringify(v, null, 2)', () => {
  it('on the values JSON treats specially (empty containers, dropped members, null elements, toJSON, boxed)', () => {
    const cases: unknown[] = [
      {},
      [],
      { a: undefined, b: () => 1, c: Symbol('x') },
      [undefined, () => 1, Symbol('y')],
      { d: new Date(0), n: new Number(3), s: new String('s'), b: new Boolean(false) },
      { nested: { deeper: { deepest: [[[]], {}, [{}]] } } },
      { 2: 'two', 1: 'one', b: 'b', a: 'a' }, // integer keys first, as Object.keys orders them
      { m: new Map([[1, 2]]), set: new Set([1]) },
      'top-level string',
      42,
      null,
    ];
    for (const c of cases)
      for (const chunk of [1, 3, 1 << 16]) expect(text(c, chunk)).toBe(JSON.stringify(c, null, 2));
  });

  it('on 500 random documents, at chunk sizes 1, 5 and 64 KiB', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const v = randomValue(prng(seed), 0);
      const want = JSON.stringify(v, null, 2);
      for (const chunk of [1, 5, 1 << 16])
        expect(text(v, chunk), `seed ${seed} chunk ${chunk}`).toBe(want ?? '');
    }
  });

  it('writes nothing for undefined (JSON.stringify(undefined) is undefined)', () => {
    expect([...jsonChunks(undefined)]).toEqual([]);
  });

  it('cuts the text into chunks near the size asked for', () => {
    const doc = { xs: Array.from({ length: 10_000 }, (_, i) => ({ i, s: 'x'.repeat(i % 7) })) };
    const chunks = [...jsonChunks(doc, { chunkChars: 4096 })];
    expect(chunks.join('')).toBe(JSON.stringify(doc, null, 2));
    expect(chunks.length).toBeGreaterThan(50);
    for (const c of chunks.slice(0, -1)) expect(c.length).toBeLessThan(4096 + 200);
  });
});

describe('streamed arrays', () => {
  it('jsonTable prints as the array of objects it stands for (members in column order, undefined left out)', () => {
    const n = 1000;
    // numbers JSON prints other than as plain digits, and the largest plain ones
    const xOf = (i: number): number =>
      [-i, i + 0.25, 1e21 * i, NaN, 2 ** 53 + 2, 2 ** 53 - 1, 0, 9, 10, 99, 100, 1e20][i % 12]!;
    const phys = Float64Array.from({ length: n }, (_, i) => i * 4096 * 1_000_003);
    const codes = Int32Array.from({ length: n }, (_, i) => i % 4);
    const table = jsonTable<{
      phys: number;
      order: number;
      owner: string;
      note?: string;
      odd?: boolean | null;
      x: number;
    }>(n, {
      phys,
      order: Array.from({ length: n }, (_, i) => i % 11),
      owner: { codes, names: ['memfd:folio', 'subtree:LUO', 'quote "q" \u0001', 'ünï'] },
      note: { codes, names: [undefined, 'n1', undefined, 'n3'] },
      odd: (i) => (i % 3 === 0 ? undefined : i % 3 === 1 ? null : i % 2 === 0),
      x: Float64Array.from({ length: n }, (_, i) => xOf(i)),
    });
    const rows = Array.from({ length: n }, (_, i) => {
      const o: Record<string, unknown> = {
        phys: phys[i],
        order: i % 11,
        owner: ['memfd:folio', 'subtree:LUO', 'quote "q" \u0001', 'ünï'][i % 4],
      };
      if (i % 4 === 1 || i % 4 === 3) o['note'] = `n${i % 4}`;
      if (i % 3 !== 0) o['odd'] = i % 3 === 1 ? null : i % 2 === 0;
      o['x'] = xOf(i);
      return o;
    });
    const want = JSON.stringify({ kho: { preserved: rows, after: 1 }, empty: [] }, null, 2);
    const doc = { kho: { preserved: table, after: 1 }, empty: jsonTable(0, { a: [] }) };
    for (const chunk of [1, 100, 1 << 16]) expect(text(doc, chunk)).toBe(want);
    expect(JSON.stringify(doc, null, 2)).toBe(want); // toJSON keeps JSON.stringify's answer the same
    expect([...table]).toEqual(rows);
    expect(table.at(1)).toEqual(rows[1]);
    // a row whose every cell is undefined is {} as in JSON.stringify
    const empty = jsonTable<{ a?: string }>(2, { a: () => undefined });
    expect(text([empty])).toBe(JSON.stringify([[{}, {}]], null, 2));
  });

  it('jsonTable: dictionary columns sharing codes first, last, alone, all left out, codes no name covers', () => {
    const n = 300;
    const codes = Int32Array.from({ length: n }, (_, i) => (i % 7) - 1); // -1 and 5 name nothing
    const other = Int32Array.from({ length: n }, (_, i) => i % 2);
    const a = ['a0', undefined, 'a2', undefined, 'a4'];
    const b = ['b0', 'b1', undefined, undefined];
    const c = [undefined, 'c1'];
    const big = Float64Array.from({ length: n }, (_, i) => (i * 2 ** 44 + i) % 2 ** 53);
    const rowOf = (keys: string[], i: number): Record<string, unknown> => {
      const o: Record<string, unknown> = {};
      for (const k of keys) {
        const v =
          k === 'a'
            ? a[codes[i]!]
            : k === 'b'
              ? b[codes[i]!]
              : k === 'c'
                ? c[other[i]!]
                : k === 'big'
                  ? big[i]
                  : i;
        if (v !== undefined) o[k] = v;
      }
      return o;
    };
    const col = {
      a: { codes, names: a },
      b: { codes, names: b },
      c: { codes: other, names: c },
      big,
      n: (i: number) => i,
    };
    for (const keys of [
      ['a', 'b'], // a group alone: some rows have no member at all
      ['a', 'b', 'big'], // a group first, a number after
      ['big', 'a', 'b'], // a group last, after a number
      ['n', 'a', 'c', 'b'], // groups split by a column with other codes
      ['c', 'big', 'a'],
      ['big', 'c', 'a', 'b'], // stamped rows: a number first, then two groups
    ]) {
      const table = jsonTable(n, Object.fromEntries(keys.map((k) => [k, col[k as keyof typeof col]])));
      const want = JSON.stringify({ t: Array.from({ length: n }, (_, i) => rowOf(keys, i)), z: 0 }, null, 2);
      for (const chunk of [1, 100, 1 << 16]) expect(text({ t: table, z: 0 }, chunk)).toBe(want);
    }
  });

  it('jsonTable writes whole numbers below 2^53 digit for digit, every length', () => {
    const vals = [
      0,
      1,
      9,
      10,
      99,
      100,
      101,
      999,
      1000,
      12345,
      99999999,
      1e8,
      1e8 + 1,
      123456789012,
      2 ** 53 - 1,
    ];
    for (let d = 1; d < 16; d++) vals.push(10 ** d - 1, 10 ** d, 10 ** d + 7, 2 * 10 ** d + 3);
    const t = jsonTable(vals.length, { v: Float64Array.from(vals) });
    expect(text(t)).toBe(
      JSON.stringify(
        vals.map((v) => ({ v })),
        null,
        2,
      ),
    );
  });

  it('jsonTable: runs of rows of one shape (inspect-like: sorted addresses, orders, owners) as JSON.stringify', () => {
    // rows share a template while their codes, digit counts and digits above the last 8 stay the same: make those
    // change at every kind of place (inside a chunk, at chunk ends, across 10^8 and across digit counts)
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const n = 4000;
    const phys = new Float64Array(n);
    let p = 99_990_000;
    for (let i = 0; i < n; i++) {
      p += rnd() < 0.9 ? 4096 * Math.floor(1 + rnd() * 8) : Math.floor(rnd() * 2 ** 44);
      phys[i] = Math.min(p, 2 ** 53 - 1 - (n - i));
      if (i === 100) p = 99_999_999; // the next one crosses 10^8
    }
    phys[n - 2] = 2 ** 53 - 2;
    phys[n - 1] = 2 ** 53 - 1;
    const order = Uint8Array.from({ length: n }, () => (rnd() < 0.8 ? 0 : Math.floor(rnd() * 12)));
    const codes = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 37) % 3);
    const names = ['unattributed', 'memfd:folio', 'subtree:LUO'];
    const session = [undefined, 's0', undefined];
    const table = jsonTable(n, {
      phys,
      order,
      owner: { codes, names },
      session: { codes, names: session },
    });
    const want = JSON.stringify(
      Array.from({ length: n }, (_, i) => {
        const o: Record<string, unknown> = { phys: phys[i], order: order[i], owner: names[codes[i]!] };
        if (session[codes[i]!] !== undefined) o['session'] = session[codes[i]!];
        return o;
      }),
      null,
      2,
    );
    for (const chunk of [1, 100, 4096, 1 << 16]) expect(text(table, chunk)).toBe(want);
  });

  it('jsonTable: codes given as runs print what the same codes per row print (stamped rows and row by row)', () => {
    const r = prng(11);
    for (let t = 0; t < 60; t++) {
      const n = 1 + Math.floor(r() * 3000);
      // runs of 1 to 200 rows; codes -1 (no name) to 4 (past the names of some columns)
      const ends: number[] = [];
      const runCodes: number[] = [];
      for (let e = 0; e < n;) {
        e = Math.min(n, e + 1 + Math.floor(r() < 0.3 ? r() * 3 : r() * 200));
        ends.push(e);
        runCodes.push(Math.floor(r() * 6) - 1);
      }
      const codes = new Int32Array(n);
      ends.forEach((e, k) => codes.fill(runCodes[k]!, k === 0 ? 0 : ends[k - 1]!, e));
      const runs = { ends: Float64Array.from(ends), codes: Int32Array.from(runCodes) };
      let p = 2 ** 32 + Math.floor(r() * 1e9);
      const phys = Float64Array.from({ length: n }, () => (p += 4096 * (1 + Math.floor(r() * 40000))));
      const order = Uint8Array.from({ length: n }, () => (r() < 0.7 ? 0 : Math.floor(r() * 19)));
      const owner = ['unattributed', 'memfd:folio', 'subtree:LUO', 'luo:file-block'];
      const session = [undefined, 's0', 's1'];
      const token = ['0', undefined, '7', '9', 'x'];
      const other = Int32Array.from({ length: n }, (_, i) => (i >> 5) % 2);
      // a function column sends every row through the row-by-row writer instead of the stamped one
      const shapes = [
        (c: { codes: Int32Array } | { runs: typeof runs }) => ({
          phys,
          order,
          owner: { ...c, names: owner },
          session: { ...c, names: session },
          token: { ...c, names: token },
        }),
        (c: { codes: Int32Array } | { runs: typeof runs }) => ({
          phys,
          owner: { ...c, names: owner },
          alt: { codes: other, names: ['a', 'b'] },
          token: { ...c, names: token },
        }),
        (c: { codes: Int32Array } | { runs: typeof runs }) => ({
          order,
          owner: { ...c, names: owner },
          f: (i: number) => (i % 3 === 0 ? undefined : i),
          session: { ...c, names: session },
        }),
      ];
      const shape = shapes[t % shapes.length]!;
      const byRuns = jsonTable(n, shape({ runs }));
      const byCodes = jsonTable(n, shape({ codes }));
      const want = JSON.stringify({ a: byCodes, b: [byCodes] }, null, 2);
      expect(JSON.stringify({ a: byRuns, b: [byRuns] }, null, 2)).toBe(want);
      for (const chunk of [1, 100, 4096, 1 << 16])
        expect(text({ a: byRuns, b: [byRuns] }, chunk), `table ${t}, chunks of ${chunk}`).toBe(want);
      const i = Math.floor(r() * n);
      expect(byRuns.at(i)).toEqual(byCodes.at(i));
    }
  });

  it('jsonTable: a row whose number has no template (fraction, 2^53 and above, negative, NaN) ends a run there', () => {
    // each odd value sits between whole numbers of the same digit count or the same digits above the last 8, where a
    // run would otherwise go on; in a float column and an integer one
    const vals = [
      1,
      2,
      2.5,
      3,
      4,
      -1,
      5,
      1e8 + 1,
      1e8 + 2,
      1e8 + 2.5,
      1e8 + 3,
      2 ** 53 - 2,
      2 ** 53,
      2 ** 53 + 2,
    ];
    vals.push(2 ** 53 - 1, 7, NaN, 8, Infinity, 9, 1e21, 10, 11, 0.1, 12);
    const ints = Int32Array.from(vals, (v, i) => (Number.isFinite(v) ? (v % 1000) | 0 : -i));
    const t = jsonTable(vals.length, { v: Float64Array.from(vals), w: ints });
    const want = JSON.stringify(
      vals.map((v, i) => ({ v, w: ints[i] })),
      null,
      2,
    );
    for (const chunk of [1, 64, 1 << 16]) expect(text(t, chunk)).toBe(want);
  });

  it('reuseBuffer: every chunk of rows in one buffer, the same text when each is taken before the next', () => {
    const n = 5000;
    const table = jsonTable(n, {
      phys: Float64Array.from({ length: n }, (_, i) => i * 4096 * 977),
      owner: { codes: new Int32Array(n), names: ['unattributed'] },
    });
    const doc = { a: 1, rows: table, b: [table], c: 'end' };
    const want = JSON.stringify(doc, null, 2);
    const buffers = new Set<ArrayBufferLike>();
    let got = '';
    for (const chunk of jsonChunks(doc, { chunkChars: 4096, reuseBuffer: true })) {
      if (typeof chunk !== 'string') buffers.add(chunk.buffer);
      got += asText(chunk); // taken (decoded) before the next chunk is asked for
    }
    expect(got).toBe(want);
    // one buffer, grown once for the second table (its rows are indented deeper, so a row's bound is longer)
    expect(buffers.size).toBe(2);
    // without the option each chunk has its own buffer
    const fresh = new Set<ArrayBufferLike>();
    for (const chunk of jsonChunks(doc, { chunkChars: 4096 }))
      if (typeof chunk !== 'string') fresh.add(chunk.buffer);
    expect(fresh.size).toBeGreaterThan(10);
  });

  it('quotes every member name and string through the quote given (the CLI escapes terminal controls there)', () => {
    const doc = { 'k\u009b': ['v\u202e', jsonTable(1, { 'n\u0085': () => 'x\u2028' })] };
    const esc = (s: string): string =>
      s.replace(/[\u0085\u009b\u2028\u202e]/g, (c) => `<${c.charCodeAt(0).toString(16)}>`);
    const got = [...jsonChunks(doc, { quote: (s) => esc(JSON.stringify(s)) })].map(asText).join('');
    expect(got).toBe(esc(JSON.stringify(doc, null, 2)));
  });

  it('jsonRanges prints Range[] and typed range columns as [start, end] pairs, the same text either way', () => {
    const n = 5000;
    const objs = Array.from({ length: n }, (_, i) => ({ start: i * 10, end: i * 10 + 3 + (i % 5) }));
    const cols = {
      count: n,
      starts: Float64Array.from(objs, (r) => r.start),
      ends: Float64Array.from(objs, (r) => r.end),
    };
    const want = JSON.stringify({ ranges: objs.map((r) => [r.start, r.end]) }, null, 2);
    for (const chunk of [1, 7, 1000, 1 << 16]) {
      expect(text({ ranges: jsonRanges(objs) }, chunk)).toBe(want);
      expect(text({ ranges: jsonRanges(cols) }, chunk)).toBe(want);
    }
    expect(JSON.stringify({ ranges: jsonRanges(cols) }, null, 2)).toBe(want);
    expect(text({ ranges: jsonRanges([]) })).toBe(JSON.stringify({ ranges: [] }, null, 2));
    // a column may be longer than its count (a buffer grown in steps): only `count` ranges are written
    expect(text(jsonRanges({ count: 1, starts: [1, 2], ends: [5, 6] }))).toBe(
      JSON.stringify([[1, 5]], null, 2),
    );
  });

  it('jsonRanges writes every digit length, and what is not a whole number below 2^53, as JSON.stringify', () => {
    const values = [0, 9, 10, 99, 100, 4095, 4096, 99_999_999, 100_000_000, 2 ** 32, 2 ** 53 - 1];
    for (let d = 1; d <= 16; d++) values.push(10 ** d - 1, 10 ** d);
    values.push(
      2 ** 53,
      1.5,
      -0,
      -1,
      -(2 ** 53),
      1e21,
      1e-7,
      -1.7976931348623157e308,
      NaN,
      Infinity,
      -Infinity,
    );
    const objs = values.map((v, i) => ({ start: v, end: values[(i * 7) % values.length]! }));
    const cols = { count: objs.length, starts: objs.map((r) => r.start), ends: objs.map((r) => r.end) };
    // at depth 1 and deeper (a pair's indent follows its depth), and next to a table sharing the reused buffer
    const doc = (r: ReturnType<typeof jsonRanges>) => ({
      a: r,
      b: [{ c: [r] }],
      t: jsonTable(3, { n: Float64Array.of(1, 22, 333) }),
      d: r,
    });
    const want = JSON.stringify(doc(jsonRanges(objs)), null, 2);
    expect(want).toContain('null'); // NaN and the infinities
    for (const chunkChars of [1, 50, 1 << 16])
      for (const reuseBuffer of [false, true])
        for (const r of [jsonRanges(objs), jsonRanges(cols)]) {
          let got = '';
          for (const chunk of jsonChunks(doc(r), { chunkChars, reuseBuffer })) got += asText(chunk);
          expect(got).toBe(want);
        }
  });

  it('jsonRanges: runs of pairs of one shape (sorted pfns crossing 10^8 steps and digit counts) as JSON.stringify', () => {
    // pairRun writes a run of pairs from one template: each number's digit count and digits above the last 8 kept,
    // the last 8 written a column at a time; a pair that leaves the run (or has no template) starts another
    const r = prng(20261202);
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + Math.floor(r() * 3000);
      const starts = new Float64Array(n);
      const ends = new Float64Array(n);
      // near a power of ten or a multiple of 10^8, with steps small and large (24 TiB hosts: pfns past 2^32)
      let p = [0, 9_999_000, 99_990_000, 199_999_000, 999_999_000, 6_400_000_000, 2 ** 53 - 5000][trial % 7]!;
      for (let i = 0; i < n; i++) {
        p += [1, 2, 7, 512, 4096, 1_000_000][Math.floor(r() * 6)]!;
        const len = [1, 2, 512, 99_999_999][Math.floor(r() * 4)]!;
        starts[i] = p;
        ends[i] = p + len;
        p += len;
        const odd = r();
        if (odd < 0.01) starts[i] = [1.5, NaN, -1, 2 ** 53, Infinity][Math.floor(r() * 5)]!;
        else if (odd < 0.02) ends[i] = [0.25, -0, 1e21][Math.floor(r() * 3)]!;
      }
      const objs = Array.from(starts, (s, i) => ({ start: s, end: ends[i]! }));
      const want = JSON.stringify({ f: [{ ranges: objs.map((x) => [x.start, x.end]) }] }, null, 2);
      const chunkChars = [1, 300, 4096, 1 << 16][trial % 4]!;
      let got = '';
      for (const c of jsonChunks(
        { f: [{ ranges: jsonRanges({ count: n, starts, ends }) }] },
        { chunkChars, reuseBuffer: trial % 2 === 0 },
      ))
        got += asText(c);
      expect(got).toBe(want);
    }
  });

  it('never holds the whole text: a million ranges come out in chunks of the size asked for', () => {
    const n = 1_000_000;
    const starts = new Float64Array(n);
    const ends = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      starts[i] = i * 1024;
      ends[i] = i * 1024 + 512;
    }
    let total = 0;
    let longest = 0;
    let pieces = 0;
    writeJson({ ranges: jsonRanges({ count: n, starts, ends }) }, (c) => {
      total += c.length;
      longest = Math.max(longest, c.length);
      pieces++;
    });
    expect(longest).toBeLessThan((1 << 16) + 200);
    expect(pieces).toBeGreaterThan(100);
    expect(total).toBeGreaterThan(n * 20);
  });

  it('writeJson stops when the sink returns false (the reader went away)', () => {
    let calls = 0;
    const done = writeJson(
      { ranges: jsonRanges(Array.from({ length: 100_000 }, (_, i) => ({ start: i, end: i + 1 }))) },
      () => {
        calls++;
        return calls < 3;
      },
    );
    expect(done).toBe(false);
    expect(calls).toBe(3);
  });
});

/** `v` with some of its arrays (chance `p` each) given as jsonLater() over the same elements; `asked` logs get(). */
function withLater(v: unknown, r: () => number, p: number, asked: number[][]): unknown {
  if (v === null || typeof v !== 'object' || typeof (v as { toJSON?: unknown }).toJSON === 'function')
    return v;
  if (Array.isArray(v)) {
    const a = v.map((x) => withLater(x, r, p, asked));
    if (r() >= p) return a;
    const log: number[] = [];
    asked.push(log);
    return jsonLater(a.length, (i) => (log.push(i), a[i]));
  }
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v)) o[k] = withLater((v as Record<string, unknown>)[k], r, p, asked);
  return o;
}

describe('jsonLater: an array whose elements are asked for as the writer reaches them', () => {
  it('prints as the array it stands for, each element asked for once and in order (500 random documents)', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const r = prng(seed);
      const v = { top: randomValue(r, 0), list: [randomValue(r, 1), [randomValue(r, 2)], randomValue(r, 1)] };
      const want = JSON.stringify(v, null, 2);
      for (const chunk of [1, 5, 1 << 16]) {
        const asked: number[][] = [];
        const later = withLater(v, prng(seed * 7 + chunk), 0.6, asked);
        expect(text(later, chunk), `seed ${seed} chunk ${chunk}`).toBe(want);
        for (const log of asked) expect(log).toEqual(log.map((_, i) => i));
      }
    }
  });

  it('hands on all the text before an element before asking for it (get may wait for that element)', () => {
    const parts = [{ k: 0, s: 'a' }, [1, 2], 'three', { k: 3, deep: { x: [] } }];
    const doc = { schema: 's', list: jsonLater(parts.length, (i) => got(i)), after: 1 };
    const want = JSON.stringify({ ...doc, list: parts }, null, 2);
    let soFar = '';
    const seen: number[] = [];
    function got(i: number): unknown {
      seen.push(i);
      // what is out ends right before element i's text: the element's own first line comes next
      expect(want.startsWith(soFar)).toBe(true);
      expect(want.slice(soFar.length).startsWith(JSON.stringify(parts[i], null, 2).split('\n')[0]!)).toBe(
        true,
      );
      expect(soFar.endsWith('\n    ')).toBe(true);
      return parts[i];
    }
    for (const c of jsonChunks(doc, { chunkChars: 1 << 16 })) soFar += asText(c);
    expect(soFar).toBe(want);
    expect(seen).toEqual([0, 1, 2, 3]);
    // an empty one asks for nothing and prints []
    expect(text({ a: jsonLater(0, () => expect.fail('asked')) })).toBe(JSON.stringify({ a: [] }, null, 2));
  });
});

describe('packJson / unpackJson: a document carried to another thread', () => {
  const roundTrip = (v: unknown): { back: unknown; sizes: number[] } => {
    const p = packJson(v);
    const sizes = p.transfer.map((b) => b.byteLength);
    return { back: unpackJson(structuredClone(p.value, { transfer: p.transfer })), sizes };
  };

  it('prints the same text after a structured clone (500 random documents, and the special values)', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const v = randomValue(prng(seed), 0);
      expect(text(roundTrip(v).back), `seed ${seed}`).toBe(JSON.stringify(v, null, 2) ?? '');
    }
    const special = {
      a: undefined,
      b: () => 1,
      c: Symbol('x'),
      d: [undefined, () => 1],
      n: NaN,
      e: new Date(0),
    };
    expect(text(roundTrip(special).back)).toBe(JSON.stringify(special, null, 2));
  });

  it('range lists as typed columns of their own: Range[], typed views shorter than their buffer, 2^53 - 1', () => {
    const big = new Float64Array([5, 2 ** 40, 2 ** 53 - 1, 7, 9]);
    const ints = new Int32Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const doc = {
      findings: [
        {
          code: 'A',
          ranges: jsonRanges([
            { start: 1, end: 2 },
            { start: 10, end: 6_000_000_000 },
          ]),
        },
        { code: 'B', ranges: jsonRanges({ count: 2, starts: big.subarray(1), ends: big.subarray(2) }) },
        { code: 'C', ranges: jsonRanges({ count: 3, starts: ints.subarray(2, 7), ends: ints.subarray(3) }) },
        {
          code: 'D',
          ranges: jsonRanges({ count: 0, starts: new Float64Array(4), ends: new Float64Array(4) }),
        },
        { code: 'E', ranges: jsonRanges({ count: 2, starts: [3, 9], ends: [4, 12] }) },
      ],
      table: jsonTable(2, { a: new Float64Array([1, 2]), s: { codes: [0, 1], names: ['x', undefined] } }),
    };
    const { back, sizes } = roundTrip(doc);
    expect(text(back)).toBe(JSON.stringify(doc, null, 2));
    for (const chunk of [1, 7]) expect(text(back, chunk)).toBe(text(doc, chunk));
    // nothing to transfer: two columns a range list, each exactly its count long, copies in shared memory (the
    // originals are still there)
    expect(sizes).toEqual([]);
    const packed = (
      packJson(doc).value as { findings: { ranges: { starts: Float64Array; ends: Float64Array } }[] }
    ).findings;
    expect(packed.map((f) => [f.ranges.starts.byteLength, f.ranges.ends.byteLength])).toEqual([
      [16, 16],
      [16, 16],
      [12, 12],
      [0, 0],
      [16, 16],
    ]);
    for (const f of packed) expect(f.ranges.starts.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([...big]).toEqual([5, 2 ** 40, 2 ** 53 - 1, 7, 9]);
    expect(ints.byteLength).toBe(32);
  });

  it('range columns in shared memory go as views of it: nothing copied, the other side reads the same memory', () => {
    const S = new Float64Array(new SharedArrayBuffer(8 * 6)).fill(0);
    const E = new Float64Array(new SharedArrayBuffer(8 * 6)).fill(0);
    S.set([1, 5, 9]);
    E.set([2, 7, 11]);
    const ints = new Int32Array(new SharedArrayBuffer(4 * 4));
    ints.set([3, 4, 6, 8]);
    const doc = {
      a: jsonRanges({ count: 3, starts: S, ends: E }),
      b: jsonRanges({ count: 2, starts: ints, ends: ints.subarray(1) }),
      c: jsonRanges({ count: 1, starts: new Float64Array([20, 0]), ends: new Float64Array([21, 0]) }),
    };
    const p = packJson(doc);
    // only the plain columns (c's) are copied, each exactly its count long, into shared memory: nothing transferred
    expect(p.transfer).toEqual([]);
    const c = (p.value as { c: { starts: Float64Array; ends: Float64Array } }).c;
    expect([c.starts.byteLength, c.ends.byteLength]).toEqual([8, 8]);
    expect(c.starts.buffer).toBeInstanceOf(SharedArrayBuffer);
    const back = unpackJson(structuredClone(p.value, { transfer: p.transfer }));
    expect(text(back)).toBe(JSON.stringify(doc, null, 2));
    // the same memory: a write after packing shows on the other side (so the caller must not write until it is read)
    S[0] = 0;
    ints[1] = 40;
    expect(text(back)).toBe(
      JSON.stringify(
        {
          a: [
            [0, 2],
            [5, 7],
            [9, 11],
          ],
          b: [
            [3, 40],
            [40, 6],
          ],
          c: [[20, 21]],
        },
        null,
        2,
      ),
    );
  });

  it('packs every kind of range list into shared memory: nothing to transfer, so nothing detached', () => {
    // a transfer detaches its buffers, and V8's first detach in a process deoptimises every optimised function that
    // reads a typed array (the compare --json writer thread: the strategy after the first one paid for it)
    // pages 2-4 and 9-10 as stretches of a pfn column; blocks [0, 1) [2, 4) [10, 12) [20, 22) then the row [40, 45)
    const pts = pointStretches(Float64Array.of(2, 3, 4, 9, 10), Int32Array.of(0, 3), Int32Array.of(3, 5));
    const S = Float64Array.of(0, 2, 10, 20);
    const E = Float64Array.of(1, 4, 12, 22);
    const rs = Float64Array.of(40);
    const re = Float64Array.of(45);
    const runs = runStretches(S, E, rs, re, 1, Int32Array.of(0), Int32Array.of(0), Int32Array.of(4));
    const doc = {
      a: jsonRanges(pointColumns(pts)),
      b: jsonRanges(runColumns(runs)),
      c: jsonRanges([{ start: 1, end: 2 }]),
      d: jsonRanges({ count: 1, starts: Int32Array.of(4, 0), ends: Uint32Array.of(5, 0) }),
    };
    const p = packJson(doc);
    expect(p.transfer).toEqual([]);
    const typed: ArrayBufferView[] = [];
    const walk = (v: unknown): void => {
      if (ArrayBuffer.isView(v)) typed.push(v);
      else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
    };
    walk(p.value);
    expect(typed.length).toBe(14);
    for (const t of typed) expect(t.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(text(unpackJson(structuredClone(p.value)))).toBe(JSON.stringify(doc, null, 2));
  });

  it('refuses a jsonLater (its elements are not there to carry)', () => {
    expect(() => packJson({ a: jsonLater(1, () => 1) })).toThrow(/cannot be packed/);
  });
});
