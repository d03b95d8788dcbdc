// Random operation sequences (about 10k operations per version) keep both region arrays sorted, disjoint and
// minimal, and agree byte for byte with a reference model: one cell per address over a small address space.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MemblockType, MemblockVersion } from '../../src/sim/memblock.js';
import { MEMBLOCK_FLAGS, Memblock } from '../../src/sim/memblock.js';

const SPACE = 96;
const NIDS = [null, 0, 1, 2] as const;
const MEM_FLAGS = [
  MEMBLOCK_FLAGS.MEMBLOCK_HOTPLUG,
  MEMBLOCK_FLAGS.MEMBLOCK_MIRROR,
  MEMBLOCK_FLAGS.MEMBLOCK_NOMAP,
  MEMBLOCK_FLAGS.MEMBLOCK_DRIVER_MANAGED,
] as const;

/** One cell per address: present?, nid, flags. */
class RefType {
  present = new Array<boolean>(SPACE).fill(false);
  nid = new Array<number | null>(SPACE).fill(null);
  flags = new Array<number>(SPACE).fill(0);
  add(b: number, e: number, nid: number | null, flags: number): void {
    for (let a = b; a < e; a++)
      if (!this.present[a]) {
        this.present[a] = true;
        this.nid[a] = nid;
        this.flags[a] = flags;
      }
  }
  remove(b: number, e: number): void {
    for (let a = b; a < e; a++) this.present[a] = false;
  }
  setFlag(b: number, e: number, set: boolean, flag: number): void {
    for (let a = b; a < e; a++)
      if (this.present[a]) this.flags[a] = set ? this.flags[a]! | flag : this.flags[a]! & ~flag;
  }
  setNid(b: number, e: number, nid: number | null): void {
    for (let a = b; a < e; a++) if (this.present[a]) this.nid[a] = nid;
  }
}

type Op =
  | { op: 'add'; mem: boolean; b: number; e: number; nid: number | null; flags: number }
  | { op: 'remove'; mem: boolean; b: number; e: number }
  | { op: 'flag'; b: number; e: number; set: boolean; flag: number }
  | { op: 'node'; mem: boolean; b: number; e: number; nid: number | null };

const range = fc
  .tuple(fc.integer({ min: 0, max: SPACE - 1 }), fc.integer({ min: 1, max: 24 }))
  .map(([b, n]) => ({ b, e: Math.min(SPACE, b + n) }));
const nidArb = fc.constantFrom(...NIDS);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc
    .record({ r: range, mem: fc.boolean(), nid: nidArb, flags: fc.constantFrom(0, 0, 0, ...MEM_FLAGS) })
    .map(({ r, mem, nid, flags }) => ({ op: 'add' as const, mem, ...r, nid, flags: mem ? flags : 0 })),
  fc.record({ r: range, mem: fc.boolean() }).map(({ r, mem }) => ({ op: 'remove' as const, mem, ...r })),
  fc
    .record({ r: range, set: fc.boolean(), flag: fc.constantFrom(...MEM_FLAGS) })
    .map(({ r, set, flag }) => ({ op: 'flag' as const, set, flag, ...r })),
  fc
    .record({ r: range, mem: fc.boolean(), nid: nidArb })
    .map(({ r, mem, nid }) => ({ op: 'node' as const, mem, nid, ...r })),
);

function apply(mb: Memblock, ref: { memory: RefType; reserved: RefType }, o: Op): void {
  const size = o.e - o.b;
  switch (o.op) {
    case 'add':
      mb.addRange(o.mem ? mb.memory : mb.reserved, o.b, size, o.nid, o.flags);
      (o.mem ? ref.memory : ref.reserved).add(o.b, o.e, o.nid, o.flags);
      break;
    case 'remove':
      if (o.mem) mb.remove(o.b, size);
      else mb.physFree(o.b, size);
      (o.mem ? ref.memory : ref.reserved).remove(o.b, o.e);
      break;
    case 'flag':
      mb.setclrFlag(mb.memory, o.b, size, o.set, o.flag);
      ref.memory.setFlag(o.b, o.e, o.set, o.flag);
      break;
    case 'node':
      mb.setNode(o.b, size, o.mem ? mb.memory : mb.reserved, o.nid);
      (o.mem ? ref.memory : ref.reserved).setNid(o.b, o.e, o.nid);
      break;
  }
}

