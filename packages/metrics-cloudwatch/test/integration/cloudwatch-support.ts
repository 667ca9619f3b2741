import {
  type CloudWatchClient,
  CloudWatchServiceException,
  type Datapoint,
  type Dimension,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  type Metric,
} from '@aws-sdk/client-cloudwatch';

/** A minute boundary half an hour ago: report times in the past that CloudWatch accepts. */
export function reportStart(): number {
  return Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
}

/**
 * Makes the client's next `failures` requests fail before they leave, as an unreachable or
 * refusing CloudWatch would, through an SDK middleware.
 */
export function failNextRequests(client: CloudWatchClient): {
  fail(count: number): void;
  readonly failed: number;
} {
  let remaining = 0;
  let failed = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      if (remaining > 0) {
        remaining--;
        failed++;
        throw new CloudWatchServiceException({
          name: 'ServiceUnavailable',
          $fault: 'server',
          $metadata: { httpStatusCode: 503 },
          message: 'injected by the test',
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectFailures' },
  );
  return {
    fail: (count) => {
      remaining = count;
    },
    get failed() {
      return failed;
    },
  };
}

/** Polls until `ready` holds (a real account shows new data after minutes; emulators at once). */
export async function eventually<T>(
  read: () => Promise<T>,
  ready: (value: T) => boolean,
  patienceMs: number,
): Promise<T> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    const value = await read();
    if (ready(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, patienceMs / 10)));
  }
}

/** One datapoint of `metric` over the whole test window, with every statistic. */
export async function statistics(
  client: CloudWatchClient,
  namespace: string,
  metricName: string,
  dimensions: Dimension[],
  start: number,
): Promise<Datapoint | undefined> {
  const { Datapoints = [] } = await client.send(
    new GetMetricStatisticsCommand({
      Namespace: namespace,
      MetricName: metricName,
      Dimensions: dimensions,
      StartTime: new Date(start - 3_600_000),
      EndTime: new Date(start + 3_600_000),
      Period: 7_200,
      Statistics: ['Sum', 'SampleCount', 'Minimum', 'Maximum'],
    }),
  );
  return Datapoints[0];
}

/** The metrics of a namespace, each name and dimension set once. */
export async function listMetrics(client: CloudWatchClient, namespace: string): Promise<Metric[]> {
  const { Metrics = [] } = await client.send(new ListMetricsCommand({ Namespace: namespace }));
  const seen = new Map<string, Metric>();
  for (const metric of Metrics) seen.set(JSON.stringify([metric.MetricName, metric.Dimensions]), metric);
  return [...seen.values()];
}
