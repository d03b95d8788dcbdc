// Kernel profiles for the KHO eras of spec/kho-abi.md §1, §6.3, §6.5, §7.1-7.4 and kernel-7x.md (v7.1 to v7.4):
// what the incoming kernel does with a handover image. A profile is data; add one by appending to PROFILES.
import { RequestError } from '../core/index.js';

export type KhoAbiName = 'kho-v1' | 'kho-v2' | 'kho-v3' | 'kho-v4';

/**
 * Whether a kernel with this behaviour was released: a mainline release ('released'), a release candidate
 * ('rc'), the state of a development tree that a release later shipped with more changes ('tree'), or a state that
 * no release ever had ('never-shipped', a what-if kept to show what a change repaired).
 */
export type ProfileStatus = 'released' | 'rc' | 'tree' | 'never-shipped';

/**
 * How scratch pageblocks become MIGRATE_CMA on a KHO boot (kernel-7x.md §1.5, §1.6; kho-abi.md §6.5):
 *  - 'release-at-init': kho_release_scratch() in kho_memory_init() marks every pageblock of a scratch memblock
 *    region CMA once; any later init of a pageblock-aligned pfn sets MOVABLE again (before the v7.2 scratch fix);
 *  - 'memblock-flag': kho_scratch_migratetype() = memblock_is_kho_scratch_memory() ? CMA : mt, taken once per
 *    memblock range in memmap_init(), per free range in deferred init, per pageblock in __init_deferred_page()
 *    (v7.2, bf480c613346);
 *  - 'scratch-array': kho_scratch_migratetype() = kho_scratch_overlap(pfn, pageblock) on kho_scratch[], per
 *    pageblock everywhere (v7.3, "mm/mm_init: don't rely on memblock to get KHO scratch migratetype"; linux
 *    v7.3-rc7 include/linux/kexec_handover.h kho_scratch_migratetype).
 */
export type ScratchMigratetypeRule = 'release-at-init' | 'memblock-flag' | 'scratch-array';

