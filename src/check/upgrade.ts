// The live-update question (`kexec-replay upgrade`): the image kernel A wrote, read by kernel B on this host.
// B's kho_populate() takes the root or refuses it (linux v7.3-rc7 kernel/liveupdate/kexec_handover.c
// kho_populate: fdt_node_check_compatible against KHO_FDT_COMPATIBLE); accepted, B's own restore path, struct-page
// verdicts and pageblock types decide; refused, every preserved page goes to the buddy allocator. Then the LUO and
// memfd versions B accepts, and what B's deferred init costs with this image.
import { InternalError, RequestError } from '../core/index.js';
import type { Costs } from '../cost/index.js';
import { capturedBoot, computeCosts } from '../cost/index.js';
import type { KhoImageInput } from '../sim/phases/kho-types.js';
import type { Scenario } from '../sim/scenario.js';
import type { KhoSection, Timeline } from '../sim/timeline.js';
import type { KernelProfile, ProfileChoice } from '../sim/profiles.js';
import { findProfile } from '../sim/profiles.js';
import { profileOf, replay } from '../sim/replay.js';
import type { HostTrace } from '../trace/host-trace.js';
import { FINDING_CODES } from './codes.js';
import type { Finding } from './kho-findings.js';
import { check, makeFinding } from './kho-findings.js';

/** A version string of the image and whether B takes it (null when the image has none). */
export interface VersionCheck {
  /** The image carries a LUO subtree (whether or not its version could be decoded). */
  readonly present: boolean;
  readonly image: readonly string[];
  /** What B accepts; null when B has no such consumer. */
  readonly accepts: string | null;
  /** null: nothing to check (the image carries none). */
  readonly accepted: boolean | null;
}

export interface UpgradeResult {
  readonly from: ProfileChoice;
  readonly to: KernelProfile;
  /** The ABI the image carries as A writes it (relabelled when --from names another radix-era kernel). */
  readonly abi: KhoImageInput['abi'];
  /** A note when the image was relabelled to A's ABI. */
  readonly relabelled: string | null;
  /** B's kho_populate() takes the root. */
  readonly accepted: boolean;
  readonly rejectReason: string | null;
  /** The kernel function that kept the image out: kho_populate (compatible), kho_fill_kimage (a kdump kernel), ... */
  readonly rejectedBy: string | null;
  /** Preserved bytes B hands to the buddy allocator (all of them when it refuses the image). */
  readonly lostBytes: number;
  readonly preservedBytes: number;
  readonly luo: VersionCheck;
  readonly memfd: VersionCheck;
  readonly findings: readonly Finding[];
  /** B's boot with this image: src/cost, the rate calibrated on the host's own boot when its log allows. */
  readonly costs: Costs;
  /** B's replay on the image. */
  readonly timeline: Timeline;
  readonly kho: KhoSection;
}

const RADIX_ABIS = new Set(['kho-v2', 'kho-v3', 'kho-v4']);

function luoCompatible(image: KhoImageInput): string | null {
  return image.luo?.compatible ?? null;
}

/**
 * The memfd file-handler compatibles of the image's LUO files (struct luo_file_ser.compatible, `memfd-v2`), each
 * once: B restores a file only through a registered handler whose compatible is the same string (linux v7.3-rc7
 * kernel/liveupdate/luo_file.c luo_file_deserialize_one: strcmp, else "No registered handler"; mm/memfd_luo.c
 * registers MEMFD_LUO_FH_COMPATIBLE). The LUO root itself: strncmp against LUO_ABI_COMPATIBLE in luo_early_startup()
 * (linux v7.3-rc7 kernel/liveupdate/luo_core.c).
 */
function memfdCompatibles(image: KhoImageInput): string[] {
  const files = image.luo?.files ?? [];
  return [...new Set(files.map((f) => f.compatible).filter((c) => c.startsWith('memfd')))].sort();
}

const finding = (
  code: keyof typeof FINDING_CODES,
  phase: string,
  ranges: { start: number; end: number }[],
  blocks: number,
): Finding => makeFinding(code, phase, ranges, { blocks });

export interface UpgradeOptions extends Omit<Scenario, 'profile' | 'strategy'> {
  /** Kernel A: default the profile the image's ABI and the bundle's kernel release name. */
  readonly from?: string;
  /** Kernel B. */
  readonly to: string;
}

