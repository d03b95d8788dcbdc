// The replays behind `check`: one bundle, decoded once, replayed under each (profile, strategy) cell, with one
// plain replay of the host for the cost calibration shared by every cell. A thin adapter over what compare uses
// today (replayKho + checkKho + computeCosts, src/check/compare.ts), so that check follows the replay pipeline
// wherever it goes by an edit of this file only.
import type { Range, Severity } from '../core/index.js';
import type { Costs } from '../cost/index.js';
import { computeCosts } from '../cost/index.js';
import type { KhoReplayResult } from '../sim/phases/kho-replay.js';
import { replayKho } from '../sim/phases/kho-replay.js';
import type { KhoImageInput } from '../sim/phases/kho-types.js';
import type { KernelProfile } from '../sim/profiles.js';
import { findProfile, PROFILES, profileAcceptsImage, profileForImage } from '../sim/profiles.js';
import type { ReplayOptions } from '../sim/replay.js';
import { replay } from '../sim/replay.js';
import { findStrategy, listStrategies } from '../sim/strategies/index.js';
import type { Timeline } from '../sim/timeline.js';
import type { HostTrace } from '../trace/host-trace.js';
import { checkKho } from './kho-findings.js';

/** The strategy name of a plain boot (a bundle without a KHO image): no KHO strategy applies. */
export const PLAIN_BOOT = 'boot';

/** `--deferred` as asked: the profile's (or the kernel config's) default, or forced. */
export type DeferredOption = 'default' | 'on' | 'off';

/** One replay to run: names resolved (no defaults left), so two cells with the same names are the same replay. */
export interface CheckCell {
  readonly profile: string;
  readonly strategy: string;
  readonly deferred: DeferredOption;
  /** `all`, `none` or a list of kinds (src/sim/phases/kho-run.ts parseRestoreKinds). */
  readonly restore: string;
}

/** A finding of either kind of replay, in one shape (KHO findings and a plain boot's SimFindings). */
export interface CheckFinding {
  readonly code: string;
  readonly severity: Severity;
  readonly phase: string;
  readonly kernelFunction: string;
  readonly pages: number;
  /** Preserved blocks under the ranges (0 for a plain boot: no preserved memory). */
  readonly blocks: number;
  /** Pfn ranges [start, end), sorted. */
  readonly ranges: readonly Range[];
  readonly title: string;
}

export interface CheckRun {
  readonly cell: CheckCell;
  /** DEFERRED_STRUCT_PAGE_INIT as replayed, and why. */
  readonly deferred: boolean;
  readonly deferredReason: string;
  readonly findings: readonly CheckFinding[];
  readonly costs: Costs;
  /** The replay itself, for the HTML report. */
  readonly timeline: Timeline;
  readonly kho: KhoReplayResult | null;
}

/** Boot options of the host (src/sim/boot-options.ts bootOptionsFromHost), as replay and compare pass them. */
export type CheckBoot = Pick<ReplayOptions, 'bundleName' | 'pageExt' | 'cpusPerNode' | 'reservedFrom'>;

/** The profile a KHO replay of this image runs when none is named (replayKho's default). */
export function imageProfile(image: KhoImageInput): KernelProfile {
  return profileForImage(image.abi, image.bitmapFormat, image.luo !== undefined && image.luo !== null);
}

/** `--profiles all|a,b`: the profiles named, or every profile whose kernel accepts the image. Usage errors throw. */
export function profilesFor(image: KhoImageInput, spec: string): KernelProfile[] {
  if (spec.trim() === 'all') return PROFILES.filter((p) => profileAcceptsImage(p, image.abi));
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((name) => (name === 'auto' ? imageProfile(image) : findProfile(name)));
}

/** `--strategies all|a,b`: the strategy names, checked (usage error on an unknown one). */
export function strategiesFor(spec: string): string[] {
  if (spec.trim() === 'all') return listStrategies().map((s) => s.name);
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((name) => findStrategy(name).name);
}

function plainFindings(tl: Timeline): CheckFinding[] {
  return tl.findings.map((f) => ({
    code: f.code,
    severity: f.severity,
    phase: f.phase,
    kernelFunction: f.fn,
    pages: f.pages,
    blocks: 0,
    ranges: f.ranges.map(([start, end]) => ({ start, end })),
    title: f.message,
  }));
}

/** A plain boot of a bundle without a KHO image: the replay command's own path, one cell (profile = mm profile). */
export function runPlainBoot(host: HostTrace, boot: CheckBoot, deferred: DeferredOption): CheckRun {
  const tl = replay(host, { ...boot, deferred: deferred === 'default' ? 'auto' : deferred });
  return {
    cell: { profile: tl.mm.name, strategy: PLAIN_BOOT, deferred, restore: 'none' },
    deferred: tl.deferred,
    deferredReason: tl.deferredReason,
    findings: plainFindings(tl),
    // the log's deferred-init lines come from this very boot (as `replay` calibrates)
    costs: computeCosts(tl, host),
    timeline: tl,
    kho: null,
  };
}

/**
 * Every cell on one host and image: the image is decoded once by the caller, the host's plain boot is replayed
 * once for the calibration (compare's rule: the log's deferred-init lines come from the captured boot, which
 * defers more than the KHO one), then one KHO replay per cell.
 */
export function runKhoCells(
  host: HostTrace,
  image: KhoImageInput,
  cells: readonly CheckCell[],
  boot: CheckBoot,
): CheckRun[] {
  if (!cells.length) return [];
  const plain = replay(host, { ...boot, deferred: 'auto' });
  return cells.map((cell): CheckRun => {
    const r = replayKho(host, image, {
      ...boot,
      profile: cell.profile,
      strategy: cell.strategy,
      restore: cell.restore,
      ...(cell.deferred !== 'default' ? { deferred: cell.deferred } : {}),
    });
    const findings: CheckFinding[] = checkKho(r).map((f) => ({
      code: f.code,
      severity: f.severity,
      phase: f.phase,
      kernelFunction: f.kernelFunction,
      pages: f.pages,
      blocks: f.blocks,
      ranges: f.ranges,
      title: f.title,
    }));
    return {
      cell,
      deferred: r.deferred,
      deferredReason: r.deferredReason,
      findings,
      costs: computeCosts(r.timeline, host, { calibrateOn: plain }),
      timeline: r.timeline,
      kho: r,
    };
  });
}
