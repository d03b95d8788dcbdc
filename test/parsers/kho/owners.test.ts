// OwnerAttributor searches each claim's first block from where the last claim ended (galloping forward, or a
// binary search below): whatever order claims arrive in, owners, conflicts, missing claims and the bytes each claim
// covered must be those of a plain scan over every block.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiagnosticSink } from '../../../src/core/index.js';
import { KHO_OWNER, OwnerAttributor } from '../../../parsers/kho/index.js';
import type { KhoOwnerKind } from '../../../parsers/kho/owners.js';

const PAGE = 4096;

interface Claim {
  readonly start: number;
  readonly len: number;
  readonly kind: KhoOwnerKind;
  readonly ref: number;
}

/**
 * The rule as the attributor has always applied it, with a linear search: the blocks from the first one at or after
 * the claim's start that begin below its end, plus the one block before it when that one reaches into the claim
 * (with overlapping blocks, an anomaly reported as KHO_BLOCK_OVERLAP, blocks further back are not looked at).
 */
function naive(phys: readonly number[], order: readonly number[], claims: readonly Claim[]) {
  const kind = phys.map(() => 0);
  const ref = phys.map(() => -1);
  const bytes: number[] = [];
  const missing = new Map<number, number>();
  let conflicts = 0;
  const size = (i: number) => PAGE * 2 ** order[i]!;
  for (const c of claims) {
    let i = phys.findIndex((p) => p >= c.start);
    if (i < 0) i = phys.length;
    if (i > 0 && phys[i - 1]! + size(i - 1) > c.start) i--;
    let n = 0;
    let b = 0;
    for (; i < phys.length && phys[i]! < c.start + c.len; i++) {
      if (phys[i]! + size(i) <= c.start) continue;
      n++;
      b += size(i);
      if (kind[i] === 0) {
        kind[i] = c.kind;
        ref[i] = c.ref;
      } else if (kind[i] !== c.kind || ref[i] !== c.ref) conflicts++;
    }
    bytes.push(b);
    if (n === 0) missing.set(c.kind, (missing.get(c.kind) ?? 0) + 1);
  }
  return { kind, ref, bytes, conflicts, missing: [...missing] };
}

const kinds = [KHO_OWNER.SUBTREE, KHO_OWNER.MEMFD_FOLIO, KHO_OWNER.VMALLOC_DATA] as const;

/** `a` (claimed through the fast path) and `b` (claimed page by page) agree on every column and count; a's finish(). */
function expectSameClaims(a: OwnerAttributor, b: OwnerAttributor) {
  expect([...a.kind]).toEqual([...b.kind]);
  expect([a.conflicts, a.conflictExample]).toEqual([b.conflicts, b.conflictExample]);
  expect([...a.missing]).toEqual([...b.missing]);
  const [ca, cb] = [a, b].map((o) => o.finish(new DiagnosticSink(), 'memory.core'));
  expect([...ca!.ref]).toEqual([...cb!.ref]);
  expect(ca!.unattributed).toBe(cb!.unattributed);
  return ca!;
}

