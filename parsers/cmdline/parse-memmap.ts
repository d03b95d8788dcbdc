// `memmap=` on x86 (arch/x86/kernel/e820.c parse_memmap_opt()/parse_memmap_one(), 6.1): comma-separated
// entries, each `exactmap`, `nn[KMG]` (a limit like mem=), or `nn[KMG]` followed by `@ss` (RAM), `#ss` (ACPI
// data), `$ss` (reserved), `!ss` (persistent, type 12) or `%ss-old+new` (change the type of a range).
import { memparse, strtoull0 } from './memparse.js';

/** e820 type numbers (arch/x86/include/asm/e820/types.h) for the entries memmap= adds. */
export const E820_TYPE = { RAM: 1, RESERVED: 2, ACPI: 3, PRAM: 12 } as const;

export type MemmapEntry =
  /** `exactmap`: the firmware map is dropped; only memmap= entries follow. */
  | { readonly op: 'exactmap' }
  /** `nn@ss`, `nn#ss`, `nn$ss`, `nn!ss`: e820__range_add(ss, nn, type). */
  | { readonly op: 'add'; readonly startBytes: number; readonly sizeBytes: number; readonly e820Type: number }
  /** `nn%ss-old+new`: update, add (no old), or remove (no new) a range's type. */
  | {
      readonly op: 'retype';
      readonly startBytes: number;
      readonly sizeBytes: number;
      readonly fromType: number | null;
      readonly toType: number | null;
    }
  /** `nn` alone: RAM above nn is removed, like mem=nn. */
  | { readonly op: 'limit'; readonly sizeBytes: number };

const SUFFIX_TYPE: Readonly<Record<string, number>> = {
  '@': E820_TYPE.RAM,
  '#': E820_TYPE.ACPI,
  $: E820_TYPE.RESERVED,
  '!': E820_TYPE.PRAM,
};

/** One entry as parse_memmap_one() reads it; null where the kernel returns -EINVAL (it may have acted already). */
export function parseMemmapOne(text: string): MemmapEntry | null {
  if (text.startsWith('exactmap')) return { op: 'exactmap' };
  const size = memparse(text);
  if (size.rest === text || size.bytes === null) return null; // no number: -EINVAL before anything is done
  const sizeBytes = size.bytes;
  const c = size.rest[0];
  if (c !== undefined && SUFFIX_TYPE[c] !== undefined) {
    const at = memparse(size.rest.slice(1));
    if (at.bytes === null || at.rest !== '') return null;
    return { op: 'add', startBytes: at.bytes, sizeBytes, e820Type: SUFFIX_TYPE[c]! };
  }
  if (c === '%') {
    const at = memparse(size.rest.slice(1));
    if (at.bytes === null) return null;
    let rest = at.rest;
    let fromType: number | null = null;
    let toType: number | null = null;
    if (rest.startsWith('-')) {
      const v = strtoull0(rest.slice(1));
      fromType = v.value || null;
      rest = v.rest;
    }
    if (rest.startsWith('+')) {
      const v = strtoull0(rest.slice(1));
      toType = v.value || null;
      rest = v.rest;
    }
    if (rest !== '') return null;
    return { op: 'retype', startBytes: at.bytes, sizeBytes, fromType, toType };
  }
  return size.rest === '' ? { op: 'limit', sizeBytes } : null;
}

/** Every entry of one `memmap=` value (parse_memmap_opt() splits on commas). */
export function parseMemmap(value: string): { entries: MemmapEntry[]; invalid: string[] } {
  const entries: MemmapEntry[] = [];
  const invalid: string[] = [];
  for (const part of value.split(',')) {
    const e = parseMemmapOne(part);
    if (e) entries.push(e);
    else invalid.push(part);
  }
  return { entries, invalid };
}
