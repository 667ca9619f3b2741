// counter.inc() against incrementing a number field, histogram.update() against pushing to an
// array: what recording a metric costs over the cheapest thing that could be done instead.
import { HdrHistogram, SimpleCounter } from '@statebackend/aws-base/spi';
import { recordResult } from '../../../scripts/bench-results.mjs';
import { nsPerOp, ratio, row } from './measure.ts';

export function hotPathBenchmarks(): void {
  const counter = new SimpleCounter();
  const plain = { count: 0 };
  const counterNs = nsPerOp((n) => {
    for (let i = 0; i < n; i++) counter.inc();
  }, 50_000_000);
  const fieldNs = nsPerOp((n) => {
    for (let i = 0; i < n; i++) plain.count++;
  }, 50_000_000);

  // Latency-like values: mostly small, a long tail.
  const values = Float64Array.from({ length: 1 << 16 }, (_, i) =>
    Math.round(50 + (10_000 * ((i * 7919) % 65_536) ** 3) / 65_536 ** 3),
  );
  const histogram = new HdrHistogram();
  const histogramNs = nsPerOp((n) => {
    for (let i = 0; i < n; i++) histogram.update(values[i & 0xffff] ?? 0);
  }, 5_000_000);
  const arrayNs = nsPerOp((n) => {
    const array: number[] = [];
    for (let i = 0; i < n; i++) array.push(values[i & 0xffff] ?? 0);
    if (array.length !== n) throw new Error('unreachable');
  }, 5_000_000);

  console.log('Recording (best of 5 rounds)');
  row(
    'counter.inc() vs incrementing a number field',
    `${ratio(counterNs, fieldNs)}  (${counterNs.toFixed(2)} ns vs ${fieldNs.toFixed(2)} ns)`,
  );
  row(
    'histogram.update() vs pushing to an array',
    `${ratio(histogramNs, arrayNs)}  (${histogramNs.toFixed(1)} ns vs ${arrayNs.toFixed(1)} ns)`,
  );
  recordResult({
    id: 'cloudwatch.counter-inc.vs-field',
    label: 'counter.inc() / incrementing a number field (time per call)',
    value: counterNs / fieldNs,
    unit: 'x',
    better: 'lower',
    detail: `${counterNs.toFixed(2)} ns vs ${fieldNs.toFixed(2)} ns`,
  });
  recordResult({
    id: 'cloudwatch.histogram-update.vs-array-push',
    label: 'histogram.update() / pushing to an array (time per call)',
    value: histogramNs / arrayNs,
    unit: 'x',
    better: 'lower',
    detail: `${histogramNs.toFixed(1)} ns vs ${arrayNs.toFixed(1)} ns`,
  });
  if (counter.getCount() + plain.count + histogram.getCount() === 0) throw new Error('unreachable');
}
