// The one number format of every text report (and the progress line): counts with thousands separators, pfns and
// addresses in hex, durations in ms scaled to s when large, sizes in binary units. A renderer that prints a number
// takes it from here, so `4026` and `4,026` never meet in one report.
import { formatBytes, formatMemRange, hex, hexPa } from '../core/index.js';

export { formatBytes, formatMemRange, hex as formatHex, hexPa as formatAddr };

// made on first use: building it loads ICU's number data, ~5 ms of CPU at every start of the CLI, --json included
let count: Intl.NumberFormat | null = null;

/** A count of pages, blocks, ranges, lines: `1,526,724`. */
export function formatCount(n: number): string {
  return (count ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })).format(n);
}

/** A pfn: always hex (`0x108000`), as the kernel prints pfns in its pr_debug lines. */
export function formatPfn(pfn: number): string {
  return hex(pfn);
}

/** A half-open pfn range [start, end) the way the reports show it: `pfn 0x1000-0x1fff` (inclusive end). */
export function formatPfnRange(start: number, end: number): string {
  return `pfn ${hex(start)}-${hex(end - 1)}`;
}

/**
 * A duration given in ms: three significant digits below 1 s (`0.61 ms`, `27.9 ms`, `411 ms`), seconds from 1 s
 * (`1.23 s`, `69.2 s`), minutes from 10 min (`12 min 5 s`). Always with its unit.
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
  const s = ms / 1000;
  if (s < 600) return `${s < 10 ? s.toFixed(2) : s < 100 ? s.toFixed(1) : s.toFixed(0)} s`;
  const min = Math.floor(s / 60);
  return `${min} min ${Math.round(s - min * 60)} s`;
}

/** A number of ms in a column whose heading already says "ms": the same rounding as formatMs, no unit. */
export function formatMsBare(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : formatCount(Math.round(ms));
}

/** `1 block`, `2 blocks`: the count formatted, the noun in the right number. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${formatCount(n)} ${n === 1 ? noun : nouns}`;
}
