// The KHO phases on a real host (traces/qemu/b-16g-2node): kho_populate's ABI check, kho_memory_init's
// reservations, the restore checks of each era, restore kinds, and strategies written in one file.
import { describe, expect, it } from 'vitest';
import { rangeList } from '../../src/core/index.js';
import { RequestError, UsageError } from '../../src/core/index.js';
import type { Finding } from '../../src/check/kho-findings.js';
import { check } from '../../src/check/kho-findings.js';
import { replay } from '../../src/sim/replay.js';
import { scenarioOf } from './scenario-of.js';
import { parseRestoreKinds } from '../../src/cli/scenario.js';
import { classifyBlocks } from '../../src/sim/phases/kho-run.js';
import type { KhoImageInput } from '../../src/sim/phases/kho-types.js';
import { PROFILES, findProfile, profileForImage } from '../../src/sim/profiles.js';
import type { KhoStrategy } from '../../src/sim/strategies/index.js';
import { findStrategy } from '../../src/sim/strategies/index.js';
import { hostFromQemuTrace } from './host-from-trace.js';
import { B16_CLEAN, PAGE, imageOf } from './kho-fixtures.js';

const host = hostFromQemuTrace('b-16g-2node');
const only = (fs: readonly Finding[], code: string): Finding[] => fs.filter((f) => f.code === code);

describe('profiles', () => {
  it('follow the image ABI by default', () => {
    expect(profileForImage('kho-v1', '512', false).name).toBe('v6.17');
    expect(profileForImage('kho-v1', 'page', false).name).toBe('v6.18');
    expect(profileForImage('kho-v1', 'page', true).name).toBe('v6.19');
    expect(profileForImage('kho-v2', null, true).name).toBe('kho-v2');
    // the released kernel that writes the ABI: v7.1 for kho-v3, the newest release for kho-v4
    expect(profileForImage('kho-v3', null, true).name).toBe('v7.1');
    expect(profileForImage('kho-v4', null, true).name).toBe('v7.3');
  });
  it('each names a registered default strategy and states deferral, memblock and restore checks', () => {
    for (const p of PROFILES) {
      expect(findStrategy(p.defaultStrategy).name).toBe(p.defaultStrategy);
      expect(typeof p.deferredDefault).toBe('boolean');
      expect(p.keepsMemblock).toBe('arch');
      if (p.deferredDefault) expect(p.deferredAllowed).toBe(true);
    }
    expect(findProfile('kho-v3').restoreChecksMaxOrder).toBe(false);
    expect(findProfile('v6.18').restoreChecksMaxOrder).toBe(true);
    expect(() => findProfile('v9.9')).toThrow(RequestError);
  });
  it('a kho-v4 image replays clean by default on v7.3 (deferral on, init-deferred-page)', () => {
    const r = replay(host, imageOf(B16_CLEAN, { abi: 'kho-v4' }));
    expect([r.kho!.profile.name, r.kho!.strategy.name, r.deferred.on]).toEqual([
      'v7.3',
      'init-deferred-page',
      true,
    ]);
    expect(check(r).filter((f) => f.severity === 'error')).toEqual([]);
  });
});

describe('kho_populate', () => {
  // Expect: a kho-v1 root on a radix-era kernel is refused, nothing is reserved, the blocks go to the buddy.
  it('refuses an image of another ABI, and the preserved memory is freed to the buddy', () => {
    const fs = check(
      replay(host, imageOf(B16_CLEAN, { abi: 'kho-v1' }), scenarioOf({ profile: 'kho-v3', deferred: 'off' })),
    );
    expect(only(fs, 'KHO_REVIVAL_DISABLED')[0]!.blocks).toBe(B16_CLEAN.length);
    const freed = only(fs, 'KHO_FREED_TO_BUDDY')[0]!;
    expect(freed.pages).toBe(B16_CLEAN.reduce((n, b) => n + 2 ** b.order, 0));
    expect(freed.phase).toBe('memblock_free_all');
  });
  it('with deferral on, the deferred part is freed by deferred init instead', () => {
    const image = imageOf(B16_CLEAN, { abi: 'kho-v1' });
    const fs = check(replay(host, image, scenarioOf({ profile: 'kho-v3', deferred: 'on' })));
    const byPhase = Object.fromEntries(
      only(fs, 'KHO_FREED_TO_BUDDY').map((f) => [f.kernelFunction, f.pages]),
    );
    // eager: 0x104000/9, 0x106001/0, 0x284000/9; the rest lies above first_deferred_pfn
    expect(byPhase).toEqual({
      memblock_free_all: 512 + 1 + 512,
      deferred_init_memmap: 512 + 1024 + 16384 + 1024 + 65536 + 1,
    });
  });
});