/** Sorted, disjoint, no empty region, minimal (no touching neighbours with equal nid and flags), total = sum. */
function invariantError(t: MemblockType): string | null {
  let sum = 0;
  for (let i = 0; i < t.count; i++) {
    if (t.size(i) <= 0) return `${t.name}[${i}] is empty`;
    sum += t.size(i);
    if (i === 0) continue;
    if (t.end(i - 1) > t.base(i)) return `${t.name}[${i - 1}] overlaps or is out of order with [${i}]`;
    if (t.end(i - 1) === t.base(i) && t.nid(i - 1) === t.nid(i) && t.flags(i - 1) === t.flags(i))
      return `${t.name}[${i - 1}] and [${i}] should have merged`;
  }
  return t.totalSize === sum ? null : `${t.name}.total_size ${t.totalSize} != ${sum}`;
}

/** Every address: present in the model iff in the reference, with the same nid and flags. */
function refError(t: MemblockType, ref: RefType): string | null {
  const present = new Array<boolean>(SPACE).fill(false);
  for (const r of t.regions()) {
    for (let a = r.base; a < r.base + r.size; a++) {
      present[a] = true;
      if (!ref.present[a] || ref.nid[a] !== r.nid || ref.flags[a] !== r.flags)
        return `${t.name} @${a}: model nid ${r.nid} flags ${r.flags}, reference ${ref.present[a] ? `nid ${ref.nid[a]} flags ${ref.flags[a]}` : 'absent'}`;
    }
  }
  for (let a = 0; a < SPACE; a++)
    if (present[a] !== ref.present[a]) return `${t.name} @${a}: missing in the model`;
  return null;
}

/** for_each_free_mem_range with flags NONE and any node: present memory without NOMAP/DRIVER_MANAGED, not reserved. */
function freeError(mb: Memblock, ref: { memory: RefType; reserved: RefType }): string | null {
  const skipFlags = MEMBLOCK_FLAGS.MEMBLOCK_NOMAP | MEMBLOCK_FLAGS.MEMBLOCK_DRIVER_MANAGED;
  const got = new Array<boolean>(SPACE).fill(false);
  let prevEnd = -1;
  for (const r of mb.freeMemRanges()) {
    if (r.start >= r.end || r.start < prevEnd) return `free range ${r.start}-${r.end} empty or out of order`;
    prevEnd = r.end;
    for (let a = r.start; a < r.end; a++) got[a] = true;
  }
  for (let a = 0; a < SPACE; a++) {
    const want =
      ref.memory.present[a]! && (ref.memory.flags[a]! & skipFlags) === 0 && !ref.reserved.present[a];
    if (got[a] !== want) return `free @${a}: model ${got[a]}, reference ${want}`;
  }
  return null;
}

describe.each<MemblockVersion>(['v6.1', 'newest'])('random operations (%s)', (version) => {
  it('match the per-address reference model and keep the arrays minimal', () => {
    let ops = 0;
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 100, maxLength: 200 }), (seq) => {
        const mb = new Memblock({ version });
        const ref = { memory: new RefType(), reserved: new RefType() };
        for (const o of seq) {
          apply(mb, ref, o);
          ops++;
          const bad = invariantError(mb.memory) ?? invariantError(mb.reserved);
          if (bad !== null) return expect.fail(`after ${JSON.stringify(o)}: ${bad}`);
        }
        const bad =
          refError(mb.memory, ref.memory) ?? refError(mb.reserved, ref.reserved) ?? freeError(mb, ref);
        expect(bad).toBeNull();
      }),
      { numRuns: 100, seed: version === 'v6.1' ? 61 : 616 },
    );
    expect(ops).toBeGreaterThanOrEqual(10_000);
  });
});
