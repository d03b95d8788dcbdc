// Kernel eras of hole accounting (the struct pages of pfns that have a memmap but are not memblock memory), from
// v4.4 to today, chosen from the kernel release. A separate concern from the mm profiles (mm-profiles.ts: deferred
// init, RSRV_NOINIT, ...) and from the KHO/7.x profiles: this table only says how holes are counted and printed,
// which pfn_valid() arm64 had, and arm64's SECTION_SIZE_BITS. Each rule names the commit it follows.
import type { Diagnostic } from '../core/index.js';

/** How init_unavailable_range()'s ancestors counted hole pages, and what they printed. */
export type HoleRule =
  /** < v4.15: hole struct pages are left as the memmap allocator zeroed them; nothing counted, nothing printed. */
  | 'none'
  /**
   * v4.15 .. v4.18 zero_resv_unavail() (a4a3ede2132a "mm: zero reserved and unavailable struct pages"): the
   * pfns of memblock.reserved not covered by memblock.memory, [PFN_DOWN(start), PFN_UP(end)) of each such piece,
   * pageblock-first pfn_valid(); `Reserved but unavailable: N pages`.
   */
  | 'reserved-unavailable'
  /**
   * v4.19 .. v5.4 zero_resv_unavail() (907ec5fca3dc "mm: zero remaining unavailable struct pages"): the gaps
   * [PFN_DOWN(prev end), PFN_UP(start)) between memblock.memory regions (MEMBLOCK_NONE: NOMAP regions are gaps)
   * and [PFN_DOWN(last end), max_pfn); `Zeroed struct page in unavailable ranges: N pages`.
   */
  | 'gaps-to-max-pfn'
  /**
   * v5.5 .. v5.11 (e822969cab48 "mm/page_alloc.c: fix uninitialized memmaps on a partially populated last
   * section", then init_unavailable_mem() of 4b094b7851bf): as above with the tail up to
   * round_up(max_pfn, PAGES_PER_SECTION); same line.
   */
  | 'gaps-to-section'
  /**
   * v5.12 and later, 5.10.24+ and 5.11.7+ (0740a50b9baa "mm/page_alloc.c: refactor initialization of struct page
   * for holes in memory layout"): memmap_init() gives each hole to the zone above it;
   * `On node N, zone Z: K pages in unavailable ranges` per hole.
   */
  | 'per-zone';

/** arm64's pfn_valid() as init_unavailable_range() sees it (x86_64 always has the generic one). */
export type Arm64PfnValid =
  /** arch/arm64/mm/init.c pfn_valid() up to v5.13: memblock_is_map_memory() (NOMAP memory is not valid). */
  | 'map-memory'
  /**
   * v5.14: 873ba463914c ("arm64: decouple check whether pfn is in linear map from pfn_valid()") made it
   * memblock_is_memory(); 16c9afc77660 dropped the arm64 one and 3eb9cdffb397 ("Partially revert") restored it
   * before v5.14 final.
   */
  | 'memory'
  /**
   * include/linux/mmzone.h pfn_valid(): every pfn of a present section. arm64 from v5.16 (3de360c3fdb3
   * "arm64/mm: drop HAVE_ARCH_PFN_VALID"), and 5.15.y from the stable queue of 2022-04 (2c12659f31e2).
   */
  | 'generic';

export interface KernelEra {
  /** Short name for reports: `v5.12+ per-zone holes`, ... */
  readonly name: string;
  /** The upstream version the rules were taken from (`5.10.110`, `5.14.0`), null when the release is unknown. */
  readonly base: string | null;
  readonly holes: HoleRule;
  readonly holesCommit: string;
  readonly arm64PfnValid: Arm64PfnValid;
  readonly pfnValidCommit: string;
  /** arch/arm64/include/asm/sparsemem.h: 30 before v5.12 (f0b13ee23241 "arm64/sparsemem: reduce SECTION_SIZE_BITS"). */
  readonly arm64SectionSizeBits: 27 | 30;
  /**
   * x86 e820__memblock_setup() put every e820 range that is not RAM, and every gap between e820 entries below the
   * last one, into memblock.reserved (124049decbb1 "x86/e820: put !E820_TYPE_RAM regions into memblock.reserved",
   * v4.18-rc; reverted by 9fd61bc95130 in v4.19 together with 907ec5fca3dc): on v4.18 the `Reserved but
   * unavailable` total walks those ranges, so the e820 map gives it without the memblock=debug reserved list.
   */
  readonly x86E820Reserved: boolean;
  readonly x86E820ReservedCommit: string;
  /** Why the choice is uncertain (a vendor kernel's backports), with the alternatives, when it is. */
  readonly uncertain: readonly string[];
}

interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** `X.Y.0-N...` of a distribution (Debian, Ubuntu, RHEL): the stable sublevel it carries is not printed. */
  readonly distroAbi: boolean;
  /** `el9`, `el8`: RHEL-family kernels, which take mm and arch changes from much later upstream releases. */
  readonly vendor: string | null;
}

const RELEASE = /^(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?(-[0-9]{1,6}(?:[.-]|$))?/;
const RHEL = /\.el(\d{1,2})(?:_\d{1,2})?(?:\.|$)/;

export function parseKernelRelease(release: string | null): Version | null {
  if (!release) return null;
  const m = RELEASE.exec(release);
  if (!m) return null;
  const patch = m[3] === undefined ? 0 : Number(m[3]);
  const rhel = RHEL.exec(release);
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch,
    // `6.1.0-56-amd64`, `4.18.0-15-generic`, `5.14.0-299.el9`: an ABI number, not the upstream sublevel
    distroAbi: patch === 0 && m[4] !== undefined,
    vendor: rhel ? `el${rhel[1]}` : null,
  };
}

const at = (v: Version): number => v.major * 1_000_000 + v.minor * 1000 + v.patch;
const ver = (major: number, minor: number, patch = 0): number => major * 1_000_000 + minor * 1000 + patch;

/** A stable backport: in `major.minor` from sublevel `since`, and in every later mainline release. */
function hasBackport(v: Version, mainline: number, stable: readonly [number, number, number][]): boolean {
  if (at(v) >= mainline) return true;
  return stable.some(([ma, mi, since]) => v.major === ma && v.minor === mi && v.patch >= since);
}

const PER_ZONE_STABLE: readonly [number, number, number][] = [
  [5, 10, 24],
  [5, 11, 7],
];
const ARM64_GENERIC_STABLE: readonly [number, number, number][] = [[5, 15, 36]];

function holeRuleOf(v: Version): HoleRule {
  if (hasBackport(v, ver(5, 12), PER_ZONE_STABLE)) return 'per-zone';
  if (at(v) >= ver(5, 5)) return 'gaps-to-section';
  if (at(v) >= ver(4, 19)) return 'gaps-to-max-pfn';
  if (at(v) >= ver(4, 15)) return 'reserved-unavailable';
  return 'none';
}

function pfnValidOf(v: Version): Arm64PfnValid {
  if (hasBackport(v, ver(5, 16), ARM64_GENERIC_STABLE)) return 'generic';
  if (at(v) >= ver(5, 14)) return 'memory';
  return 'map-memory';
}

const HOLES_COMMIT: Readonly<Record<HoleRule, string>> = {
  none: 'before a4a3ede2132a (v4.15): no hole accounting',
  'reserved-unavailable': 'a4a3ede2132a (v4.15) zero_resv_unavail, mm/page_alloc.c v4.18',
  'gaps-to-max-pfn': '907ec5fca3dc (v4.19) zero_resv_unavail, mm/page_alloc.c v5.4',
  'gaps-to-section': 'e822969cab48 (v5.5), 4b094b7851bf init_unavailable_mem, mm/page_alloc.c v5.11',
  'per-zone': '0740a50b9baa (v5.12; 5.10.24, 5.11.7) memmap_init + init_unavailable_range',
};
const PFN_VALID_COMMIT: Readonly<Record<Arm64PfnValid, string>> = {
  'map-memory': 'arch/arm64/mm/init.c pfn_valid v5.10: memblock_is_map_memory',
  memory: 'arch/arm64/mm/init.c pfn_valid v5.14 (873ba463914c, 3eb9cdffb397): memblock_is_memory',
  generic: 'include/linux/mmzone.h pfn_valid (3de360c3fdb3 v5.16; 5.15.y 2c12659f31e2)',
};

const E820_RESERVED_COMMIT = {
  on: '124049decbb1 (v4.18) e820__memblock_setup: !E820_TYPE_RAM ranges and e820 gaps into memblock.reserved',
  off: 'e820__memblock_setup adds RAM only (before 124049decbb1, and from its revert 9fd61bc95130 in v4.19)',
} as const;