describe('kho-v1 bitmap sizes', () => {
  // Expect: a 6.16 image (512-byte bitmaps) read by 6.18 (page bitmaps): same compatible, wrong bits.
  it('flags an image whose bitmap size the kernel does not read, and its memory goes to the buddy', () => {
    const image = imageOf(B16_CLEAN, { abi: 'kho-v1', bitmapFormat: '512' });
    const fs = check(replay(host, image, scenarioOf({ profile: 'v6.18', deferred: 'off' })));
    expect(only(fs, 'KHO_BITMAP_FORMAT_MISMATCH')[0]!.blocks).toBe(B16_CLEAN.length);
    expect(only(fs, 'KHO_FREED_TO_BUDDY')).toHaveLength(1);
    const same = check(replay(host, image, scenarioOf({ profile: 'v6.17', deferred: 'off' })));
    expect(only(same, 'KHO_BITMAP_FORMAT_MISMATCH')).toEqual([]);
  });
});

describe('kho_memory_init', () => {
  it('reserves every block with MEMBLOCK_RSRV_NOINIT, so memblock_free_all neither frees nor reserves them', () => {
    const r = replay(host, imageOf(B16_CLEAN), scenarioOf({ strategy: 'none', deferred: 'off' }));
    const noinit = r.layout.memRanges.length > 0 && r.kho!.run.blocks.length === B16_CLEAN.length;
    expect(noinit).toBe(true);
    for (const b of r.kho!.run.blocks) {
      const st = r.memmap.stateAt(b.startPfn);
      expect([st.buddy, st.reserved, st.initCount]).toEqual([false, false, 1]);
    }
  });
  it('flags preserved memory outside RAM (the hole below 4 GiB)', () => {
    const fs = check(replay(host, imageOf([{ pfn: 0xc0000, order: 9 }]), scenarioOf({ deferred: 'off' })));
    expect(rangeList(only(fs, 'KHO_OUTSIDE_RAM')[0]!.ranges)).toEqual([{ start: 0xc0000, end: 0xc0200 }]);
  });
  it('flags preserved memory the host had reserved', () => {
    const fs = check(replay(host, imageOf([{ pfn: 0x27fe00, order: 9 }]), scenarioOf({ deferred: 'off' })));
    expect(rangeList(only(fs, 'KHO_OVERLAPS_RESERVED')[0]!.ranges)).toEqual([
      { start: 0x27ffd5, end: 0x280000 },
    ]);
  });
  it('before the scratch fix, deferred init initialises free scratch a second time', () => {
    const fs = check(
      replay(
        host,
        imageOf([], { abi: 'kho-v1' }),
        scenarioOf({
          profile: 'v6.18',
          strategy: 'init-deferred-page',
          deferred: 'on',
        }),
      ),
    );
    const dbl = only(fs, 'STRUCT_PAGE_DOUBLE_INIT');
    expect(dbl.map((f) => f.kernelFunction)).toContain('deferred_init_pages');
    const fixed = check(
      replay(host, imageOf([]), scenarioOf({ profile: 'kho-v3-deferred-fix', deferred: 'on' })),
    );
    expect(only(fixed, 'STRUCT_PAGE_DOUBLE_INIT')).toEqual([]);
  });
});

