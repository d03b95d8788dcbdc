// The simulator's one entry point: replay(host, image | null, scenario) -> Timeline. A plain boot runs the phases
// of src/sim/boot.ts; a KHO boot (kho-abi.md §6.1) runs kho_populate before memmap_init, kho_memory_init
// (deserialize under the strategy) after it, and the restores the image says are used after
// page_alloc_init_late, from the boot's hooks.
import type { Range } from '../core/index.js';
import { InternalError, TraceError } from '../core/index.js';
import type { HostTrace } from '../trace/host-trace.js';
import { finishTimeline, runBoot } from './boot.js';
import { khoMemoryInit } from './phases/kho-memory-init.js';
import { khoPopulate } from './phases/kho-populate.js';
import { khoRestore } from './phases/kho-restore.js';
import type { KhoRun } from './phases/kho-run.js';
import { BlockSet, classifyBlocks } from './phases/kho-run.js';
import type { KhoImageInput } from './phases/kho-types.js';
import type { KernelProfile } from './profiles.js';
import { profileForImage } from './profiles.js';
import type { Scenario } from './scenario.js';
import { RESTORE_ALL } from './scenario.js';
import { findStrategy } from './strategies/index.js';
import type { Timeline } from './timeline.js';

/** The kernel profile a KHO boot replays: the scenario's, or the one that follows the image's ABI. */
export function profileOf(image: KhoImageInput, scenario: Scenario): KernelProfile {
  return (
    scenario.profile ??
    profileForImage(image.abi, image.bitmapFormat, image.luo !== undefined && image.luo !== null)
  );
}

/**
 * Replay the early memory init of `host`'s incoming kernel: a plain boot when `image` is null, otherwise a KHO
 * boot receiving `image` under the scenario's profile and strategy. Throws TraceError when the image does not
 * fit the host (page size), InternalError when a phase breaks an engine invariant.
 */
export function replay(host: HostTrace, image: KhoImageInput | null, scenario: Scenario = {}): Timeline {
  if (!image) return finishTimeline(runBoot(host, scenario), scenario, null);
  const profile = profileOf(image, scenario);
  const strategy = scenario.strategy ?? findStrategy(profile.defaultStrategy);
  const restoreKinds = scenario.restore ?? RESTORE_ALL;
  if (image.pageSize !== 2 ** host.pageShift)
    // the handover and the host files disagree: the bundle is inconsistent (exit 3), not the command line
    throw new TraceError({
      code: 'TRACE_ERR_PAGE_SIZE_MISMATCH',
      location: { file: `${scenario.bundleName ?? 'bundle'}/kho`, field: 'page size' },
      expected: `the host's ${2 ** host.pageShift}-byte pages`,
      found: `an image with ${image.pageSize}-byte pages`,
    });
  let run: KhoRun | null = null;
  let reservedBefore: Range[] = [];
  // a KHO boot runs the incoming kernel's mm, whatever the captured host ran
  const boot: Scenario = { ...scenario, mmProfile: profile.mmProfile };
  const ctx = runBoot(
    host,
    boot,
    {
      beforeMemmapInit: (c) => {
        const pageSize = 2 ** c.arch.PAGE_SHIFT;
        run = {
          profile,
          strategy,
          image,
          blocks: classifyBlocks(image, c.arch.PAGE_SHIFT, c.arch.MAX_PAGE_ORDER),
          restoreKinds,
          accepted: true,
          scratch: image.scratch
            .map((s) => ({
              start: Math.floor(s.phys / pageSize),
              end: Math.ceil((s.phys + s.sizeBytes) / pageSize),
            }))
            .sort((a, b) => a.start - b.start),
          observations: [],
          restored: new BlockSet(image.preserved.count),
        };
        khoPopulate(c, run);
      },
      afterMemmapInit: (c) => {
        if (!run) throw new InternalError('kho_memory_init ran before kho_populate');
        scenario.onProgress?.('kho_memory_init');
        reservedBefore = c.tables.reserved.map((r) => ({ start: r.start, end: r.end }));
        khoMemoryInit(c, run);
      },
      afterPageAllocInitLate: (c) => {
        if (!run) throw new InternalError('kho_restore ran before kho_populate');
        scenario.onProgress?.('kho_restore');
        khoRestore(c, run);
      },
    },
    { name: profile.name, on: profile.deferredDefault },
  );
  if (!run) throw new InternalError('the boot did not run the KHO hooks');
  return finishTimeline(ctx, scenario, { profile, strategy, restoreKinds, run, reservedBefore });
}
