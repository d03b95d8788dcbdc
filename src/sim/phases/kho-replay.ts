// A KHO boot of the incoming kernel (kho-abi.md §6.1): kho_populate, memmap_init, kho_memory_init (deserialize
// under the strategy), memblock_free_all, page_alloc_init_late, then the restores the image says are used.
// The boot phases are the simulator's own (src/sim/replay.ts); the KHO phases run from its hooks.
import type { Range } from '../../core/index.js';
import { TraceError } from '../../core/index.js';
import type { HostTrace } from '../../trace/host-trace.js';
import type { KernelProfile } from '../profiles.js';
import { findProfile, profileForImage } from '../profiles.js';
import type { ReplayOptions } from '../replay.js';
import { replay } from '../replay.js';
import type { KhoStrategy } from '../strategies/index.js';
import { findStrategy } from '../strategies/index.js';
import type { Timeline } from '../timeline.js';
import { khoMemoryInit } from './kho-memory-init.js';
import { khoPopulate } from './kho-populate.js';
import { khoRestore } from './kho-restore.js';
import type { KhoRun } from './kho-run.js';
import { classifyBlocks, parseRestoreKinds } from './kho-run.js';
import type { KhoImageInput, KhoRestoreKind } from './kho-types.js';

export interface KhoReplayOptions extends Omit<ReplayOptions, 'hooks' | 'deferred' | 'mmProfile'> {
  /** Profile name; default: the one that follows the image's ABI. */
  readonly profile?: string;
  /** Strategy name; default: the profile's. */
  readonly strategy?: string | KhoStrategy;
  /** DEFERRED_STRUCT_PAGE_INIT forced on or off; default: the profile's. */
  readonly deferred?: 'on' | 'off';
  /** `all`, `none` or a list of kinds; default `all`. */
  readonly restore?: string | ReadonlySet<KhoRestoreKind>;
}

export interface KhoReplayResult {
  readonly profile: KernelProfile;
  readonly strategy: KhoStrategy;
  readonly deferred: boolean;
  /** Why deferral is on or off: --deferred, or the profile's default (and early_page_ext). */
  readonly deferredReason: string;
  readonly timeline: Timeline;
  readonly run: KhoRun;
  /** memblock.reserved (bytes) as kho_memory_init() found it, before the preserved blocks were added. */
  readonly reservedBefore: readonly Range[];
}

function profileOf(image: KhoImageInput, name: string | undefined): KernelProfile {
  if (name && name !== 'auto') return findProfile(name);
  return profileForImage(image.abi, image.bitmapFormat, image.luo !== undefined && image.luo !== null);
}

/** Replay a KHO boot of `host` receiving `image` under a profile and a strategy. */
export function replayKho(
  host: HostTrace,
  image: KhoImageInput,
  options: KhoReplayOptions = {},
): KhoReplayResult {
  const profile = profileOf(image, options.profile);
  const strategy =
    typeof options.strategy === 'object'
      ? options.strategy
      : findStrategy(options.strategy ?? profile.defaultStrategy);
  const restoreKinds =
    typeof options.restore === 'object' ? options.restore : parseRestoreKinds(options.restore ?? 'all');
  const deferred = options.deferred ?? (profile.deferredDefault ? 'on' : 'off');
  if (image.pageSize !== 2 ** host.pageShift)
    // the handover and the host files disagree: the bundle is inconsistent (exit 3), not the command line
    throw new TraceError({
      code: 'TRACE_ERR_PAGE_SIZE_MISMATCH',
      location: { file: `${options.bundleName ?? 'bundle'}/kho`, field: 'page size' },
      expected: `the host's ${2 ** host.pageShift}-byte pages`,
      found: `an image with ${image.pageSize}-byte pages`,
    });
  let run: KhoRun | null = null;
  let reservedBefore: Range[] = [];
  const timeline = replay(host, {
    ...options,
    deferred,
    mmProfile: profile.mmProfile,
    hooks: {
      beforeMemmapInit: (ctx) => {
        const pageSize = 2 ** ctx.arch.PAGE_SHIFT;
        run = {
          profile,
          strategy,
          image,
          blocks: classifyBlocks(image, ctx.arch.PAGE_SHIFT, ctx.arch.MAX_PAGE_ORDER),
          restoreKinds,
          accepted: true,
          scratch: image.scratch
            .map((s) => ({
              start: Math.floor(s.phys / pageSize),
              end: Math.ceil((s.phys + s.sizeBytes) / pageSize),
            }))
            .sort((a, b) => a.start - b.start),
          observations: [],
          restored: new Set(),
        };
        khoPopulate(ctx, run);
      },
      afterMemmapInit: (ctx) => {
        if (!run) return;
        reservedBefore = ctx.tables.reserved.map((r) => ({ start: r.start, end: r.end }));
        khoMemoryInit(ctx, run);
      },
      afterPageAllocInitLate: (ctx) => {
        if (run) khoRestore(ctx, run);
      },
    },
  });
  if (!run) throw new Error('replay did not run the KHO hooks');
  const deferredReason = options.deferred
    ? timeline.deferredReason
    : timeline.deferredReason.replace(/^--deferred (on|off)/, `profile ${profile.name} default: $1`);
  return { profile, strategy, deferred: timeline.deferred, deferredReason, timeline, run, reservedBefore };
}