export interface KernelProfile {
  readonly name: string;
  /** Releases or trees the profile follows, with the spec's source names (K616, K618, KR3, KD1...). */
  readonly follows: string;
  readonly status: ProfileStatus;
  /** Kernel releases (major.minor) this profile stands for: a bundle's release picks it (`7.3` for 7.3.0-rc7). */
  readonly releases: readonly string[];
  readonly abi: KhoAbiName;
  /** kho-v1 only: '512' (6.16, 6.17) or 'page' bitmaps (6.18, 6.19); null for the radix eras. */
  readonly bitmapFormat: '512' | 'page' | null;
  /** Whether Kconfig lets KEXEC_HANDOVER and DEFERRED_STRUCT_PAGE_INIT be on together (§7.1). */
  readonly deferredAllowed: boolean;
  /** DEFERRED_STRUCT_PAGE_INIT in this profile unless forced with --deferred. */
  readonly deferredDefault: boolean;
  /** page->private of the head is {order, KHO_PAGE_MAGIC} (K618+) rather than a bare order (K616). */
  readonly pageMagic: boolean;
  /** kho_restore_folio/page refuses order > MAX_PAGE_ORDER (K616..KR2; removed in KR3, §6.3). */
  readonly restoreChecksMaxOrder: boolean;
  /** kho_release_scratch() runs in kho_memory_init() (every version before the scratch fix KD2, §6.5). */
  readonly releasesScratchAtInit: boolean;
  /** kho_preserve_pages() splits at NUMA node boundaries (KR3, KD1), so a producer of this era makes no crossing block. */
  readonly producerSplitsAtNodes: boolean;
  /** 6.19: /sys/kernel/debug/kho/out/finalize (kho_finalize) serializes the map; LUO present. */
  readonly finalize: boolean;
  readonly luo: boolean;
  /** memblock kept after boot: 'arch' = CONFIG_ARCH_KEEP_MEMBLOCK (arm64 yes, x86_64 no). */
  readonly keepsMemblock: 'arch';
  /** mm behaviour of the incoming kernel (src/sim/mm-profiles.ts): RSRV_NOINIT exists in every KHO era. */
  readonly mmProfile: 'linux-6.15' | 'linux-6.18' | 'linux-7.2' | 'linux-7.3';
  /**
   * kho_preserved_memory_reserve() computes the block size with an int shift `1 << (order + PAGE_SHIFT)` ('int':
   * wrong from 2 GiB) or `1UL << ...` ('ulong', linux v7.3-rc7 kernel/liveupdate/kexec_handover.c
   * kho_preserved_memory_reserve; kernel-7x.md §1.5 step 3).
   */
  readonly sizeShift: 'int' | 'ulong';
  readonly scratchMigratetype: ScratchMigratetypeRule;
  /**
   * kho_memory_init_early() -> kho_extend_scratch(): every KHO_SCRATCH_EXT_BLKSIZE (1 GiB) block free of preserved
   * memory and radix table pages becomes scratch-flagged memblock memory (not in kho_scratch[], not CMA) (v7.3,
   * 14773e2aa4c5; linux v7.3-rc7 kernel/liveupdate/kexec_handover.c kho_extend_scratch).
   */
  readonly extendedScratch: boolean;
  /**
   * The outgoing kernel sizes scratch without RSRV_KERN|RSRV_HUGETLB gigantic pages: memblock_reserved_kern_size()
   * minus memblock_reserved_hugetlb_size() (v7.3, C-SCR; linux v7.3-rc7 kernel/liveupdate/kexec_handover.c
   * scratch_size_update). Data only: the replay takes the scratch areas the image carries.
   */
  readonly hugetlbOutOfScratchSizing: boolean;
  /** Names of the scratch concept: 7.4 renames it "bootmem" (C-BOOTMEM 48edec475144, 8ebd2eb87f50). */
  readonly scratchNames: {
    readonly memblockFlag: 'MEMBLOCK_KHO_SCRATCH' | 'MEMBLOCK_KHO_NOPRSRV';
    readonly cmdline: 'kho_scratch=' | 'kho_bootmem=';
    readonly debugfs: readonly [string, string];
  };
  /**
   * kho_memory_init() sets kho_enable = false in a kdump kernel that has no incoming scratch ("disabled in the kdump
   * kernel", C-KDUMP dc645f2db753): it reserves no scratch and hands nothing on. Every KHO kernel already keeps a
   * handover out of a crash image (kho_fill_kimage), so a kdump kernel revives nothing either way (src/sim/replay.ts).
   */
  readonly kdumpDisablesKho: boolean;
  /** The LUO root compatible luo_early_startup() accepts (null: no LUO, or a FDT-era LUO not modelled). */
  readonly luoAbi: string | null;
  /** The memfd file-handler compatible memfd_luo accepts. */
  readonly memfdAbi: string | null;
  /** Strategy replayed when --strategy is not given. */
  readonly defaultStrategy: string;
  readonly description: string;
}

const SCRATCH_NAMES = {
  memblockFlag: 'MEMBLOCK_KHO_SCRATCH',
  cmdline: 'kho_scratch=',
  debugfs: ['scratch_phys', 'scratch_len'],
} as const;

/**
 * A kernel's profile from the one it followed: only what changed is written (the chain below follows the KHO
 * history: v6.16 -> v6.17 -> v6.18 -> v6.19 -> kho-v2 -> kho-v3 -> v7.1 / the deferred fix -> v7.2 -> v7.3 -> v7.4).
 * `name`, `follows` and `description` are always its own.
 */
function after(
  prev: KernelProfile,
  changes: Partial<KernelProfile> & Pick<KernelProfile, 'name' | 'follows' | 'description'>,
): KernelProfile {
  return { ...prev, ...changes };
}

/** The first KHO release, every field written out (the order of the fields is the order reports print them in). */
const V6_16: KernelProfile = {
  name: 'v6.16',
  follows: 'K616 kernel/kexec_handover.c@8f4abe676eaa',
  status: 'released',
  releases: ['6.16'],
  abi: 'kho-v1',
  bitmapFormat: '512',
  deferredAllowed: true,
  deferredDefault: true,
  pageMagic: false,
  restoreChecksMaxOrder: true,
  releasesScratchAtInit: true,
  producerSplitsAtNodes: false,
  finalize: true,
  luo: false,
  keepsMemblock: 'arch',
  mmProfile: 'linux-6.15',
  // before the v7.2 fixes: int shift, scratch released at init, no extension, no kdump rule
  sizeShift: 'int',
  scratchMigratetype: 'release-at-init',
  extendedScratch: false,
  hugetlbOutOfScratchSizing: false,
  scratchNames: SCRATCH_NAMES,
  kdumpDisablesKho: false,
  luoAbi: null,
  memfdAbi: null,
  defaultStrategy: 'none',
  description:
    'First KHO: 512-byte bitmaps, bare order in page->private (no magic). Kconfig still allowed deferred struct page init, with nothing for preserved pages.',
};