/** Replay B's boot on A's image and judge the handover. */
export function checkUpgrade(host: HostTrace, image: KhoImageInput, options: UpgradeOptions): UpgradeResult {
  const { from: fromName, to: toName, ...boot } = options;
  const to = findProfile(toName);
  const from: ProfileChoice =
    fromName && fromName !== 'auto'
      ? { profile: findProfile(fromName), reason: `--from ${fromName}` }
      : profileOf(image, {}, host);
  // A writes its own ABI: the radix eras share the memory map and subtree pointers (kernel-7x.md §1.1: "nothing
  // else on the root wire changed"), so the same blocks are what A would have written under its compatible
  let written = image;
  let relabelled: string | null = null;
  if (from.profile.abi !== image.abi) {
    if (!RADIX_ABIS.has(from.profile.abi) || !RADIX_ABIS.has(image.abi))
      throw new RequestError(
        `--from ${from.profile.name} writes ${from.profile.abi}, the image is ${image.abi}: its memory map cannot be re-encoded (only the radix eras kho-v2..kho-v4 share one)`,
      );
    written = { ...image, abi: from.profile.abi };
    relabelled = `the ${image.abi} image relabelled ${from.profile.abi}, as ${from.profile.name} writes the same radix memory map`;
  }
  const tl = replay(host, written, { ...boot, profile: to });
  const kho = tl.kho;
  if (!kho) throw new InternalError('a KHO replay without its KHO section');
  const accepted = kho.run.accepted;
  const refused = kho.run.observations.find(
    (o) => o.kind === 'image-refused' || o.kind === 'bitmap-mismatch',
  );
  const pageSize = 2 ** tl.arch.PAGE_SHIFT;
  const preservedPages = kho.run.blocks.pages();
  const findings = [...check(tl)];
  let lostPages: number;
  if (!accepted) lostPages = preservedPages;
  else lostPages = findings.filter((f) => f.code === 'KHO_FREED_TO_BUDDY').reduce((n, f) => n + f.pages, 0);
  // the LUO and memfd versions B accepts (luo_early_startup, memfd_luo's file handler)
  const luoImage = luoCompatible(written);
  const luoSub = written.subtrees.find((s) => s.name === 'LUO');
  const luoRanges = luoSub
    ? [
        {
          start: Math.floor(luoSub.phys / pageSize),
          end: Math.ceil((luoSub.phys + (luoSub.sizeBytes ?? pageSize)) / pageSize),
        },
      ]
    : [];
  const luo: VersionCheck = {
    present: luoSub !== undefined || luoImage !== null,
    image: luoImage ? [luoImage] : [],
    accepts: to.luoAbi,
    accepted: luoImage === null ? null : accepted && luoImage === to.luoAbi,
  };
  const memfdImage = memfdCompatibles(written);
  const memfd: VersionCheck = {
    present: memfdImage.length > 0,
    image: memfdImage,
    accepts: to.memfdAbi,
    accepted: memfdImage.length ? accepted && memfdImage.every((c) => c === to.memfdAbi) : null,
  };
  if (accepted && (luo.accepted === false || memfd.accepted === false))
    findings.push(finding('LUO_VERSION_REJECTED', 'luo_early_startup', luoRanges, luoRanges.length));
  const sev = { error: 0, warning: 1, info: 2 } as const;
  findings.sort((a, b) => sev[a.severity] - sev[b.severity] || a.code.localeCompare(b.code));
  // the rate calibrated on the host's own captured boot when its log has deferred-init lines
  const calibrateOn = capturedBoot(tl, host);
  const costs = computeCosts(tl, host, calibrateOn ? { calibrateOn } : {});
  return {
    from,
    to,
    abi: written.abi,
    relabelled,
    accepted,
    rejectReason: refused ? refused.reason : null,
    rejectedBy: refused
      ? refused.kind === 'image-refused'
        ? (refused.fn ?? (refused.phase === 'kho_memory_init' ? 'kho_memory_init' : 'kho_populate'))
        : 'deserialize_bitmap'
      : null,
    lostBytes: lostPages * pageSize,
    preservedBytes: preservedPages * pageSize,
    luo,
    memfd,
    findings,
    costs,
    timeline: tl,
    kho,
  };
}
