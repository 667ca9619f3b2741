// One report cycle of 10,000 metrics: CPU time and PutMetricData requests, with the client's
// send stubbed to count (no network, no serialization by the SDK).
import { CloudWatchClient, type PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  type Counter,
  createMetricFilter,
  type Histogram,
  type Meter,
  MetricRegistry,
} from '@statebackend/aws-base';
import { ManualScheduler } from '@statebackend/aws-base/spi';
import { recordResult } from '../../../scripts/bench-results.mjs';
import { CloudWatchMetricReporter } from '../dist/index.js';
import { cpuMs, ratio, row } from './measure.ts';

const COUNTERS = 4_000;
const GAUGES = 3_000;
const METERS = 1_000;
const HISTOGRAMS = 2_000;
const SAMPLES_PER_HISTOGRAM = 100;

export async function reportCycleBenchmark(): Promise<void> {
  const client = new CloudWatchClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  let requests = 0;
  let datums = 0;
  Object.defineProperty(client, 'send', {
    value: async (command: PutMetricDataCommand) => {
      requests++;
      datums += command.input.MetricData?.length ?? 0;
      return {};
    },
  });
  const scheduler = new ManualScheduler();
  const registry = new MetricRegistry({ scheduler });
  await registry.addReporter(new CloudWatchMetricReporter({ client, namespace: 'Bench' }), {
    name: 'cloudwatch',
    intervalMs: 60_000,
    filter: createMetricFilter({ excludes: ['taskmanager.reporter:*'] }),
  });
  const metrics: (Counter | Meter | Histogram)[] = [];
  for (let operator = 0; operator < 10; operator++) {
    const group = registry.createGroup({
      jobName: 'bench',
      taskName: `task${operator}`,
      subtaskIndex: 0,
      operatorName: `op${operator}`,
    });
    const state = group.addGroup('state');
    for (let i = 0; i < COUNTERS / 10; i++) metrics.push(state.counter(`counter${i}`));
    for (let i = 0; i < GAUGES / 10; i++) state.gauge(`gauge${i}`, () => i * operator);
    for (let i = 0; i < METERS / 10; i++) metrics.push(state.meter(`meter${i}`));
    for (let i = 0; i < HISTOGRAMS / 10; i++) metrics.push(state.histogram(`histogram${i}`));
  }
  const record = (): void => {
    for (const metric of metrics) {
      if (metric.metricType === 'counter') metric.inc(3);
      else if (metric.metricType === 'meter') metric.markEvent(5);
      else for (let s = 0; s < SAMPLES_PER_HISTOGRAM; s++) metric.update(20 + ((s * 7919) % 50_000));
    }
  };

  const rounds = 5;
  const reportMs = await cpuMs(
    () => {
      record();
      requests = 0;
      datums = 0;
    },
    () => scheduler.advance(60_000),
    rounds,
  );
  const cycleRequests = requests;
  const cycleDatums = datums;
  const readMs = await cpuMs(record, () => {
    registry.read();
  });
  // The Java module's way: one datum per histogram sample, 20 datums per request.
  const perSampleDatums = COUNTERS + GAUGES + METERS + HISTOGRAMS * SAMPLES_PER_HISTOGRAM;
  const perSampleRequests = Math.ceil(perSampleDatums / 20);
  await registry.close();

  console.log(
    `One report cycle of ${COUNTERS + GAUGES + METERS + HISTOGRAMS} metrics, ${HISTOGRAMS} of them histograms of ${SAMPLES_PER_HISTOGRAM} samples (best of ${rounds})`,
  );
  row('CPU time of a report cycle', `${reportMs.toFixed(1)} ms`);
  row('... vs reading every metric without a reporter', ratio(reportMs, readMs));
  row('PutMetricData requests per cycle', `${cycleRequests} (${cycleDatums} datums)`);
  row(
    '... vs one datum per histogram sample, 20 per request',
    `${ratio(perSampleRequests, cycleRequests)} fewer (${perSampleRequests})`,
  );
  const metricCount = (COUNTERS + GAUGES + METERS + HISTOGRAMS).toLocaleString('en-US');
  recordResult({
    id: 'cloudwatch.report-cycle.vs-read',
    label: `CPU time of one report cycle of ${metricCount} metrics (client stubbed) / reading every metric without a reporter`,
    value: reportMs / readMs,
    unit: 'x',
    better: 'lower',
    detail: `${reportMs.toFixed(1)} ms vs ${readMs.toFixed(1)} ms`,
  });
  recordResult({
    id: 'cloudwatch.report-cycle.requests',
    label: 'PutMetricData requests for that cycle',
    value: cycleRequests,
    unit: 'requests',
    better: 'lower',
    detail: `${cycleDatums.toLocaleString('en-US')} datums`,
  });
  recordResult({
    id: 'cloudwatch.report-cycle.vs-per-sample',
    label: 'requests of one datum per histogram sample, 20 per request / requests of that cycle',
    value: perSampleRequests / cycleRequests,
    unit: 'x',
    better: 'higher',
    detail: `${perSampleRequests.toLocaleString('en-US')} vs ${cycleRequests} requests`,
  });
}
