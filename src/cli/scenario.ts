// Flags -> Scenario, once per command: every value is checked before the bundle is read, so a typo is a usage
// error (exit 2) and the engine only ever sees typed values (src/sim/scenario.ts).
import { UsageError } from '../core/index.js';
import type { KhoBitmapFormat } from '../../parsers/kho/index.js';
import type { HostBootOptions } from '../sim/boot-options.js';
import type { ReservedSource } from '../sim/boot-tables.js';
import { mmProfileByName } from '../sim/mm-profiles.js';
import type { GrowZoneRequest } from '../sim/phases/deferred-grow-zone.js';
import type { KhoRestoreKind } from '../sim/phases/kho-types.js';
import { KHO_RESTORE_KINDS } from '../sim/phases/kho-types.js';
import { findProfile } from '../sim/profiles.js';
import type { Scenario } from '../sim/scenario.js';
import { restoreKindsOf } from '../sim/scenario.js';
import { findStrategy } from '../sim/strategies/index.js';

/** The scenario flags replay, compare and check share (each command registers the ones it takes). */
export interface ScenarioFlags {
  readonly deferred?: string;
  readonly reserved?: string;
  readonly mm?: string;
  readonly profile?: string;
  readonly strategy?: string;
  readonly restore?: string;
  readonly growZone?: string;
}

/** A scenario as parsed from flags: the host's boot options (page_ext client, CPUs per node) come after reading. */
export interface ParsedScenario {
  readonly scenario: Scenario;
  /** Any KHO flag was given (replay then needs a KHO image). */
  readonly khoFlags: boolean;
}

export function parseDeferredFlag(v: string | undefined): 'on' | 'off' | undefined {
  if (v === undefined) return undefined;
  if (v !== 'on' && v !== 'off') throw new UsageError(`--deferred takes on or off, not '${v}'`);
  return v;
}

export function parseBitmapFlag(v: string | undefined): KhoBitmapFormat | undefined {
  if (v === undefined) return undefined;
  if (v !== '512' && v !== 'page') throw new UsageError(`--bitmap-format takes 512 or page, not '${v}'`);
  return v;
}

function parseReservedFlag(v: string | undefined): ReservedSource | undefined {
  if (v === undefined) return undefined;
  if (v !== 'trace' && v !== 'memblock-log')
    throw new UsageError(`--reserved takes trace or memblock-log, not '${v}'`);
  return v;
}

/** `--restore all|none|<kind,kind>` to a set of kinds (plurals accepted: folios, subtrees). */
export function parseRestoreKinds(spec: string): Set<KhoRestoreKind> {
  const kinds = restoreKindsOf(spec);
  if (kinds) return kinds;
  const bad = spec.split(',').find((part) => restoreKindsOf(part) === null) ?? spec;
  throw new UsageError(`--restore: '${bad}' is not all, none or one of ${KHO_RESTORE_KINDS.join(', ')}`);
}

/**
 * `--grow-zone <nid:order,...>`: allocations that fell back to deferred_grow_zone() before page_alloc_init_late(),
 * in order (src/sim/phases/deferred-grow-zone.ts).
 */
export function parseGrowZone(spec: string): GrowZoneRequest[] {
  return spec.split(',').map((part) => {
    const m = /^\s*(\d{1,4}):(\d{1,2})\s*$/.exec(part);
    if (!m || Number(m[2]) > 40)
      throw new UsageError(`--grow-zone takes nid:order pairs separated by commas (1:10,0:0), not '${part}'`);
    return { nid: Number(m[1]), order: Number(m[2]) };
  });
}

/** Check and type every scenario flag (UsageError on the first bad one). */
export function parseScenarioFlags(flags: ScenarioFlags, bundleName?: string): ParsedScenario {
  const deferred = parseDeferredFlag(flags.deferred);
  const reserved = parseReservedFlag(flags.reserved);
  if (flags.mm !== undefined) mmProfileByName(flags.mm);
  const profile =
    flags.profile !== undefined && flags.profile !== 'auto' ? findProfile(flags.profile) : undefined;
  const strategy = flags.strategy !== undefined ? findStrategy(flags.strategy) : undefined;
  const restore = flags.restore !== undefined ? parseRestoreKinds(flags.restore) : undefined;
  const growZone = flags.growZone !== undefined ? parseGrowZone(flags.growZone) : undefined;
  return {
    scenario: {
      ...(deferred ? { deferred } : {}),
      ...(reserved ? { reservedFrom: reserved } : {}),
      ...(flags.mm !== undefined ? { mmProfile: flags.mm, mmReason: `--mm ${flags.mm}` } : {}),
      ...(profile ? { profile } : {}),
      ...(strategy ? { strategy } : {}),
      ...(restore ? { restore } : {}),
      ...(growZone ? { growZone } : {}),
      ...(bundleName !== undefined ? { bundleName } : {}),
    },
    khoFlags: flags.strategy !== undefined || flags.profile !== undefined || flags.restore !== undefined,
  };
}

/** The scenario with what the host's files say about its boot (page_ext client, CPUs per node). */
export function withHostBoot(scenario: Scenario, hb: HostBootOptions): Scenario {
  return {
    ...scenario,
    pageExt: hb.pageExt,
    ...(hb.cpusPerNode ? { cpusPerNode: hb.cpusPerNode } : {}),
  };
}