describe('restore checks per era', () => {
  const big = [{ pfn: 0x300000, order: 11 }];
  it('6.18 refuses an order above MAX_PAGE_ORDER at restore; KR3 restores it', () => {
    const v618 = check(
      replay(host, imageOf(big, { abi: 'kho-v1' }), scenarioOf({ profile: 'v6.18', deferred: 'off' })),
    );
    expect(only(v618, 'KHO_ORDER_ABOVE_MAX')[0]!.kernelFunction).toBe('kho_restore_page');
    const kr3 = check(replay(host, imageOf(big), scenarioOf({ profile: 'kho-v3', deferred: 'off' })));
    expect(only(kr3, 'KHO_ORDER_ABOVE_MAX')).toEqual([]);
  });
  it('does not flag an order above MAX_PAGE_ORDER that is never restored', () => {
    const fs = check(
      replay(
        host,
        imageOf(big, { abi: 'kho-v1' }),
        scenarioOf({
          profile: 'v6.18',
          deferred: 'off',
          restore: 'none',
        }),
      ),
    );
    expect(only(fs, 'KHO_ORDER_ABOVE_MAX')).toEqual([]);
  });

  // A strategy that initialises after page->private is written (the ordering Tatashin's objection assumes).
  const late: KhoStrategy = {
    name: 'test-init-after-write',
    source: 'test',
    summary: '__init_page_from_nid() on every page after the head write',
    deserializeInit: 'after-order-write',
    deserialize(b, ctx) {
      ctx.initPagesFromNid(b.startPfn, b.endPfn, ctx.earlyPfnToNid(b.startPfn));
    },
  };
  it('an init after the head write loses the order: 6.18+ restore fails on the magic', () => {
    const fs = check(replay(host, imageOf(B16_CLEAN), scenarioOf({ strategy: late, deferred: 'on' })));
    const lost = only(fs, 'KHO_ORDER_LOST');
    expect(lost.map((f) => f.phase).sort()).toEqual(['kho_memory_init', 'kho_restore']);
    expect(lost.find((f) => f.phase === 'kho_memory_init')!.pages).toBe(B16_CLEAN.length);
  });
  it('6.16 has no magic: the lost order restores silently as order 0 (still flagged)', () => {
    const fs = check(
      replay(
        host,
        imageOf(B16_CLEAN, { abi: 'kho-v1', bitmapFormat: '512' }),
        scenarioOf({
          profile: 'v6.16',
          strategy: late,
          deferred: 'on',
        }),
      ),
    );
    const atRestore = only(fs, 'KHO_ORDER_LOST').find((f) => f.phase === 'kho_restore')!;
    // the order-0 block restores correctly as order 0; every other one comes back with the wrong order
    expect(atRestore.blocks).toBe(B16_CLEAN.filter((b) => b.order > 0).length);
  });
});

describe('memblock after memblock_discard()', () => {
  const nidAtRestore: KhoStrategy = {
    name: 'test-nid-at-restore',
    source: 'test',
    summary: 'early_pfn_to_nid() at restore time',
    deserializeInit: 'before-order-write',
    restore(b, ctx) {
      ctx.initPagesFromNid(b.startPfn, b.endPfn, ctx.earlyPfnToNid(b.startPfn));
    },
  };
  it('x86_64 does not keep memblock: early_pfn_to_nid() at restore is flagged', () => {
    const fs = check(
      replay(host, imageOf(B16_CLEAN), scenarioOf({ strategy: nidAtRestore, deferred: 'on' })),
    );
    const f = only(fs, 'MEMBLOCK_USED_AFTER_DISCARD')[0]!;
    expect([f.phase, f.kernelFunction, f.blocks]).toEqual([
      'kho_restore',
      'early_pfn_to_nid',
      B16_CLEAN.length,
    ]);
  });
});

