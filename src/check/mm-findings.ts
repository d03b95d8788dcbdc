// Timeline -> findings of the early mm steps a scenario can trigger on any boot (plain or KHO): deferred_grow_zone()
// calls and the BUG_ON they can leave for deferred_init_memmap() (src/sim/phases/deferred-grow-zone.ts).
import type { Range } from '../core/index.js';
import type { Timeline } from '../sim/timeline.js';
import type { FindingCode } from './codes.js';
import type { Finding } from './kho-findings.js';
import { makeFinding } from './kho-findings.js';

const finding = (code: FindingCode, phase: string, ranges: readonly Range[]): Finding =>
  makeFinding(code, phase, ranges);

/** DEFERRED_INIT_PAST_NODE_END per node that hit the BUG_ON; DEFERRED_ZONE_GROWN with every grown range. */
export function checkDeferredGrow(tl: Pick<Timeline, 'deferredGrows' | 'deferredInitBugs'>): Finding[] {
  const out: Finding[] = [];
  const bugs = tl.deferredInitBugs.map((b) => ({ start: b.nodeEndPfn, end: b.firstDeferredPfn }));
  if (bugs.length) out.push(finding('DEFERRED_INIT_PAST_NODE_END', 'page_alloc_init_late', bugs));
  if (tl.deferredGrows.length) {
    const grown = tl.deferredGrows.flatMap((g) => g.ranges);
    out.push(finding('DEFERRED_ZONE_GROWN', 'deferred_grow_zone', grown));
  }
  return out;
}