describe('OwnerAttributor', () => {
  it('claims in any order (ascending runs, jumps back, blocks inside claims and claims inside blocks) match a scan', () => {
    const block = fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 3 }));
    const claim = fc.record({
      start: fc.integer({ min: 0, max: 210 * PAGE }),
      len: fc.integer({ min: 1, max: 9 * PAGE }),
      kind: fc.constantFrom(...kinds),
      ref: fc.integer({ min: -1, max: 2 }),
    });
    fc.assert(
      fc.property(
        fc.array(block, { maxLength: 80 }),
        fc.array(claim, { maxLength: 60 }),
        fc.boolean(),
        (blocks, claims, ascending) => {
          const sorted = [...blocks].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
          const phys = sorted.map((b) => b[0] * PAGE);
          const order = sorted.map((b) => b[1]);
          const cs = ascending ? [...claims].sort((a, b) => a.start - b.start) : claims;
          const o = new OwnerAttributor(
            { count: phys.length, phys: Float64Array.from(phys), order: Uint8Array.from(order) },
            PAGE,
          );
          const bytes = cs.map((c) => o.claim(c.start, c.start + c.len, c.kind, c.ref));
          const cols = o.finish(new DiagnosticSink(), 'memory.core');
          const want = naive(phys, order, cs);
          expect({
            kind: [...cols.kind],
            ref: [...cols.ref],
            bytes,
            conflicts: o.conflicts,
            missing: [...o.missing].map(([k, m]) => [k, m.count]),
          }).toEqual(want);
          // the ref column is made on first read (from the stored ref + 1), once: a second read is the same column
          expect(cols.ref).toBe(cols.ref);
          expect([...cols.ref]).toEqual(want.ref);
          // counted as claims give owners, not by a pass over the kind column
          expect(cols.unattributed).toBe(want.kind.filter((k) => k === KHO_OWNER.UNATTRIBUTED).length);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("claimPages (a memfd's folios) does what claim() of each page in turn does", () => {
    const block = fc.tuple(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 2 }));
    fc.assert(
      fc.property(
        fc.array(block, { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 130 }), { maxLength: 80 }),
        fc.array(fc.integer({ min: 0, max: 130 }), { maxLength: 5 }),
        (blocks, pages, before) => {
          const sorted = [...blocks].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
          const cols = () => ({
            count: sorted.length,
            phys: Float64Array.from(sorted, (b) => b[0] * PAGE),
            order: Uint8Array.from(sorted, (b) => b[1]),
          });
          const a = new OwnerAttributor(cols(), PAGE);
          const b = new OwnerAttributor(cols(), PAGE);
          // some pages already owned by another structure: conflicts
          for (const o of [a, b])
            for (const p of before) o.claim(p * PAGE, p * PAGE + 1, KHO_OWNER.SUBTREE, 0);
          const got = a.claimPages(
            Float64Array.from(pages),
            pages.length,
            PAGE,
            KHO_OWNER.MEMFD_FOLIO,
            3,
            'f',
          );
          const want = pages.reduce(
            (sum, p) => sum + b.claim(p * PAGE, (p + 1) * PAGE, KHO_OWNER.MEMFD_FOLIO, 3, 'f', p),
            0,
          );
          expect(got).toBe(want);
          const ca = expectSameClaims(a, b);
          expect(ca.unattributed).toBe([...a.kind].filter((k) => k === KHO_OWNER.UNATTRIBUTED).length);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('claimPages over stretches of pages that are each the next block (its fast loop) does what claim() does', () => {
    // blocks mostly of one page, side by side, some larger, overlapping or missing; the pages are the blocks'
    // starts in order with edits (a page skipped, repeated, one inside a larger block, one that is no block)
    const block = fc.tuple(fc.integer({ min: -1, max: 3 }), fc.constantFrom(0, 0, 0, 0, 1, 2));
    const edit = fc.constantFrom('keep', 'keep', 'keep', 'keep', 'skip', 'again', 'inside', 'stray');
    fc.assert(
      fc.property(
        fc.array(block, { maxLength: 80 }),
        fc.array(edit, { maxLength: 80 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 4 }),
        fc.integer({ min: 1, max: 9 }),
        (gaps, edits, before, batch) => {
          // gap -1: the next block starts at the same page; 0 after a block of order > 0: inside it (overlaps)
          let pfn = 0;
          const sorted: [number, number][] = [];
          for (const [gap, o] of gaps) {
            sorted.push([pfn, o]);
            pfn += gap === -1 ? 0 : gap === 0 ? 1 : gap === 1 ? 2 ** o : 2 ** o + gap;
          }
          sorted.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
          const cols = () => ({
            count: sorted.length,
            phys: Float64Array.from(sorted, (b) => b[0] * PAGE),
            order: Uint8Array.from(sorted, (b) => b[1]),
          });
          const pages: number[] = [];
          sorted.forEach(([p, o], i) => {
            const e = edits[i % Math.max(1, edits.length)] ?? 'keep';
            if (e !== 'skip') pages.push(p);
            if (e === 'again') pages.push(p);
            if (e === 'inside' && o > 0) pages.push(p + 1);
            if (e === 'stray') pages.push(p + 2 ** o + 1000);
          });
          const a = new OwnerAttributor(cols(), PAGE);
          const b = new OwnerAttributor(cols(), PAGE);
          for (const o of [a, b])
            for (const p of before) o.claim(p * PAGE, p * PAGE + 1, KHO_OWNER.SUBTREE, 0);
          // in batches, as decodeMemfd hands them over
          let got = 0;
          for (let k = 0; k < pages.length; k += batch) {
            const part = Float64Array.from(pages.slice(k, k + batch));
            got += a.claimPages(part, part.length, PAGE, KHO_OWNER.MEMFD_FOLIO, 3, 'f');
          }
          const want = pages.reduce(
            (sum, p) => sum + b.claim(p * PAGE, (p + 1) * PAGE, KHO_OWNER.MEMFD_FOLIO, 3, 'f', p),
            0,
          );
          expect(got).toBe(want);
          expectSameClaims(a, b);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('findUnclaimed: the first unclaimed block of a range that matches, in phys order', () => {
    const phys = Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7].map((p) => p * PAGE));
    const o = new OwnerAttributor({ count: 8, phys, order: new Uint8Array(8) }, PAGE);
    o.claim(2 * PAGE, 3 * PAGE, KHO_OWNER.SUBTREE, 0);
    expect(o.findUnclaimed(1 * PAGE, 6 * PAGE, (i) => i % 2 === 0)).toBe(4);
    expect(o.findUnclaimed(1 * PAGE, 4 * PAGE, (i) => i % 2 === 0)).toBe(-1);
    expect(o.findUnclaimed(0, Infinity, () => true)).toBe(0);
    expect(o.findUnclaimed(7.5 * PAGE, Infinity, () => true)).toBe(-1);
  });
});