const V6_17 = after(V6_16, {
  name: 'v6.17',
  follows: 'K616 format plus 8b66ed2c3f42 (depends on !DEFERRED_STRUCT_PAGE_INIT)',
  releases: ['6.17'],
  deferredAllowed: false,
  deferredDefault: false,
  description: '6.16 wire format; KHO forbidden with deferred struct page init.',
});

const V6_18 = after(V6_17, {
  name: 'v6.18',
  follows: 'K618 kernel/kexec_handover.c@a4a508df2aa3',
  releases: ['6.18'],
  bitmapFormat: 'page',
  pageMagic: true,
  mmProfile: 'linux-6.18',
  description:
    'Page-sized bitmaps, KHO_PAGE_MAGIC, order <= MAX_PAGE_ORDER checked at restore, kho_preserve_pages, vmalloc.',
});

const V6_19 = after(V6_18, {
  name: 'v6.19',
  follows: 'K619 kernel/liveupdate/kexec_handover.c@dd03dd60e8cd, H619',
  releases: ['6.19', '7.0'],
  luo: true,
  // the LUO FDT "luo-v1" and memfd "memfd-v1" (kernel-7x.md §1.3, §1.9 [V TMF1 ac2d8102c4b8])
  luoAbi: 'luo-v1',
  memfdAbi: 'memfd-v1',
  description:
    'kernel/liveupdate/: root FDT built at boot, kho_finalize() serializes, LUO sessions (kho-v1 ran 6.16 to 7.0, kernel-7x.md §1.1).',
});

const KHO_V2 = after(V6_19, {
  name: 'kho-v2',
  follows: 'KR1 @3f2ad90060f6, KR2 @019fc3687237',
  status: 'never-shipped',
  releases: [],
  abi: 'kho-v2',
  bitmapFormat: null,
  finalize: false,
  description:
    'Never shipped in a release (radix and blob-size were committed for the same merge window, so v7.1 went straight to kho-v3; kernel-7x.md §1.1): radix-tree memory map, stateless, one scratch area per N_MEMORY node.',
});

const KHO_V3 = after(KHO_V2, {
  name: 'kho-v3',
  follows: 'KR3 @40735a683bf8, H3',
  status: 'tree',
  abi: 'kho-v3',
  restoreChecksMaxOrder: false,
  producerSplitsAtNodes: true,
  // "mm: memfd_luo: preserve file seals" (8a552d68a86e, 2026-04-05) is memfd-v2 (kernel-7x.md §1.9 [T C-MEMFD])
  memfdAbi: 'memfd-v2',
  description:
    'The KR3 tree state (radix tree with blob-size, node-split kho_preserve_pages, no MAX_PAGE_ORDER check at restore); the release that ships it is v7.1.',
});

const KHO_V3_DEFERRED_FIX = after(KHO_V3, {
  name: 'kho-v3-deferred-fix',
  follows: 'KD2 @bf480c613346 then KD1 @c6073743d0c7 (openSUSE); mm: 8203a1c7950d',
  status: 'never-shipped',
  deferredAllowed: true,
  deferredDefault: true,
  releasesScratchAtInit: false,
  // OS1 still has the int shift (kernel-7x.md §1.5 step 3)
  scratchMigratetype: 'memblock-flag',
  defaultStrategy: 'init-deferred-page',
  description:
    'Never shipped: the deferred fix on a kho-v3 kernel (mainline merged it together with kho-v4 in v7.2, kernel-7x.md §1.5). kho_get_preserved_page() runs init_deferred_page() on every preserved page; scratch CMA through the memblock flag; int shift still there.',
});

