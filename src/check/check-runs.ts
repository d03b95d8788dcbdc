// The replays behind `check`: one bundle, decoded once, replayed under each (profile, strategy) cell, with one
// plain replay of the host for the cost calibration shared by every cell (src/cost capturedBoot). The pipeline
// compare and replay use: replay(host, image, scenario) -> check(tl) -> computeCosts.
import type { RangesLike, Severity } from '../core/index.js';
import type { Costs } from '../cost/index.js';
import { InternalError } from '../core/index.js';
import { capturedBoot, computeCosts } from '../cost/index.js';
import type { KhoImageInput } from '../sim/phases/kho-types.js';
import type { KernelProfile } from '../sim/profiles.js';
import { findProfile, PROFILES, profileAcceptsImage, profileForImage } from '../sim/profiles.js';
import { replay, replayEach } from '../sim/replay.js';
import type { Scenario } from '../sim/scenario.js';
import { restoreKindsOf } from '../sim/scenario.js';
import { findStrategy, listStrategies } from '../sim/strategies/index.js';
import type { KhoSection, Timeline } from '../sim/timeline.js';
import type { HostTrace } from '../trace/host-trace.js';
import type { Finding } from './kho-findings.js';
import { check } from './kho-findings.js';

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
  /** Pfn ranges [start, end), sorted (a Finding's columns). */
  readonly ranges: RangesLike;
  readonly title: string;
}

export interface CheckRun {
  readonly cell: CheckCell;
  /** DEFERRED_STRUCT_PAGE_INIT as replayed, and why. */
  readonly deferred: boolean;
  readonly deferredReason: string;
  readonly findings: readonly CheckFinding[];
  readonly costs: Costs;
  /** The replay itself, for the HTML report (null when not kept: runKhoCells without keepTimelines). */
  readonly timeline: Timeline | null;
  readonly kho: KhoSection | null;
}

/** Boot options of the host (src/sim/boot-options.ts bootOptionsFromHost), as replay and compare pass them. */
export type CheckBoot = Pick<Scenario, 'bundleName' | 'pageExt' | 'cpusPerNode' | 'reservedFrom'>;

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

function checkFindings(fs: readonly Finding[]): CheckFinding[] {
  return fs.map((f) => ({
    code: f.code,
    severity: f.severity,
    phase: f.phase,
    kernelFunction: f.kernelFunction,
    pages: f.pages,
    blocks: f.blocks,
    ranges: f.ranges,
    title: f.title,
  }));
}

/** A plain boot of a bundle without a KHO image: the replay command's own path, one cell (profile = mm profile). */
export function runPlainBoot(host: HostTrace, boot: CheckBoot, deferred: DeferredOption): CheckRun {
  const tl = replay(host, null, { ...boot, deferred: deferred === 'default' ? 'auto' : deferred });
  return {
    cell: { profile: tl.mm.name, strategy: PLAIN_BOOT, deferred, restore: 'none' },
    deferred: tl.deferred.on,
    deferredReason: tl.deferred.reason,
    findings: checkFindings(check(tl)),
    // the log's deferred-init lines come from this very boot (as `replay` calibrates)
    costs: computeCosts(tl, host),
    timeline: tl,
    kho: null,
  };
}

/**
 * Every cell on one host and image: the image is decoded once by the caller, the host's plain boot is replayed
 * once for the calibration (compare's rule: the log's deferred-init lines come from the captured boot, which
 * defers more than the KHO one), then the cells of one profile and --deferred share the boot up to where the
 * strategies diverge (src/sim/replay.ts replayEach), each strategy and --restore going on from a copy. Results in
 * the cells' order; a cell's timeline is kept only with `keepTimelines` (the HTML report), else dropped once its
 * findings and costs are taken.
 */
export function runKhoCells(
  host: HostTrace,
  image: KhoImageInput,
  cells: readonly CheckCell[],
  boot: CheckBoot,
  options: { readonly keepTimelines?: boolean } = {},
): CheckRun[] {
  if (!cells.length) return [];
  const keep = options.keepTimelines ?? true;
  let calibrateOn: ReturnType<typeof capturedBoot> = undefined;
  let calibrated = false;
  // the cells that share a boot: same profile and --deferred, in the order first named
  const groups = new Map<string, number[]>();
  cells.forEach((cell, i) => {
    const key = `${cell.profile}\0${cell.deferred}`;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const out: CheckRun[] = new Array<CheckRun>(cells.length);
  for (const idx of groups.values()) {
    const first = cells[idx[0]!]!;
    const variants = idx.map((i) => {
      const cell = cells[i]!;
      const restore = restoreKindsOf(cell.restore);
      if (!restore)
        throw new InternalError(`check cell with restore kinds '${cell.restore}' not checked by the CLI`);
      return { strategy: findStrategy(cell.strategy), restore };
    });
    const scenario: Scenario = {
      ...boot,
      ...(first.profile !== 'auto' ? { profile: findProfile(first.profile) } : {}),
      ...(first.deferred !== 'default' ? { deferred: first.deferred } : {}),
    };
    const take = (tl: Timeline, j: number): number => {
      // the captured boot is the same for every cell: replayed once
      if (!calibrated) {
        calibrateOn = capturedBoot(tl, host);
        calibrated = true;
      }
      out[idx[j]!] = {
        cell: cells[idx[j]!]!,
        deferred: tl.deferred.on,
        deferredReason: tl.deferred.reason,
        findings: checkFindings(check(tl)),
        costs: computeCosts(tl, host, calibrateOn ? { calibrateOn } : {}),
        timeline: keep ? tl : null,
        kho: tl.kho,
      };
      return j;
    };
    // a cell whose replay is an earlier cell's (replayEach): the same findings and costs (they read the state,
    // never the strategy), under its own cell
    const relabel = (earlier: number, tl: Timeline, j: number): number => {
      out[idx[j]!] = {
        ...out[idx[earlier]!]!,
        cell: cells[idx[j]!]!,
        timeline: keep ? tl : null,
        kho: tl.kho,
      };
      return j;
    };
    replayEach(host, image, scenario, variants, take, relabel);
  }
  return out;
}
