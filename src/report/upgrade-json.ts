// The `upgrade --json` document (schema kexec-replay/upgrade/1): a contract, new keys may be added, none removed.
// `from`, `to`, `accepted`, `lostBytes` and `findings` (as in replay/1) are the keys the issue fixes.
import type { UpgradeResult } from '../check/upgrade.js';
import { findingsToJson } from './findings-json.js';
import type { FindingJson } from './findings-json.js';

export const UPGRADE_SCHEMA = 'kexec-replay/upgrade/1';

export interface UpgradeJson {
  schema: typeof UPGRADE_SCHEMA;
  bundle: string;
  /** Kernel A (the writer) and B (the reader), by profile name. */
  from: string;
  to: string;
  fromReason: string;
  fromStatus: string;
  toStatus: string;
  /** The ABI of the image as A writes it, and B's. */
  abi: string;
  toAbi: string;
  relabelled: string | null;
  /** B's kho_populate() takes the root. */
  accepted: boolean;
  rejectReason: string | null;
  /** Preserved memory B hands to the buddy allocator. */
  lostBytes: number;
  preservedBytes: number;
  luo: { present: boolean; image: string[]; accepts: string | null; accepted: boolean | null };
  memfd: { present: boolean; image: string[]; accepts: string | null; accepted: boolean | null };
  strategy: string;
  deferred: { on: boolean; reason: string };
  mmProfile: string;
  /** B's boot with this image: serial ms (memmap_init, deserialize) and per-node deferred init. */
  costs: {
    ratePerPageNs: number;
    serialMs: number;
    parallelMs: number;
    deferredInit: { nid: number; pages: number; ms: number; threads: number }[];
  };
  /** As in replay/1: `fn` and `message` next to the full finding. */
  findings: (FindingJson & { fn: string; message: string })[];
}

export function upgradeToJson(u: UpgradeResult, bundle: string): UpgradeJson {
  const late = u.costs.phases.filter((p) => p.kind === 'parallel');
  return {
    schema: UPGRADE_SCHEMA,
    bundle,
    from: u.from.profile.name,
    to: u.to.name,
    fromReason: u.from.reason,
    fromStatus: u.from.profile.status,
    toStatus: u.to.status,
    abi: u.abi,
    toAbi: u.to.abi,
    relabelled: u.relabelled,
    accepted: u.accepted,
    rejectReason: u.rejectReason,
    lostBytes: u.lostBytes,
    preservedBytes: u.preservedBytes,
    luo: {
      present: u.luo.present,
      image: [...u.luo.image],
      accepts: u.luo.accepts,
      accepted: u.luo.accepted,
    },
    memfd: {
      present: u.memfd.present,
      image: [...u.memfd.image],
      accepts: u.memfd.accepts,
      accepted: u.memfd.accepted,
    },
    strategy: u.kho.strategy.name,
    deferred: { on: u.timeline.deferred.on, reason: u.timeline.deferred.reason },
    mmProfile: u.timeline.mm.name,
    costs: {
      ratePerPageNs: u.costs.ratePerPageNs,
      serialMs: u.costs.serialMs,
      parallelMs: u.costs.parallelMs,
      deferredInit: late.flatMap((p) =>
        (p.perNode ?? []).map((n) => ({ nid: n.nid, pages: n.pages, ms: n.ms, threads: n.threads })),
      ),
    },
    findings: findingsToJson(u.findings).map((f) => ({ ...f, fn: f.kernelFunction, message: f.title })),
  };
}