describe('restore kinds', () => {
  const image: KhoImageInput = {
    ...imageOf([
      { pfn: 0x150000, order: 9 }, // folio
      { pfn: 0x160000, order: 12 }, // above MAX_PAGE_ORDER: a kho_preserve_pages piece
      { pfn: 0x170000, order: 0 }, // vmalloc chunk
      { pfn: 0x171000, order: 0 }, // subtree blob
      { pfn: 0x172000, order: 4 }, // reserve_mem region
    ]),
    vmalloc: [{ owner: 'kho_test', order: 0, chunkPhys: [0x170000 * PAGE], blockPhys: [] }],
    subtrees: [{ name: 'kho_test', phys: 0x171000 * PAGE, sizeBytes: PAGE }],
    reserveMem: [{ name: 'r', start: 0x172000 * PAGE, sizeBytes: 16 * PAGE }],
  };
  it('classifies blocks by what the image says uses them', () => {
    expect([...classifyBlocks(image, 12, 10)].map((b) => b.kind)).toEqual([
      'folio',
      'pages',
      'vmalloc',
      'subtree',
      'reserve-mem',
    ]);
  });
  it('parses --restore', () => {
    expect([...parseRestoreKinds('folios,pages')]).toEqual(['folio', 'pages']);
    expect(parseRestoreKinds('none').size).toBe(0);
    expect(() => parseRestoreKinds('heap')).toThrow(UsageError);
  });
  it('restores only the kinds asked for; reserve_mem is never restored', () => {
    const r = replay(
      host,
      image,
      scenarioOf({ strategy: 'lazy-tail', deferred: 'on', restore: 'pages,vmalloc' }),
    );
    expect([...r.kho!.run.restored]).toEqual([1, 2]);
    const all = replay(host, image, scenarioOf({ strategy: 'lazy-tail', deferred: 'on', restore: 'all' }));
    const never = only(check(all), 'STRUCT_PAGE_NEVER_INIT')[0]!;
    expect(rangeList(never.ranges)).toEqual([{ start: 0x172001, end: 0x172010 }]);
  });
  it("hands the strategy's restore hook each block it restores, and only those, in order", () => {
    const seen: number[] = [];
    const recording: KhoStrategy = {
      name: 'recording',
      summary: 'records the blocks restore() is called with',
      source: 'test',
      deserializeInit: 'before-order-write',
      restore(b) {
        seen.push(b.startPfn, b.index);
      },
    };
    replay(host, image, scenarioOf({ strategy: recording, deferred: 'on', restore: 'pages,vmalloc' }));
    expect(seen).toEqual([0x160000, 1, 0x170000, 2]);
    seen.length = 0;
    replay(host, image, scenarioOf({ strategy: recording, deferred: 'on', restore: 'all' }));
    expect(seen).toEqual([0x150000, 0, 0x160000, 1, 0x170000, 2, 0x171000, 3]);
  });
});

describe('an image whose page size is not the host one', () => {
  it('is an inconsistent bundle (TraceError, exit 3), not a usage error', () => {
    const image = { ...imageOf(B16_CLEAN), pageSize: 16384 };
    expect(() => replay(host, image, scenarioOf({ bundleName: 'traces/x' }))).toThrowError(
      /traces\/x\/kho \(page size\): TRACE_ERR_PAGE_SIZE_MISMATCH: expected the host's 4096-byte pages, found an image with 16384-byte pages/,
    );
  });
});

