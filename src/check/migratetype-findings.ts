// Timeline -> findings on pageblock migratetypes of a KHO boot (src/sim/migratetype.ts): scratch pageblocks that
// end the boot without MIGRATE_CMA, and pageblocks outside kho_scratch[] that end as MIGRATE_CMA, each grouped by
// the kernel function that typed them last, with pfn ranges.
import type { Range } from '../core/index.js';
import type { Timeline } from '../sim/timeline.js';
import type { MigratetypeReplay } from '../sim/migratetype.js';
import { MIGRATE, pageblocksOverlapping, replayMigratetypes } from '../sim/migratetype.js';
import type { FindingCode } from './codes.js';
import type { Finding } from './kho-findings.js';
import { makeFinding } from './kho-findings.js';

/**
 * The pageblock replay of a timeline: on a KHO boot whose image kho_populate() accepted, the profile's scratch rule;
 * otherwise (plain boot, refused image) no scratch at all. `only` (pageblock ranges): the replay is exact there and
 * skips what types only other pageblocks (replayMigratetypes).
 */
export function migratetypesOf(
  tl: Timeline,
  opts: { readonly only?: readonly Range[] } = {},
): MigratetypeReplay {
  const run = tl.kho?.run;
  return replayMigratetypes(
    tl,
    run?.accepted
      ? { rule: run.profile.scratchMigratetype, scratch: run.scratch, extended: run.extendedScratch }
      : null,
    opts,
  );
}

/**
 * KHO_SCRATCH_NOT_CMA and KHO_CMA_OUTSIDE_SCRATCH of one KHO replay (none when the image was refused), from `given`
 * or from a replay of only the pageblocks they read: those meeting scratch, and every pageblock that can end as
 * MIGRATE_CMA, which is one meeting scratch or extended scratch (kho_scratch_migratetype() and kho_release_scratch()
 * type CMA only there, linux v7.3-rc7 kernel/liveupdate/kexec_handover.c; src/sim/migratetype.ts cmaByOverlap,
 * cmaByAlignedStart, isFlagged). The findings depend on nothing else: a run's parts outside those pageblocks are
 * neither CMA nor scratch. A replay of every pageblock types the million pageblocks of deferred init's free ranges.
 */
export function checkMigratetypes(tl: Timeline, given?: MigratetypeReplay): Finding[] {
  const run = tl.kho?.run;
  if (!run?.accepted) return [];
  const P = tl.arch.pageblock_nr_pages;
  const mt =
    given ?? migratetypesOf(tl, { only: pageblocksOverlapping([...run.scratch, ...run.extendedScratch], P) });
  const scratch = pageblocksOverlapping(run.scratch, P);
  const acc = new Map<string, { code: FindingCode; fn: string; ranges: Range[] }>();
  const add = (code: FindingCode, fn: string, s: number, e: number): void => {
    const k = `${code}\0${fn}`;
    let a = acc.get(k);
    if (!a) acc.set(k, (a = { code, fn, ranges: [] }));
    const last = a.ranges[a.ranges.length - 1];
    if (last && last.end === s * P) a.ranges[a.ranges.length - 1] = { start: last.start, end: e * P };
    else a.ranges.push({ start: s * P, end: e * P });
  };
  let j = 0;
  const map = mt.map;
  // the runs read from the map's columns (a million runs after a per-block init: no object each)
  for (let i = 0; i < map.runCount; i++) {
    const type = map.runMt(i);
    if (type < 0) continue;
    const start = map.runStart(i);
    const end = map.runEnd(i);
    // the scratch pageblocks this run holds, and the parts outside scratch
    let cur = start;
    while (j < scratch.length && scratch[j]!.end <= start) j++;
    // most runs neither are CMA nor meet scratch
    if (type !== MIGRATE.MIGRATE_CMA && (j >= scratch.length || scratch[j]!.start >= end)) continue;
    const by = map.runBy(i);
    for (let k = j; k < scratch.length && scratch[k]!.start < end; k++) {
      const s = Math.max(start, scratch[k]!.start);
      const e = Math.min(end, scratch[k]!.end);
      if (s > cur && type === MIGRATE.MIGRATE_CMA) add('KHO_CMA_OUTSIDE_SCRATCH', by, cur, s);
      if (type !== MIGRATE.MIGRATE_CMA) add('KHO_SCRATCH_NOT_CMA', by, s, e);
      cur = e;
    }
    if (cur < end && type === MIGRATE.MIGRATE_CMA) add('KHO_CMA_OUTSIDE_SCRATCH', by, cur, end);
  }
  const out: Finding[] = [];
  for (const a of acc.values()) {
    out.push(
      makeFinding(a.code, mt.phaseOf.get(a.fn) ?? 'end of replay', a.ranges, {
        kernelFunction: a.fn,
        pages: a.ranges.reduce((n, r) => n + r.end - r.start, 0),
      }),
    );
  }
  return out;
}
