// What one replay is asked to replay, typed: the CLI parses its flags into a Scenario once (src/cli/scenario.ts),
// tests and benches write one directly. Every field is optional: an empty scenario replays the host as captured.
import type { ProgressFn } from '../core/index.js';
import type { ArchProfile } from './arch.js';
import type { ReservedSource } from './boot-tables.js';
import type { Memblock } from './memblock.js';
import type { KernelEra } from './kernel-eras.js';
import type { MmProfile } from './mm-profiles.js';
import type { GrowZoneRequest } from './phases/deferred-grow-zone.js';
import type { KhoRestoreKind } from './phases/kho-types.js';
import { KHO_RESTORE_KINDS } from './phases/kho-types.js';
import type { KernelProfile } from './profiles.js';
import type { KhoStrategy } from './strategies/strategy.js';

export interface Scenario {
  /**
   * DEFERRED_STRUCT_PAGE_INIT forced on or off; 'auto' (default): the trace's kernel config for a plain boot, the
   * kernel profile's default for a KHO boot.
   */
  readonly deferred?: 'on' | 'off' | 'auto';
  /** Where reserved memory comes from: the trace's last view ('trace', default) or its memblock=debug log. */
  readonly reservedFrom?: ReservedSource;
  /** mm behaviour (`linux-6.1`, ...); default from the kernel release. A KHO boot takes its profile's. */
  readonly mmProfile?: string | MmProfile;
  /** Why mmProfile (`--mm linux-6.7`, the KHO profile's); the report says it. Default: "given by the caller". */
  readonly mmReason?: string;
  /** KHO: the incoming kernel's profile; default: the one that follows the image's ABI. */
  readonly profile?: KernelProfile;
  /** KHO: the struct-page strategy; default: the profile's. */
  readonly strategy?: KhoStrategy;
  /**
   * KHO: the incoming kernel is a kdump kernel (kexec -p), which no KHO kernel hands the image to; default:
   * `elfcorehdr=` on the host's command line.
   */
  readonly kdump?: boolean;
  /** KHO: the kinds of preserved blocks the replay restores; default: every kind (RESTORE_ALL). */
  readonly restore?: ReadonlySet<KhoRestoreKind>;
  /**
   * Allocations that fell back to deferred_grow_zone() before page_alloc_init_late(), in order: the node of the
   * zone and the order (`--grow-zone 1:10`). The trace cannot show them; default none.
   */
  readonly growZone?: readonly GrowZoneRequest[];
  /** page_ext_init() has a client (reads section-aligned struct pages). Default true. */
  readonly pageExt?: boolean;
  /** CPUs per node for the deferred-init thread count; 1 when unknown. */
  readonly cpusPerNode?: number | Readonly<Record<number, number>>;
  /** The bundle as the user named it, for error locations. */
  readonly bundleName?: string;
  // engine knobs for tests and tools, never set from flags
  /** Replace the arch constants (tests with tiny sections, other page sizes); default from the host. */
  readonly archProfile?: ArchProfile;
  /** A memblock to boot from instead of the trace's (e.g. a memblock model's final state); the boot changes a copy. */
  readonly memblock?: Memblock;
  /** Hole-accounting era (kernel-eras.ts) instead of the one of the trace's kernel release. */
  readonly era?: KernelEra;
  /** Ignore printed zone ranges and Movable starts: compute everything from arch rules and the cmdline. */
  readonly ignorePrinted?: boolean;
  readonly zoneDmaBits?: number;
  /**
   * Told each phase as it starts (and, where a phase has counts, how far it has got): the CLI's progress line.
   * The simulator never depends on it; see src/core/progress.ts.
   */
  readonly onProgress?: ProgressFn;
}

/** Where the deferral decision came from. */
export type DeferredSource = 'flag' | 'profile' | 'config' | 'release' | 'assumed';

/** DEFERRED_STRUCT_PAGE_INIT as replayed, and why (early_page_ext can turn it off whatever the source said). */
export interface DeferredDecision {
  readonly on: boolean;
  /** One line for reports: `--deferred on`, `CONFIG_DEFERRED_STRUCT_PAGE_INIT=y`, `profile v6.18 default: off`... */
  readonly reason: string;
  readonly source: DeferredSource;
}

/** `--restore all`: every kind a restore call takes (reserve_mem ranges are revived by memblock, never restored). */
export const RESTORE_ALL: ReadonlySet<KhoRestoreKind> = new Set<KhoRestoreKind>([
  'folio',
  'pages',
  'vmalloc',
  'subtree',
]);

/**
 * `all`, `none` or a comma list of kinds (plurals accepted: folios, subtrees) to a set of kinds; null when a word
 * is none of them (the CLI turns that into a usage error, src/cli/scenario.ts parseRestoreKinds).
 */
export function restoreKindsOf(spec: string): Set<KhoRestoreKind> | null {
  const s = spec.trim();
  if (s === 'all') return new Set(RESTORE_ALL);
  if (s === 'none') return new Set();
  const out = new Set<KhoRestoreKind>();
  for (const part of s.split(',')) {
    const word = part.trim();
    const k = (
      KHO_RESTORE_KINDS.includes(word as KhoRestoreKind) ? word : word.replace(/s$/, '')
    ) as KhoRestoreKind;
    if (!KHO_RESTORE_KINDS.includes(k)) return null;
    out.add(k);
  }
  return out;
}

/** The restore kinds as `--restore` spells them: all, none, or the kinds in table order. */
export function restoreLabel(kinds: ReadonlySet<KhoRestoreKind>): string {
  if (kinds.size === 0) return 'none';
  if (kinds.size === RESTORE_ALL.size && [...RESTORE_ALL].every((k) => kinds.has(k))) return 'all';
  return [...RESTORE_ALL, 'reserve-mem' as const].filter((k) => kinds.has(k)).join(',');
}
