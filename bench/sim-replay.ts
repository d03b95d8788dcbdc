// Benchmark: replay() of a synthetic 16 TiB, 16-node host (and a fragmented variant). Work must grow with the
// number of ranges, not pages: 16 TiB is 4 billion struct pages.
import { replay } from '../src/sim/index.js';
import { DEFAULT_SYNTHETIC, syntheticHost } from './synthetic-host.js';
import type { BenchResult } from './measure.js';
import { timeRuns } from './measure.js';

export function benchSimReplay(runs = 9): BenchResult[] {
  const out: BenchResult[] = [];
  const cases = [
    { name: 'sim-replay 16 TiB 16 nodes', spec: DEFAULT_SYNTHETIC },
    {
      name: 'sim-replay 16 TiB 16 nodes, 64 holes + 512 reserved per node',
      spec: { ...DEFAULT_SYNTHETIC, holesPerNode: 64, reservedPerNode: 512 },
    },
    {
      name: 'sim-replay 16 TiB 16 nodes, 1024 holes + 4096 reserved per node',
      spec: { ...DEFAULT_SYNTHETIC, holesPerNode: 1024, reservedPerNode: 4096 },
    },
  ];
  for (const c of cases) {
    const host = syntheticHost(c.spec);
    let pages = 0;
    let runsOfMap = 0;
    const n = host.memory.length > 10_000 ? Math.min(3, runs) : runs;
    const t = timeRuns(() => {
      const tl = replay(host, null, { cpusPerNode: 32 });
      pages = tl.nodes.reduce((s, n) => s + n.presentPages, 0);
      runsOfMap = tl.memmap.runCount;
    }, n);
    out.push({
      name: c.name,
      runs: n,
      ...t,
      detail: `${pages.toLocaleString('en-US')} struct pages, ${host.memory.length} memory + ${host.reserved.length} reserved regions, ${runsOfMap} memmap runs`,
    });
  }
  return out;
}