const V7_1 = after(KHO_V3, {
  name: 'v7.1',
  follows:
    'KR3 + "kho: remove finalize state and clients" (2026-04-05) + memfd-v2 (8a552d68a86e); Kconfig still has 8b66ed2c3f42 (c6073743d0c7 went in on 7.1-rc6, for v7.2)',
  status: 'released',
  releases: ['7.1'],
  description:
    'kho-v3 (radix tree, blob-size), KHO still excluded with deferred struct page init in Kconfig; kho_release_scratch() marks scratch CMA in kho_memory_init(); int shift for the block size.',
});

const V7_2 = after(KHO_V3_DEFERRED_FIX, {
  name: 'v7.2',
  follows:
    'TK kernel/liveupdate/kexec_handover.c@ed3b875bea55, TM mm/mm_init.c@ed3b875bea55; c6073743d0c7 + bf480c613346 (committed 2026-06-01), kho-v4 (M-BLK, 2026-06-03)',
  status: 'released',
  releases: ['7.2'],
  abi: 'kho-v4',
  mmProfile: 'linux-7.2',
  sizeShift: 'ulong',
  // luo-v5 as read in linux v7.3-rc7 include/linux/kho/abi/luo.h. That v7.2 has it is inferred, not read: the four
  // LUO ABI commits (luo_ser, raw subtree, session blocks, file blocks) were committed by Rapoport on 2026-06-03 in
  // the series that bumped kho-v4 (git.zx2c4.com linux-rng log of include/linux/kho/abi/luo.h; Link
  // 20260603154402.468928-*), and v7.2 writes kho-v4 (kernel-7x.md §1.1). No v7.2 tree was available to read.
  luoAbi: 'luo-v5',
  description:
    'kho-v4 (serialization blocks) with the merged deferred fix: kho_get_preserved_page() + init_deferred_page() per page, scratch pageblocks MIGRATE_CMA through kho_scratch_migratetype() (memblock flag) in memmap_init, deferred init and __init_deferred_page; 1UL shift; no order check at restore.',
});

const V7_3 = after(V7_2, {
  name: 'v7.3',
  follows:
    'linux v7.3-rc7 kernel/liveupdate/kexec_handover.c, mm/mm_init.c; C-SCR 4513fea02a86, 14773e2aa4c5 (merge bc0f793c5c41, 2026-08-04)',
  releases: ['7.3'],
  mmProfile: 'linux-7.3',
  scratchMigratetype: 'scratch-array',
  extendedScratch: true,
  hugetlbOutOfScratchSizing: true,
  // luo-v5 and memfd-v2: linux v7.3-rc7 include/linux/kho/abi/luo.h LUO_ABI_COMPATIBLE (checked by
  // luo_early_startup), include/linux/kho/abi/memfd.h MEMFD_LUO_FH_COMPATIBLE (matched by luo_file_deserialize_one)
  description:
    'kho_memory_init_early() first in mm_core_init_early(); extended scratch (1 GiB blocks free of preserved and radix-table pages: scratch flag, not CMA); scratch CMA from kho_scratch[] per pageblock; hugetlb gigantic pages out of scratch sizing.',
});

const V7_4 = after(V7_3, {
  name: 'v7.4',
  follows:
    'v7.3 + C-BOOTMEM (48edec475144, 8ebd2eb87f50: KHO_NOPRSRV, kho_bootmem=, bootmem_phys/len) + C-KDUMP dc645f2db753',
  status: 'rc',
  releases: ['7.4'],
  // the 0x40 bit value is presumed unchanged (kernel-7x.md §1.6 [U]; no 7.4 tree or MEMBLOCK_KHO_NOPRSRV definition
  // was found in the stored sources)
  scratchNames: {
    memblockFlag: 'MEMBLOCK_KHO_NOPRSRV',
    cmdline: 'kho_bootmem=',
    debugfs: ['bootmem_phys', 'bootmem_len'],
  },
  kdumpDisablesKho: true,
  description:
    'In its rc phase: v7.3 behaviour with the bootmem rename (MEMBLOCK_KHO_NOPRSRV, kho_bootmem=, debugfs bootmem_phys/bootmem_len) and KHO disabled in a kdump kernel.',
});

const V7_3_MEMBLOCK_MT = after(V7_3, {
  name: 'v7.3-memblock-mt',
  follows:
    'what-if: 14773e2aa4c5 (extend scratch) without "mm/mm_init: don\'t rely on memblock to get KHO scratch migratetype"',
  status: 'never-shipped',
  releases: [],
  scratchMigratetype: 'memblock-flag',
  description:
    'Never shipped: extended scratch with the v7.2 memblock-flag migratetype rule, the combination the C-SCR series avoided by taking the migratetype from kho_scratch[] first: every extended block would become MIGRATE_CMA.',
});

