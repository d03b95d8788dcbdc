// `--profile list` (replay and compare): the kernel profiles of src/sim/profiles.ts, one paragraph each.
import { PROFILES } from '../sim/profiles.js';

/** `--profile list`: the kernel profiles, one paragraph each. */
export function renderProfileList(): string {
  const out: string[] = ['kernel profiles (--profile <name>; default: the one that follows the image ABI):'];
  for (const p of PROFILES) {
    out.push('');
    out.push(`${p.name}  [${p.follows}]`);
    out.push(`  ${p.description}`);
    out.push(
      `  ABI ${p.abi}${p.bitmapFormat ? ` (${p.bitmapFormat} bitmaps)` : ''}; deferred struct page init ${p.deferredDefault ? 'on' : 'off'} by default (Kconfig ${p.deferredAllowed ? 'allows' : 'forbids'} it with KHO; --deferred forces either); memblock kept after boot: per arch (arm64 yes, x86_64 no)`,
    );
    out.push(
      `  restore checks: ${p.pageMagic ? 'KHO_PAGE_MAGIC' : 'bare order, no magic'}${p.restoreChecksMaxOrder ? ', order <= MAX_PAGE_ORDER' : ''}; scratch ${p.releasesScratchAtInit ? 'released in kho_memory_init' : 'not released at init (scratch fix)'}; producer ${p.producerSplitsAtNodes ? 'splits at nodes' : 'does not split at nodes'}; default strategy ${p.defaultStrategy}`,
    );
  }
  return out.join('\n') + '\n';
}
