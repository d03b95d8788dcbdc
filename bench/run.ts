// `npm run bench`: every benchmark, one line per case. Add a benchmark by adding one entry to BENCHES.
import { benchCostCompute } from './cost-compute.js';
import { benchKhoDecode } from './kho-decode.js';
import { benchSimKhoReplay } from './sim-kho-replay.js';
import { benchScale } from './scale.js';
import { benchSimReplay } from './sim-replay.js';
import type { BenchResult } from './measure.js';

const BENCHES: readonly {
  readonly name: string;
  readonly run: () => BenchResult[] | Promise<BenchResult[]>;
}[] = [
  { name: 'sim-replay', run: () => benchSimReplay() },
  { name: 'kho-decode', run: () => benchKhoDecode() },
  { name: 'cost-compute', run: () => benchCostCompute() },
  // `sim-kho-replay 1m alternate init-deferred-page` picks sizes, images and strategies (default: all)
  { name: 'sim-kho-replay', run: () => benchSimKhoReplay(process.argv.slice(2)) },
  // `scale 8m compare` picks cases of the 24 TiB / 16-node CLI bench (default: 1m 2m 4m 8m 2xram compare inspect);
  // `rounds=7` runs them 7 times, round by round, and prints the issue 10 targets' ratios per round
  { name: 'scale', run: () => benchScale(process.argv.slice(2)) },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  for (const b of BENCHES) {
    if (only.length && !only.includes(b.name)) continue;
    for (const r of await b.run()) {
      if (r.text !== undefined) {
        process.stdout.write(`${r.text}\n`);
        continue;
      }
      process.stdout.write(
        `${r.name}: median ${r.medianMs.toFixed(1)} ms, max ${r.maxMs.toFixed(1)} ms over ${r.runs} runs (${r.detail})\n`,
      );
    }
  }
}

await main();