export const PROFILES: readonly KernelProfile[] = [
  V6_16,
  V6_17,
  V6_18,
  V6_19,
  KHO_V2,
  KHO_V3,
  KHO_V3_DEFERRED_FIX,
  V7_1,
  V7_2,
  V7_3,
  V7_4,
  V7_3_MEMBLOCK_MT,
];

export function findProfile(name: string): KernelProfile {
  const p = PROFILES.find((x) => x.name === name);
  if (!p)
    throw new RequestError(
      `unknown profile '${name}' (known: ${PROFILES.map((x) => x.name).join(', ')}, or 'list')`,
    );
  return p;
}

/** `7.3` of `7.3.0-rc7`, `6.12` of `6.12.9-amd64`; null when the string is not a kernel release. */
export function releaseMajorMinor(release: string | null | undefined): string | null {
  const m = release ? /^(\d+)\.(\d+)/.exec(release) : null;
  return m ? `${Number(m[1])}.${Number(m[2])}` : null;
}

/** The profile a replay uses and why (said in the report: text and JSON). */
export interface ProfileChoice {
  readonly profile: KernelProfile;
  readonly reason: string;
}

/**
 * The profile that follows an image's ABI, when no --profile names one: the released kernel whose release the
 * bundle names (the image's kexec-metadata release of the writer first, then the bundle's own kernel release),
 * provided that kernel writes the image's ABI; otherwise the newest released kernel that writes the ABI (kho-v1:
 * 512-byte bitmaps v6.17, page bitmaps v6.19 with a LUO subtree, else v6.18; kho-v2 never shipped: its tree state).
 */
export function chooseProfile(
  abi: KhoAbiName,
  bitmapFormat: '512' | 'page' | null,
  hasLuo: boolean,
  releases: readonly { readonly release: string | null; readonly from: string }[] = [],
): ProfileChoice {
  for (const r of releases) {
    const mm = releaseMajorMinor(r.release);
    if (!mm) continue;
    const p = PROFILES.find(
      (x) => x.status !== 'never-shipped' && x.status !== 'tree' && x.releases.includes(mm),
    );
    if (!p) continue;
    if (p.abi === abi && (!p.bitmapFormat || !bitmapFormat || p.bitmapFormat === bitmapFormat))
      return {
        profile: p,
        reason: `kernel release ${r.release} (${r.from}) is ${p.name}, which writes ${abi}`,
      };
  }
  const named = releases.find((r) => releaseMajorMinor(r.release));
  const noRelease = named
    ? `kernel release ${named.release} (${named.from}) does not write ${abi}`
    : 'no kernel release in the bundle';
  if (abi === 'kho-v1') {
    const p = findProfile(bitmapFormat === '512' ? 'v6.17' : hasLuo ? 'v6.19' : 'v6.18');
    return {
      profile: p,
      reason: `image ABI kho-v1 with ${bitmapFormat ?? 'page'} bitmaps${hasLuo ? ' and a LUO subtree' : ''} (${noRelease}): ${p.name}`,
    };
  }
  if (abi === 'kho-v2')
    return {
      profile: findProfile('kho-v2'),
      reason: `image ABI kho-v2, which no release shipped (${noRelease})`,
    };
  const released = PROFILES.filter((x) => x.abi === abi && x.status === 'released');
  const p = released[released.length - 1]!;
  return {
    profile: p,
    reason: `image ABI ${abi} (${noRelease}): the newest released kernel that writes it, ${p.name}`,
  };
}

/** chooseProfile() without a release: the profile alone. */
export function profileForImage(
  abi: KhoAbiName,
  bitmapFormat: '512' | 'page' | null,
  hasLuo: boolean,
): KernelProfile {
  return chooseProfile(abi, bitmapFormat, hasLuo).profile;
}

/** Whether a profile's incoming kernel accepts an image: kho_populate() checks the root compatible (§3.3). */
export function profileAcceptsImage(p: KernelProfile, abi: KhoAbiName): boolean {
  return p.abi === abi;
}
