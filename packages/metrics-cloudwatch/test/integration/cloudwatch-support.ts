import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  type CloudWatchClient,
  CloudWatchServiceException,
  type Datapoint,
  type Dimension,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  InvalidParameterValueException,
  ListMetricsCommand,
  type Metric,
  type MetricDatum,
  type PutMetricDataCommandInput,
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

/**
 * Makes CloudWatch reject, as it does a request with one invalid datum, every request holding a
 * datum `isBad` picks: an `InvalidParameterValue` error before the request leaves (the emulators
 * enforce none of CloudWatch's limits, so the rejection is injected through an SDK middleware).
 */
export function rejectDatums(
  client: CloudWatchClient,
  isBad: (datum: MetricDatum) => boolean,
): { readonly rejected: number } {
  let rejected = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as PutMetricDataCommandInput;
      if (input.MetricData?.some(isBad)) {
        rejected++;
        throw new InvalidParameterValueException({
          message: 'The value NaN for parameter MetricData.member.1.Value is invalid (injected by the test)',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'rejectDatums' },
  );
  return {
    get rejected() {
      return rejected;
    },
  };
}

/**
 * Loses the response of the client's next `count` requests after the server stored them, as a
 * connection reset after the request was processed would: the caller sees a network error.
 */
export function loseResponses(client: CloudWatchClient): {
  lose(count: number): void;
  readonly lost: number;
} {
  let remaining = 0;
  let lost = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      if (remaining > 0) {
        remaining--;
        lost++;
        throw Object.assign(new Error('socket hang up (response lost, injected by the test)'), {
          code: 'ECONNRESET',
        });
      }
      return result;
    },
    { step: 'initialize', name: 'loseResponses' },
  );
  return {
    lose: (count) => {
      remaining = count;
    },
    get lost() {
      return lost;
    },
  };
}

/** The JSON body of every PutMetricData request the client sent, as it went on the wire (gunzipped). */
export function captureBodies(client: CloudWatchClient): string[] {
  const bodies: string[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      const body = request.body;
      // A view on the bytes: the SDK's body may be a Uint8Array that warns when read as a string.
      const raw =
        typeof body === 'string'
          ? Buffer.from(body)
          : body instanceof Uint8Array
            ? Buffer.from(body.buffer, body.byteOffset, body.byteLength)
            : undefined;
      if (raw !== undefined && (request.headers?.['x-amz-target'] ?? '').endsWith('PutMetricData')) {
        const encoding = request.headers?.['content-encoding'] ?? request.headers?.['Content-Encoding'];
        bodies.push((encoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'));
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: 'captureBodies', priority: 'low' },
  );
  return bodies;
}

/**
 * The sum of each metric over the test window, whatever its dimensions, through GetMetricData
 * (500 queries per call). Each test writes to a namespace of its own, where a name has one
 * dimension set. Queries name no dimensions: moto 5.2's GetMetricData ignores the namespace when
 * a query has dimensions (it would add up the metrics of other tests).
 */
export async function sumsOf(
  client: CloudWatchClient,
  namespace: string,
  metricNames: readonly string[],
  start: number,
): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  for (let from = 0; from < metricNames.length; from += 500) {
    const names = metricNames.slice(from, from + 500);
    const { MetricDataResults = [] } = await client.send(
      new GetMetricDataCommand({
        StartTime: new Date(start - 3_600_000),
        EndTime: new Date(start + 3_600_000),
        MetricDataQueries: names.map((name, i) => ({
          Id: `m${from + i}`,
          MetricStat: {
            Metric: { Namespace: namespace, MetricName: name },
            Period: 7_200,
            Stat: 'Sum',
          },
          ReturnData: true,
        })),
      }),
    );
    for (const result of MetricDataResults) {
      const name = names[Number(result.Id?.slice(1)) - from];
      if (name === undefined) continue;
      sums.set(
        name,
        (result.Values ?? []).reduce((a, b) => a + b, 0),
      );
    }
  }
  return sums;
}

/** A TCP proxy in front of an emulator that can be told to stop answering, as a hung CloudWatch would. */
export interface StallingProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** From now on, connections are accepted and requests read, and nothing is ever answered. */
  stall(): void;
  close(): Promise<void>;
}

export async function stallingProxy(upstream: string): Promise<StallingProxy> {
  const target = new URL(upstream);
  let stalled = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    const server = connect(Number(target.port), target.hostname);
    sockets.add(server);
    server.on('close', () => sockets.delete(server));
    server.on('error', () => client.destroy());
    client.on('data', (chunk) => {
      if (!stalled) server.write(chunk);
    });
    server.on('data', (chunk) => {
      if (!stalled) client.write(chunk);
    });
    client.on('end', () => server.end());
    server.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stall: () => {
      stalled = true;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
