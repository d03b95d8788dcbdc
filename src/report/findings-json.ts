// Findings as JSON (the "findings" array of kexec-replay/replay/1 and compare/1): every range, pfns half-open.
import type { Finding } from '../check/kho-findings.js';

export interface FindingJson {
  code: string;
  severity: string;
  phase: string;
  kernelFunction: string;
  pages: number;
  blocks: number;
  ranges: [number, number][];
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
    ranges: f.ranges.map((r) => [r.start, r.end]),
    title: f.title,
    howToRead: f.howToRead,
  }));
}
