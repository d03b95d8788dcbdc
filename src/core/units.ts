// Units: pfns, page counts and physical addresses are plain numbers below 2^53 (DESIGN.md, Model and units).

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

/** Hex with 0x prefix, lower case, no padding: `0x1f8`. */
export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Hex padded to 16 digits the way the kernel's %pa prints: `0x0000000080000000`. */
export function hexPa(n: number): string {
  return `0x${n.toString(16).padStart(16, '0')}`;
}

/** The kernel's `[mem 0x...-0x...]` form for a byte range [start, end), inclusive end, %#018Lx padding. */
export function formatMemRange(startAddr: number, endAddr: number): string {
  return `[mem ${hexPa(startAddr)}-${hexPa(endAddr - 1)}]`;
}

/** Human size with binary units: 4096 -> "4 KiB", 3 GiB -> "3 GiB", 1.5 MiB -> "1.5 MiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const s = Number.isInteger(v) ? v.toString() : trimFraction(v.toFixed(v < 10 ? 2 : 1));
  return `${s} ${units[i]}`;
}

/** `1.50` -> `1.5`, `2.00` -> `2`: trailing zeros of a fraction, then a bare point (a loop, not a backtracking pattern). */
function trimFraction(s: string): string {
  let end = s.length;
  while (end > 0 && s[end - 1] === '0') end--;
  if (end > 0 && s[end - 1] === '.') end--;
  return s.slice(0, end);
}

/** Parse a kernel memory size with suffix: `6G`, `512M`, `4096K`, `1T`, plain bytes. Returns null when malformed. */
export function parseMemSize(text: string): number | null {
  const m = /^(0x[0-9a-f]+|\d+)([kmgtpe]?)$/i.exec(text.trim());
  if (!m) return null;
  const base = Number(m[1]);
  const shift = { '': 0, k: 10, m: 20, g: 30, t: 40, p: 50, e: 60 }[(m[2] ?? '').toLowerCase()] ?? 0;
  const v = base * 2 ** shift;
  return Number.isSafeInteger(v) ? v : null;
}
