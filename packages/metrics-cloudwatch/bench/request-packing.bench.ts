// PutMetricData requests for one report of the README's benchmark set (4,000 counters, 3,000
// gauges, 1,000 meters, 2,000 histograms of 100 samples, and the reporter's own metrics) in
// several registration orders, with the client's send stubbed to keep each request. Printed
// against the fewest requests the limits allow, and against the packing this reporter used
// before (requests filled in registration order, sized at 24 characters per number).
import { CloudWatchClient, type MetricDatum, type PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { type MetricGroup, MetricRegistry } from '@statebackend/aws-base';
import { ManualScheduler } from '@statebackend/aws-base/spi';
import { recordResult } from '../../../scripts/bench-results.mjs';
import { CloudWatchMetricReporter } from '../dist/index.js';
import { row } from './measure.ts';

const ORDERS = ['by type', 'by type, reversed', 'interleaved', 'shuffled'] as const;
type Order = (typeof ORDERS)[number];

/** The body the SDK sends (awsJson1_0, timestamps in epoch seconds), before gzip. */
function bodyBytes(input: PutMetricDataCommand['input']): number {
  return Buffer.byteLength(
    JSON.stringify(input, function (this: Record<string, unknown>, key: string, value: unknown) {
      const raw = this[key];
      return raw instanceof Date ? raw.getTime() / 1000 : value;
    }),
  );
}

/** Registers the set in `order`; returns the metric names in that order. */
function register(group: MetricGroup, order: Order): string[] {
  const names: string[] = [];
  const kinds: Array<[number, (i: number) => void]> = [
    [4_000, (i) => names.push(`counter${i}`) && group.counter(`counter${i}`).inc(i)],
    [3_000, (i) => names.push(`gauge${i}`) && group.gauge(`gauge${i}`, () => i)],
    [1_000, (i) => names.push(`meter${i}`) && group.meter(`meter${i}`).markEvent(i)],
    [
      2_000,
      (i) => {
        names.push(`histogram${i}`);
        const histogram = group.histogram(`histogram${i}`);
        for (let s = 0; s < 100; s++) histogram.update(20 + ((s * 7_919 + i) % 50_000));
      },
    ],
  ];
  const steps: Array<() => void> = [];
  for (const [count, add] of order === 'by type, reversed' ? [...kinds].reverse() : kinds) {
    for (let i = 0; i < count; i++) steps.push(() => add(i));
  }
  if (order === 'interleaved') {
    steps.length = 0;
    for (let i = 0; i < 4_000; i++) for (const [count, add] of kinds) if (i < count) steps.push(() => add(i));
  }
  if (order === 'shuffled') {
    let seed = 42;
    for (let i = steps.length - 1; i > 0; i--) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const j = seed % (i + 1);
      [steps[i], steps[j]] = [steps[j] as () => void, steps[i] as () => void];
    }
  }
  for (const step of steps) step();
  return names;
}

/** The size estimate before issue 15: every number counted at 24 characters. */
function previousDatumBytes(datum: MetricDatum): number {
  const NUMBER = 24;
  const text = (t: string | undefined) => (t === undefined ? 0 : t.length + 2);
  const list = (l: readonly number[] | undefined) => (l === undefined ? 0 : 2 + l.length * (NUMBER + 1));
  let bytes = 2 + 13 + text(datum.MetricName);
  if (datum.Dimensions !== undefined) {
    bytes += 16;
    for (const d of datum.Dimensions) bytes += 19 + text(d.Name) + text(d.Value);
  }
  if (datum.Timestamp !== undefined) bytes += 13 + NUMBER;
  if (datum.Value !== undefined) bytes += 9 + NUMBER;
  if (datum.StatisticValues !== undefined) bytes += 20 + 14 + 7 + 11 + 11 + 1 + 4 * NUMBER;
  if (datum.Values !== undefined) bytes += 10 + list(datum.Values);
  if (datum.Counts !== undefined) bytes += 10 + list(datum.Counts);
  if (datum.Unit !== undefined) bytes += 8 + text(datum.Unit);
  if (datum.StorageResolution !== undefined) bytes += 21 + NUMBER;
  return bytes + 1;
}

/** The packing before issue 15: requests filled in registration order by the estimate above. */
function previousPacking(datums: readonly MetricDatum[]): number {
  let requests = 0;
  let count = 0;
  let bytes = 0;
  for (const datum of datums) {
    const size = previousDatumBytes(datum);
    if (count > 0 && (count >= 1_000 || bytes + size > 1_000_000)) {
      requests++;
      count = 0;
      bytes = 0;
    }
    count++;
    bytes += size;
  }
  return requests + (count > 0 ? 1 : 0);
}

export async function requestPackingBenchmark(): Promise<void> {
  console.log('PutMetricData requests for one report of the benchmark set, by registration order');
  for (const order of ORDERS) {
    const client = new CloudWatchClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    const inputs: PutMetricDataCommand['input'][] = [];
    Object.defineProperty(client, 'send', {
      value: async (command: PutMetricDataCommand) => {
        inputs.push(command.input);
        return {};
      },
    });
    const scheduler = new ManualScheduler();
    const registry = new MetricRegistry({ scheduler });
    await registry.addReporter(new CloudWatchMetricReporter({ client, namespace: 'Bench' }), {
      name: 'cloudwatch',
      intervalMs: 60_000,
    });
    const names = register(
      registry.createGroup({ jobName: 'bench', taskName: 'task', operatorName: 'op' }),
      order,
    );
    await scheduler.advance(60_000);
    const first = [...inputs]; // the first report's requests; the final report on close follows
    await registry.close();
    const datums = first.flatMap((input) => input.MetricData ?? []);
    const bytes = first.map(bodyBytes);
    const total = bytes.reduce((a, b) => a + b, 0);
    const fewest = Math.max(Math.ceil(datums.length / 1_000), Math.ceil(total / 1_000_000));
    const registered = new Map(names.map((name, i) => [name, i]));
    const inOrder = [...datums].sort(
      (a, b) => (registered.get(a.MetricName ?? '') ?? -1) - (registered.get(b.MetricName ?? '') ?? -1),
    );
    const before = previousPacking(inOrder);
    row(
      `${order}: requests (fewest possible; before issue 15)`,
      `${first.length} (${fewest}; ${before}), ${(first.length / fewest).toFixed(2)}x the fewest, ${(before / first.length).toFixed(2)}x fewer than before`,
    );
    const slug = order.replaceAll(',', '').replaceAll(' ', '-');
    recordResult({
      id: `cloudwatch.packing.${slug}.vs-fewest`,
      label: `requests for one report of the benchmark set with the reporter's own metrics, registered ${order} / the fewest the limits allow`,
      value: first.length / fewest,
      unit: 'x',
      better: 'lower',
      goal: 1,
      detail: `${first.length} vs ${fewest} requests; ${before} before issue 15`,
    });
    row(
      `${order}: largest request, datums / bytes`,
      `${Math.max(...first.map((i) => i.MetricData?.length ?? 0))} / ${Math.max(...bytes)} (${datums.length} datums, ${total} bytes)`,
    );
  }
}
