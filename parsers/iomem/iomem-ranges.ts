// What the host model reads out of an iomem tree: boot RAM, reserved ranges, hot-added RAM, CXL windows.
import type { Range } from '../../src/core/index.js';
import { normalizeRanges } from '../../src/core/index.js';
import type { IomemMap, IomemResource } from './parse-iomem.js';
import { IOMEM_NAMES } from './patterns.js';

/**
 * Boot RAM: top-level `System RAM` resources, merged (kexec's setup_data splits one e820 entry into two
 * adjacent resources). Nested `System RAM (kmem)` is hot-added by dax/kmem after boot and never was memblock
 * memory, so it is left out here (see hotAddedRam).
 */
export function systemRamRanges(map: IomemMap): Range[] {
  return normalizeRanges(map.roots.filter((r) => r.name === IOMEM_NAMES.SYSTEM_RAM));
}

/** `System RAM (kmem)` and any `System RAM` below the top level: memory onlined after boot. */
export function hotAddedRam(map: IomemMap): IomemResource[] {
  return map.all.filter(
    (r) => r.name === IOMEM_NAMES.KMEM_RAM || (r.depth > 0 && r.name === IOMEM_NAMES.SYSTEM_RAM),
  );
}

/** `Reserved` (x86 6.x spelling) or `reserved` (older kernels, arm64 children of System RAM), any depth. */
export function reservedResources(map: IomemMap): IomemResource[] {
  return map.all.filter((r) => r.name.toLowerCase() === 'reserved');
}

export function softReserved(map: IomemMap): IomemResource[] {
  return map.all.filter((r) => r.name === IOMEM_NAMES.SOFT_RESERVED);
}

export function cxlWindows(map: IomemMap): IomemResource[] {
  return map.all.filter((r) => r.name.startsWith('CXL Window'));
}
