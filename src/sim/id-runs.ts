// A column of state ids kept as runs (issue 10): the memmap's block layer holds two state ids a block (head, tail),
// 33 MB a column at 8M blocks, yet where strategies diverge the whole column is a few dozen runs (one id over every
// block of a memory range) and a copy waiting for its strategy holds its tails as a few dozen runs too. A map keeps
// such a column as runs while nobody reads it (src/sim/fork.ts forkContext 'take' and 'wait'), and writes it out
// whole when it is used.

/** ids[k] over blocks [at[k], at[k + 1]) (the last up to len), no two neighbours equal. Immutable (frozen). */
export interface IdRuns {
  readonly at: Int32Array;
  readonly ids: Int32Array;
  readonly n: number;
  /** The column's length. */
  readonly len: number;
}

/**
 * The runs of col[0, len) when there are at most `max` of them, else null (the pass stops at the run past max). One
 * pass over the column: eight ids a step while they equal the one before (a few dozen runs over 8M blocks: ~4 ms
 * once compiled), else id by id.
 */
export function idRunsOf(col: Int32Array, len: number, max: number): IdRuns | null {
  if (len > col.length) return null;
  if (len === 0) return Object.freeze({ at: new Int32Array(0), ids: new Int32Array(0), n: 0, len: 0 });
  if (!primed && len >= PRIME_LEN) prime();
  return runsOf(col, len, max);
}

function runsOf(col: Int32Array, len: number, max: number): IdRuns | null {
  let at = new Int32Array(Math.max(1, Math.min(max, 256)));
  let ids = new Int32Array(at.length);
  let prev = col[0]!;
  at[0] = 0;
  ids[0] = prev;
  let n = 1;
  let i = 1;
  const end8 = len - 8;
  while (i < len) {
    // eight ids a step while they all equal the one before
    while (i <= end8) {
      const x =
        (col[i]! ^ prev) |
        (col[i + 1]! ^ prev) |
        (col[i + 2]! ^ prev) |
        (col[i + 3]! ^ prev) |
        (col[i + 4]! ^ prev) |
        (col[i + 5]! ^ prev) |
        (col[i + 6]! ^ prev) |
        (col[i + 7]! ^ prev);
      if (x !== 0) break;
      i += 8;
    }
    // then the next eight (or the last few) one by one
    const stop = i + 8 < len ? i + 8 : len;
    for (; i < stop; i++) {
      const v = col[i]!;
      if (v === prev) continue;
      if (n >= max) return null;
      if (n === at.length) {
        const m = Math.min(max, 2 * n);
        const a = new Int32Array(m);
        a.set(at);
        at = a;
        const d = new Int32Array(m);
        d.set(ids);
        ids = d;
      }
      at[n] = i;
      ids[n] = v;
      n++;
      prev = v;
    }
  }
  return Object.freeze({ at: at.slice(0, n), ids: ids.slice(0, n), n, len });
}

/**
 * The pass compiled before its first long column: run once, it would run mostly in the interpreter until V8 swaps it
 * mid-loop (a first pass over 8M ids ~4x the time of a compiled one, measured on the 8M bench bundle's columns).
 */
const PRIME_LEN = 1 << 16;
let primed = false;
function prime(): void {
  primed = true;
  const c = new Int32Array(4096);
  c.fill(1, 0, 1001);
  c.fill(2, 1001, 1003);
  c.fill(-1, 1003);
  for (let k = 0; k < 200; k++) runsOf(c, c.length, 8);
}

/** Write the runs out: out[0, r.len) as the column they were taken from (out.length >= r.len). */
export function fillIdRuns(r: IdRuns, out: Int32Array): void {
  const { at, ids, n, len } = r;
  for (let k = 0; k < n; k++) {
    const a = at[k]!;
    const b = k + 1 < n ? at[k + 1]! : len;
    // short runs (a head column's, ~9 blocks a run) by a loop, long ones by fill()
    if (b - a < 32) for (let i = a; i < b; i++) out[i] = ids[k]!;
    else out.fill(ids[k]!, a, b);
  }
}
