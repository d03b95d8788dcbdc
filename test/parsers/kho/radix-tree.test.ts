// kho-v2/v3 radix trees (spec 4.2): geometry, key encoding checked by hand against the spec's examples, and
// located errors for cycles, missing nodes and impossible keys.
import { describe, expect, it } from 'vitest';
import { hex } from '../../../src/core/index.js';
import { radixGeometry } from '../../../parsers/kho/index.js';
import { buildKhoImage } from '../../builders/kho-image.js';
import { RAM, U64, decodeBuilt, expectTraceError, pairs } from './helpers.js';

const table = (img: ReturnType<typeof buildKhoImage>, phys: number) =>
  new DataView(img.pages.get(phys)!.buffer);

describe('radix geometry (KHO_TREE_MAX_DEPTH, spec 4.2.1)', () => {
  it('depth 6 at 4 KiB for v2 and v3; 4 and 5 at 16 KiB; 4 and 4 at 64 KiB', () => {
    expect(radixGeometry('kho-v2', 12)).toEqual({ order0Log2: 52, tableLog2: 9, bitmapLog2: 15, depth: 6 });
    expect(radixGeometry('kho-v3', 12).depth).toBe(6);
    expect(radixGeometry('kho-v2', 14).depth).toBe(4);
    expect(radixGeometry('kho-v3', 14).depth).toBe(5);
    expect(radixGeometry('kho-v2', 16).depth).toBe(4);
    expect(radixGeometry('kho-v3', 16).depth).toBe(4);
  });

  it("kho-v4 keeps kho-v3's +1 (linux v7.3-rc7 KHO_TREE_MAX_DEPTH): 6, 5, 4", () => {
    expect(radixGeometry('kho-v4', 12).depth).toBe(6);
    expect(radixGeometry('kho-v4', 14).depth).toBe(5);
    expect(radixGeometry('kho-v4', 16).depth).toBe(4);
  });
});

describe('radix key encoding (spec 4.2.2 examples)', () => {
  it('phys 0x1_2345_6000 order 0: L5 = 2, L4..L2 = 0, L1 = 0x24, leaf bit 0x3456', () => {
    const img = buildKhoImage({ abi: 'kho-v2', ram: RAM, blocks: [{ phys: 0x1_2345_6000, order: 0 }] });
    let node = table(img, img.memoryMapPhys);
    const path: number[] = [];
    for (let level = 5; level >= 1; level--) {
      const idx = [...Array(512).keys()].filter((i) => U64(node, i * 8) !== 0);
      expect(idx.length).toBe(1);
      path.push(idx[0]!);
      node = table(img, U64(node, idx[0]! * 8));
    }
    expect(path).toEqual([2, 0, 0, 0, 0x24]);
    const bits = [...Array(32768).keys()].filter((b) => (node.getUint8(b >> 3) >> (b & 7)) & 1);
    expect(bits).toEqual([0x3456]);
    expect(pairs(decodeBuilt(img))).toEqual([[0x1_2345_6000, 0]]);
  });

  it('phys 0x4000_0000 order 9: L5 = 0, L4 = 2, L3..L1 = 0, leaf bit 0x200', () => {
    const img = buildKhoImage({ abi: 'kho-v3', ram: RAM, blocks: [{ phys: 0x4000_0000, order: 9 }] });
    let node = table(img, img.memoryMapPhys);
    const path: number[] = [];
    for (let level = 5; level >= 1; level--) {
      const idx = [...Array(512).keys()].filter((i) => U64(node, i * 8) !== 0);
      path.push(idx[0]!);
      node = table(img, U64(node, idx[0]! * 8));
    }
    expect(path).toEqual([0, 2, 0, 0, 0]);
    expect(node.getUint8(0x200 >> 3)).toBe(1 << (0x200 & 7));
    expect(pairs(decodeBuilt(img))).toEqual([[0x4000_0000, 9]]);
  });

  it('order-1 keys sit under L5 = 1; huge orders decode (1 GiB, 4 GiB, and order 40, the largest below 2^52)', () => {
    const blocks = [
      { phys: 0x2000, order: 1 },
      { phys: 0x4000_0000, order: 18 },
      { phys: 0x1_0000_0000, order: 20 },
      { phys: 0x0, order: 40 },
    ];
    const img = buildKhoImage({ abi: 'kho-v3', ram: [{ start: 2 ** 52, end: 2 ** 52 + 2 ** 30 }], blocks });
    expect(U64(table(img, img.memoryMapPhys), 8)).not.toBe(0);
    const d = decodeBuilt(img);
    expect(pairs(d)).toEqual([
      [0, 40],
      [0x2000, 1],
      [0x4000_0000, 18],
      [0x1_0000_0000, 20],
    ]);
    expect(d.diagnostics.map((x) => x.code)).toContain('KHO_BLOCK_OVERLAP');
    expect(d.diagnostics.find((x) => x.code === 'KHO_ORDER_ABOVE_MAX')?.message).toMatch(/^3 preserved/);
  });
});

