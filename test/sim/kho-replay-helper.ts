// Test helper: a KHO replay through the one entry point replay(host, image, scenario) with profile and strategy
// named as the CLI names them, and the parts the v7.x tests look at.
import type { Finding } from '../../src/check/kho-findings.js';
import { check } from '../../src/check/kho-findings.js';
import type { KhoImageInput } from '../../src/sim/phases/kho-types.js';
import { findProfile } from '../../src/sim/profiles.js';
import { replay } from '../../src/sim/replay.js';
import { findStrategy } from '../../src/sim/strategies/index.js';
import type { Timeline } from '../../src/sim/timeline.js';
import type { HostTrace } from '../../src/trace/host-trace.js';

export interface KhoReplay {
  readonly timeline: Timeline;
  readonly kho: NonNullable<Timeline['kho']>;
  readonly deferred: boolean;
}

export function replayKho(
  host: HostTrace,
  image: KhoImageInput,
  o: {
    profile?: string;
    strategy?: string;
    deferred?: 'on' | 'off';
    kdump?: boolean;
    bundleName?: string;
  } = {},
): KhoReplay {
  const tl = replay(host, image, {
    ...(o.profile ? { profile: findProfile(o.profile) } : {}),
    ...(o.strategy ? { strategy: findStrategy(o.strategy) } : {}),
    ...(o.deferred ? { deferred: o.deferred } : {}),
    ...(o.kdump !== undefined ? { kdump: o.kdump } : {}),
    ...(o.bundleName ? { bundleName: o.bundleName } : {}),
  });
  if (!tl.kho) throw new Error('not a KHO replay');
  return { timeline: tl, kho: tl.kho, deferred: tl.deferred.on };
}

export function checkKho(r: KhoReplay): Finding[] {
  return check(r.timeline);
}
