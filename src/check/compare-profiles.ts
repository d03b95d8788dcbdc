// `compare --profiles all`: every kernel profile x every strategy on one bundle, so a reviewer sees at a glance
// which kernels handle this host's handover safely. One compareStrategies() per profile (src/check/compare.ts).
import type { HostTrace } from '../trace/host-trace.js';
import type { Scenario } from '../sim/scenario.js';
import type { KhoImageInput } from '../sim/phases/kho-types.js';
import type { KernelProfile } from '../sim/profiles.js';
import { PROFILES, findProfile } from '../sim/profiles.js';
import type { CompareShared, Comparison } from './compare.js';
import { compareStrategies } from './compare.js';

export interface ProfileMatrix {
  readonly profiles: readonly KernelProfile[];
  /** One comparison per profile, in profile order. */
  readonly rows: readonly Comparison[];
}

/** `all`, or a comma-separated list of profile names. */
export function parseProfileList(spec: string): KernelProfile[] {
  if (spec.trim() === 'all') return [...PROFILES];
  return spec.split(',').map((s) => findProfile(s.trim()));
}

export function compareProfiles(
  host: HostTrace,
  image: KhoImageInput,
  profiles: readonly KernelProfile[],
  scenario: Omit<Scenario, 'strategy' | 'profile'> = {},
): ProfileMatrix {
  // the captured plain boot (cost calibration) does not depend on the profile: replayed once for all rows
  const shared: CompareShared = {};
  return {
    profiles,
    rows: profiles.map((p) => compareStrategies(host, image, { ...scenario, profile: p }, undefined, shared)),
  };
}
