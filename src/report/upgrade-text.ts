// `upgrade` as text: can kernel A hand over to kernel B on this host, what B does with the image, what is lost.
import type { UpgradeResult } from '../check/upgrade.js';
import { formatBytes } from '../core/index.js';
import { renderFindingsText } from './findings-text.js';
import { formatMs } from './replay-text.js';

function version(v: UpgradeResult['luo'], what: string): string {
  if (v.accepted === null && v.present)
    return `${what}: the image has a ${what} subtree whose version was not decoded (B reads ${v.accepts ?? 'none'})`;
  if (v.accepted === null) return `${what}: none in the image${v.accepts ? ` (B reads ${v.accepts})` : ''}`;
  return `${what}: image ${v.image.join(', ')}, B reads ${v.accepts ?? 'none'}: ${v.accepted ? 'accepted' : 'REJECTED'}`;
}

export function renderUpgradeText(u: UpgradeResult, bundle: string, pageShift: number): string {
  const errors = u.findings.filter((f) => f.severity === 'error').length;
  const ok = u.accepted && errors === 0;
  const out: string[] = [
    `${bundle}: live update ${u.from.profile.name} -> ${u.to.name}: ${ok ? 'SAFE' : u.accepted ? 'ACCEPTED WITH ERRORS' : 'REJECTED'}`,
    `  A = ${u.from.profile.name} (${u.from.profile.status}) because ${u.from.reason}; writes ${u.abi}`,
    `  B = ${u.to.name} (${u.to.status}) [${u.to.follows}]; reads ${u.to.abi}`,
  ];
  if (u.relabelled) out.push(`  note: ${u.relabelled}`);
  if (u.accepted) {
    out.push(
      `  kho_populate(): B accepts the root; restore under ${u.kho.strategy.name}, deferred struct page init ${u.timeline.deferred.on ? 'on' : 'off'} (${u.timeline.deferred.reason}), mm profile ${u.timeline.mm.name}`,
    );
  } else {
    // a kdump kernel never reaches kho_populate(): kexec -p carries no handover, so nothing is printed about it
    out.push(
      u.rejectedBy === 'kho_fill_kimage'
        ? `  B is a kdump kernel, never handed the image (${u.rejectReason ?? 'kexec -p'})`
        : `  kho_populate(): B REFUSES the root (${u.rejectReason ?? 'incompatible'}): "disabling KHO revival"`,
    );
    out.push(
      `  all preserved memory is lost: ${formatBytes(u.lostBytes)} of ${formatBytes(u.preservedBytes)} go to the buddy allocator`,
    );
  }
  if (u.accepted)
    out.push(
      `  preserved ${formatBytes(u.preservedBytes)}; lost to the buddy allocator: ${formatBytes(u.lostBytes)}`,
    );
  out.push(`  ${version(u.luo, 'LUO')}`);
  out.push(`  ${version(u.memfd, 'memfd')}`);
  const late = u.costs.phases.filter((p) => p.kind === 'parallel').flatMap((p) => p.perNode ?? []);
  out.push(
    `  B's boot: ${formatMs(u.costs.serialMs)} ms serial (memmap_init, KHO deserialize), deferred init ${late.length ? late.map((n) => `node ${n.nid} ${formatMs(n.ms)} ms`).join(', ') : 'none'} (${u.costs.ratePerPageNs.toFixed(1)} ns per struct page, ${u.costs.rateSource.kind})`,
  );
  out.push('');
  out.push(...renderFindingsText(u.findings, pageShift));
  return out.join('\n') + '\n';
}