describe('radix malformed trees', () => {
  const base = () =>
    buildKhoImage({
      abi: 'kho-v2',
      ram: RAM,
      blocks: [
        { phys: 0x1_0000_0000, order: 0 },
        { phys: 0x4000_0000, order: 9 },
      ],
    });

  it('a table entry pointing back at the root: KHO_ERR_CYCLE naming the level and index', () => {
    const img = base();
    const root = table(img, img.memoryMapPhys);
    const l4 = table(img, U64(root, 2 * 8));
    l4.setUint32(7 * 8, img.memoryMapPhys % 2 ** 32, true);
    l4.setUint32(7 * 8 + 4, Math.floor(img.memoryMapPhys / 2 ** 32), true);
    const e = expectTraceError(() => decodeBuilt(img), 'KHO_ERR_CYCLE', /radix level 4\.table\[7\]/);
    // Located at the slot that closes the loop, not at the root it points back to.
    expect(e.location.field).toMatch(new RegExp(`@ phys ${hex(U64(root, 2 * 8) + 7 * 8)}$`));
    expect(e.found).toBe(`the node of radix level 5 (key prefix 0x0) again, at ${hex(img.memoryMapPhys)}`);
  });

  it('a child outside the dump: KHO_ERR_NOT_IN_DUMP naming the level', () => {
    const img = base();
    const root = table(img, img.memoryMapPhys);
    root.setUint32(3 * 8, 0x9000, true);
    const e = expectTraceError(() => decodeBuilt(img), 'KHO_ERR_NOT_IN_DUMP', /radix level 5\.table\[3\]/);
    expect(e.location.field).toMatch(new RegExp(`@ phys ${hex(img.memoryMapPhys + 3 * 8)}$`));
    expect(e.expected).toMatch(/^radix level 4 \(key prefix 0x[0-9a-f]+\) at 0x9000: /);
  });

  it('a key with a bit above the order-0 marker (L5 index 4): KHO_ERR_BADORDER', () => {
    const img = base();
    const root = table(img, img.memoryMapPhys);
    // Re-hang the order-0 subtree (L5 = 2) at L5 = 4: every key in it has bit 53 set, above the bit-52 marker.
    root.setUint32(4 * 8, root.getUint32(2 * 8, true), true);
    root.setUint32(4 * 8 + 4, root.getUint32(2 * 8 + 4, true), true);
    root.setUint32(2 * 8, 0, true);
    root.setUint32(2 * 8 + 4, 0, true);
    expectTraceError(() => decodeBuilt(img), 'KHO_ERR_BADORDER', /radix leaf/);
  });

  it('L5 index 3 is order 0 with key bit 51 set: a block far above 2^53, KHO_ERR_RANGE', () => {
    const img = base();
    const root = table(img, img.memoryMapPhys);
    root.setUint32(3 * 8, root.getUint32(2 * 8, true), true);
    root.setUint32(3 * 8 + 4, root.getUint32(2 * 8 + 4, true), true);
    root.setUint32(2 * 8, 0, true);
    root.setUint32(2 * 8 + 4, 0, true);
    expectTraceError(() => decodeBuilt(img), 'KHO_ERR_RANGE', /radix leaf/);
  });

  it('a root outside the dump: KHO_ERR_NOT_IN_DUMP from preserved-memory-map', () => {
    const img = base();
    img.pages.delete(img.memoryMapPhys);
    expectTraceError(() => decodeBuilt(img), 'KHO_ERR_NOT_IN_DUMP', /preserved-memory-map/);
  });
});
