// `pnpm bench`: every benchmark of this package, printed as ratios against a baseline measured in
// the same run. Runs the built package (`pnpm build` first; turbo's bench task does it).
import { clearResults } from '../../../scripts/bench-results.mjs';
import { hotPathBenchmarks } from './hot-path.bench.ts';
import { reportCycleBenchmark } from './report-cycle.bench.ts';
import { requestPackingBenchmark } from './request-packing.bench.ts';

console.log(`@statebackend/metrics-cloudwatch benchmarks, Node ${process.version}, ${process.arch}\n`);
// Every benchmark runs each time: the results file starts afresh (bench-results/metrics-cloudwatch.json).
clearResults('metrics-cloudwatch');
hotPathBenchmarks();
console.log('');
await reportCycleBenchmark();
console.log('');
await requestPackingBenchmark();