describe("kho_restore's verdict on each block", () => {
  // The rule (linux v7.3-rc7 kernel/liveupdate/kexec_handover.c kho_restore_page(); K616 kernel/kexec_handover.c):
  // a block of a kind not restored is left alone; K618 on, a head whose page->private lost KHO_PAGE_MAGIC (its
  // struct page initialised after the order write) is refused; K616 reads a bare order (0 once the head is
  // initialised again), refuses it above MAX_PAGE_ORDER and restores a wrong one as what it says. khoRestore takes
  // the runs of blocks that pass in one loop and the rest block by block: every verdict here is held to the rule,
  // with failures scattered between passing runs and the image in and out of pfn order (its index column).
  const N = 40;
  const specs = Array.from({ length: N }, (_, k) => ({
    pfn: 0x110000 + k * 0x1000,
    order: k % 13 === 6 ? 11 : [0, 1, 2, 3, 0, 2][k % 6]!,
  }));
  const vmallocAt = (k: number): boolean => k % 4 === 1 && specs[k]!.order === 0;
  /** The image with its entries in pfn order, or reversed (entry j is block N - 1 - j). */
  const imageIn = (abi: 'kho-v1' | 'kho-v3', reversed: boolean): KhoImageInput => {
    const base = imageOf(specs, abi === 'kho-v1' ? { abi, bitmapFormat: '512' } : { abi });
    const order = reversed ? [...specs].reverse() : specs;
    return {
      ...base,
      preserved: {
        count: N,
        phys: Float64Array.from(order, (b) => b.pfn * PAGE),
        order: Uint8Array.from(order, (b) => b.order),
      },
      vmalloc: [
        {
          owner: 'kho_test',
          order: 0,
          chunkPhys: specs.filter((_, k) => vmallocAt(k)).map((b) => b.pfn * PAGE),
          blockPhys: [],
        },
      ],
    };
  };
  for (const [profile, abi] of [
    ['kho-v3-deferred-fix', 'kho-v3'],
    ['v6.16', 'kho-v1'],
  ] as const)
    for (const reversed of [false, true])
      // every kind the image has restored (khoRestore's loop without a look at the kinds), or not the order-11 blocks'
      // (kho_restore_pages: left alone, each block's kind looked at)
      for (const restore of ['folio,pages', 'folio'] as const)
        it(`${profile}, image ${reversed ? 'against' : 'in'} pfn order, --restore ${restore}`, () => {
          const entry = (k: number): number => (reversed ? N - 1 - k : k);
          // the head of every block whose image entry is 2 mod 5 initialised again after the order write
          const lost = (k: number): boolean => entry(k) % 5 === 2;
          const seen: number[] = [];
          const loser: KhoStrategy = {
            name: 'head-reinit',
            summary: 'initialises some heads after the order write; records restore()',
            source: 'test',
            deserializeInit: 'after-order-write',
            deserialize(b, ctx) {
              if (b.index % 5 === 2) ctx.initSinglePages(b.startPfn, b.startPfn + 1, 0, 2, 'test_reinit');
            },
            restore(b) {
              seen.push(b.index);
            },
          };
          const r = replay(
            host,
            imageIn(abi, reversed),
            scenarioOf({ profile, strategy: loser, deferred: 'off', restore }),
          );
          const magic = profile !== 'v6.16';
          const restored: number[] = [];
          const failed: [number, string][] = [];
          specs.forEach((b, k) => {
            if (vmallocAt(k) || (restore === 'folio' && b.order === 11)) return;
            if (magic) {
              if (lost(k)) failed.push([entry(k), 'magic']);
              else restored.push(entry(k));
              return;
            }
            const read = lost(k) ? 0 : b.order;
            if (read > 10) failed.push([entry(k), 'order-above-max']);
            else {
              if (read !== b.order) failed.push([entry(k), 'wrong-order']);
              restored.push(entry(k));
            }
          });
          expect(failed.length).toBeGreaterThan(3);
          expect(r.kho!.run.restored.size).toBe(restored.length);
          expect([...r.kho!.run.restored]).toEqual([...restored].sort((a, b) => a - b));
          expect(restored.every((j) => r.kho!.run.restored.has(j))).toBe(true);
          // the hook sees the restored blocks in pfn order
          expect(seen).toEqual(restored);
          expect(
            r.kho!.run.observations.flatMap((o) =>
              o.kind === 'restore-failed' ? [[o.block, o.reason]] : [],
            ),
          ).toEqual(failed);
        });
});
