// Findings as JSON (the "findings" array of kexec-replay/replay/1 and compare/1): every range, pfns half-open,
// streamed from the finding's range list as [start, end] pairs (src/report/json-stream.ts), never copied.
// `ranges` are [startPfn, endPfn) pairs; `rangeUnit` says so in the document itself (a pair has no key names to carry
// the unit, and a second copy of the ranges under another name would double the largest part of the document).
import type { Finding } from '../check/kho-findings.js';
import type { JsonRanges } from './json-stream.js';
import { jsonRanges } from './json-stream.js';

export interface FindingJson {
  code: string;
  severity: string;
  phase: string;
  kernelFunction: string;
  pages: number;
  blocks: number;
  ranges: JsonRanges;
  /** The unit of `ranges`: always 'pfn' (page frame numbers, [start, end)). */
  rangeUnit: 'pfn';
  title: string;
  howToRead: string;
}

export function findingsToJson(fs: readonly Finding[]): FindingJson[] {
  return fs.map((f) => ({
    code: f.code,
    severity: f.severity,
    phase: f.phase,
    kernelFunction: f.kernelFunction,
    pages: f.pages,
    blocks: f.blocks,
    ranges: jsonRanges(f.ranges),
    rangeUnit: 'pfn',
    title: f.title,
    howToRead: f.howToRead,
  }));
}
