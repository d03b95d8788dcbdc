// Kernel profiles for the KHO eras of spec/kho-abi.md §1, §6.3, §6.5, §7.1-7.4: what the incoming kernel does
// with a handover image. A profile is data; add one by appending to PROFILES.
import { UsageError } from '../core/index.js';

export type KhoAbiName = 'kho-v1' | 'kho-v2' | 'kho-v3' | 'kho-v4';

export interface KernelProfile {
  readonly name: string;
  /** Releases or trees the profile follows, with the spec's source names (K616, K618, KR3, KD1...). */
  readonly follows: string;
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
  readonly mmProfile: 'linux-6.7' | 'linux-6.18';
  /** Strategy replayed when --strategy is not given. */
  readonly defaultStrategy: string;
  readonly description: string;
}

export const PROFILES: readonly KernelProfile[] = [
  {
    name: 'v6.16',
    follows: 'K616 kernel/kexec_handover.c@8f4abe676eaa',
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
    mmProfile: 'linux-6.7',
    defaultStrategy: 'none',
    description:
      'First KHO: 512-byte bitmaps, bare order in page->private (no magic). Kconfig still allowed deferred struct page init, with nothing for preserved pages.',
  },
  {
    name: 'v6.17',
    follows: 'K616 format plus 8b66ed2c3f42 (depends on !DEFERRED_STRUCT_PAGE_INIT)',
    abi: 'kho-v1',
    bitmapFormat: '512',
    deferredAllowed: false,
    deferredDefault: false,
    pageMagic: false,
    restoreChecksMaxOrder: true,
    releasesScratchAtInit: true,
    producerSplitsAtNodes: false,
    finalize: true,
    luo: false,
    keepsMemblock: 'arch',
    mmProfile: 'linux-6.7',
    defaultStrategy: 'none',
    description: '6.16 wire format; KHO forbidden with deferred struct page init.',
  },
  {
    name: 'v6.18',
    follows: 'K618 kernel/kexec_handover.c@a4a508df2aa3',
    abi: 'kho-v1',
    bitmapFormat: 'page',
    deferredAllowed: false,
    deferredDefault: false,
    pageMagic: true,
    restoreChecksMaxOrder: true,
    releasesScratchAtInit: true,
    producerSplitsAtNodes: false,
    finalize: true,
    luo: false,
    keepsMemblock: 'arch',
    mmProfile: 'linux-6.18',
    defaultStrategy: 'none',
    description:
      'Page-sized bitmaps, KHO_PAGE_MAGIC, order <= MAX_PAGE_ORDER checked at restore, kho_preserve_pages, vmalloc.',
  },
  {
    name: 'v6.19',
    follows: 'K619 kernel/liveupdate/kexec_handover.c@dd03dd60e8cd, H619',
    abi: 'kho-v1',
    bitmapFormat: 'page',
    deferredAllowed: false,
    deferredDefault: false,
    pageMagic: true,
    restoreChecksMaxOrder: true,
    releasesScratchAtInit: true,
    producerSplitsAtNodes: false,
    finalize: true,
    luo: true,
    keepsMemblock: 'arch',
    mmProfile: 'linux-6.18',
    defaultStrategy: 'none',
    description: 'kernel/liveupdate/: root FDT built at boot, kho_finalize() serializes, LUO sessions.',
  },
  {
    name: 'kho-v2',
    follows: 'KR1 @3f2ad90060f6, KR2 @019fc3687237',
    abi: 'kho-v2',
    bitmapFormat: null,
    deferredAllowed: false,
    deferredDefault: false,
    pageMagic: true,
    restoreChecksMaxOrder: true,
    releasesScratchAtInit: true,
    producerSplitsAtNodes: false,
    finalize: false,
    luo: true,
    keepsMemblock: 'arch',
    mmProfile: 'linux-6.18',
    defaultStrategy: 'none',
    description: 'Radix-tree memory map, stateless (no finalize in KR2), one scratch area per N_MEMORY node.',
  },
  {
    name: 'kho-v3',
    follows: 'KR3 @40735a683bf8, H3',
    abi: 'kho-v3',
    bitmapFormat: null,
    deferredAllowed: false,
    deferredDefault: false,
    pageMagic: true,
    restoreChecksMaxOrder: false,
    releasesScratchAtInit: true,
    producerSplitsAtNodes: true,
    finalize: false,
    luo: true,
    keepsMemblock: 'arch',
    mmProfile: 'linux-6.18',
    defaultStrategy: 'none',
    description:
      'Radix tree with blob-size, node-split kho_preserve_pages, no MAX_PAGE_ORDER check at restore.',
  },
  {
    name: 'kho-v3-deferred-fix',
    follows: 'KD2 @bf480c613346 then KD1 @c6073743d0c7 (openSUSE); mm: 8203a1c7950d',
    abi: 'kho-v3',
    bitmapFormat: null,
    deferredAllowed: true,
    deferredDefault: true,
    pageMagic: true,
    restoreChecksMaxOrder: false,
    releasesScratchAtInit: false,
    producerSplitsAtNodes: true,
    finalize: false,
    luo: true,
    keepsMemblock: 'arch',
    mmProfile: 'linux-6.18',
    defaultStrategy: 'init-deferred-page',
    description:
      'The merged fix: kho_get_preserved_page() runs init_deferred_page() on every preserved page at deserialize; scratch no longer released in kho_memory_init().',
  },
];

export function findProfile(name: string): KernelProfile {
  const p = PROFILES.find((x) => x.name === name);
  if (!p)
    throw new UsageError(
      `unknown profile '${name}' (known: ${PROFILES.map((x) => x.name).join(', ')}, or 'list')`,
    );
  return p;
}

/**
 * The profile that follows an image's ABI: the newest era that writes it (kho-v1 with 512-byte bitmaps: v6.17;
 * page bitmaps: v6.19 with a LUO subtree, else v6.18; kho-v2; kho-v3: the merged deferred-init fix).
 */
export function profileForImage(
  abi: KhoAbiName,
  bitmapFormat: '512' | 'page' | null,
  hasLuo: boolean,
): KernelProfile {
  if (abi === 'kho-v1') {
    if (bitmapFormat === '512') return findProfile('v6.17');
    return findProfile(hasLuo ? 'v6.19' : 'v6.18');
  }
  if (abi === 'kho-v2') return findProfile('kho-v2');
  return findProfile('kho-v3-deferred-fix');
}

/** Whether a profile's incoming kernel accepts an image: kho_populate() checks the root compatible (§3.3). */
export function profileAcceptsImage(p: KernelProfile, abi: KhoAbiName): boolean {
  return p.abi === abi;
}