/** Today's rules: what a trace without a kernel release is replayed with (and every kernel from v5.16). */
export const CURRENT_ERA: KernelEra = era(null, 'per-zone', 'generic', 27, [], false);

function era(
  base: string | null,
  holes: HoleRule,
  pfnValid: Arm64PfnValid,
  sectionBits: 27 | 30,
  uncertain: string[],
  e820Reserved: boolean,
): KernelEra {
  const name =
    holes === 'per-zone'
      ? 'per-zone unavailable ranges (v5.12+)'
      : holes === 'none'
        ? 'no hole accounting (before v4.15)'
        : holes === 'reserved-unavailable'
          ? 'Reserved but unavailable total (v4.15-v4.18)'
          : holes === 'gaps-to-max-pfn'
            ? 'Zeroed struct page total to max_pfn (v4.19-v5.4)'
            : 'Zeroed struct page total to the section end (v5.5-v5.11)';
  return {
    name,
    base,
    holes,
    holesCommit: HOLES_COMMIT[holes],
    arm64PfnValid: pfnValid,
    pfnValidCommit: PFN_VALID_COMMIT[pfnValid],
    arm64SectionSizeBits: sectionBits,
    x86E820Reserved: e820Reserved,
    x86E820ReservedCommit: e820Reserved ? E820_RESERVED_COMMIT.on : E820_RESERVED_COMMIT.off,
    uncertain,
  };
}

/**
 * The era of a kernel release. A distribution's `X.Y.0-N` hides the stable sublevel: where a rule changed inside
 * the X.Y stable series the upstream X.Y.0 rule is used and the alternative is named. RHEL-family kernels
 * (`.el9`) carry changes from much later upstream releases: their arm64 pfn_valid() is taken as the generic one
 * (the 5.14 base had memblock_is_memory()), with the alternative named.
 */
export function kernelEraFor(release: string | null, arch: string): KernelEra {
  const v = parseKernelRelease(release);
  if (!v) return CURRENT_ERA;
  const base = `${v.major}.${v.minor}.${v.patch}`;
  const uncertain: string[] = [];
  const holes = holeRuleOf(v);
  let pfnValid = pfnValidOf(v);
  if (v.distroAbi) {
    const later = holeRuleOf({ ...v, patch: 999 });
    if (later !== holes)
      uncertain.push(
        `${release} is a distribution kernel on ${v.major}.${v.minor}: hole rule '${holes}' (${v.major}.${v.minor}.0), or '${later}' if it carries the ${HOLES_COMMIT[later]} backport`,
      );
  }
  if (arch === 'arm64') {
    if (v.vendor && /^el([89]|1\d)$/.test(v.vendor) && pfnValid !== 'generic') {
      uncertain.push(
        `${release} is a RHEL-family kernel (${v.vendor}), which takes arm64 mm changes from later releases: pfn_valid '${PFN_VALID_COMMIT.generic}' assumed, or '${PFN_VALID_COMMIT[pfnValid]}' of its ${v.major}.${v.minor} base`,
      );
      pfnValid = 'generic';
    } else if (v.distroAbi) {
      const later = pfnValidOf({ ...v, patch: 999 });
      if (later !== pfnValid)
        uncertain.push(
          `${release} is a distribution kernel on ${v.major}.${v.minor}: arm64 pfn_valid '${pfnValid}', or '${later}' if it carries the backport`,
        );
    }
  }
  const sectionBits = at(v) >= ver(5, 12) ? 27 : 30;
  // 124049decbb1 was merged for v4.18 and reverted before v4.19; it carried Cc: stable, and which 4.14.y/4.17.y
  // sublevels took it (and its revert) is not confirmed here, so those kernels keep the rule without it
  const e820Reserved = v.major === 4 && v.minor === 18;
  return era(base, holes, pfnValid, sectionBits, uncertain, e820Reserved);
}

/** The diagnostics an era choice gives: one warning per uncertainty (the era itself is in the timeline). */
export function eraDiagnostics(e: KernelEra): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const u of e.uncertain)
    out.push({ code: 'SIM_KERNEL_ERA_UNCERTAIN', severity: 'warning', message: u });
  return out;
}
