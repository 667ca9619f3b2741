import {
  CloudWatchClient,
  CloudWatchServiceException,
  InvalidParameterValueException,
  type PutMetricDataCommand,
  type PutMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { createMetricFilter, type Logger, type MetricGroup, MetricRegistry } from '@statebackend/aws-base';
import { ManualScheduler } from '@statebackend/aws-base/spi';
import { CloudWatchMetricReporter, type CloudWatchMetricReporterOptions } from '../../src/index.js';

/** A client for unit tests: never reaches the network, because `send` is always stubbed. */
export function offlineClient(): CloudWatchClient {
  return new CloudWatchClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
  });
}

/**
 * Replaces the client's `send`, only to count requests or to produce errors: `respond` returns
 * nothing (accepted) or throws. Returns the inputs of every call.
 */
export function stubSend(
  client: CloudWatchClient,
  respond: (input: PutMetricDataCommandInput, call: number) => void | Promise<void> = () => {},
): PutMetricDataCommandInput[] {
  const inputs: PutMetricDataCommandInput[] = [];
  const send = async (command: PutMetricDataCommand) => {
    inputs.push(command.input);
    await respond(command.input, inputs.length);
    return { $metadata: { httpStatusCode: 200 } };
  };
  Object.defineProperty(client, 'send', { value: send });
  return inputs;
}

export function throttling(): CloudWatchServiceException {
  return new CloudWatchServiceException({
    name: 'Throttling',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'Rate exceeded',
  });
}

export function accessDenied(): CloudWatchServiceException {
  return new CloudWatchServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message: 'User is not authorized to perform cloudwatch:PutMetricData',
  });
}

export function invalidParameter(): InvalidParameterValueException {
  return new InvalidParameterValueException({
    message: 'The value ... is invalid',
    $metadata: { httpStatusCode: 400 },
  });
}

/** A logger that keeps what it is told. */
export function recordingLogger(): Logger & {
  readonly lines: { level: string; message: string; context?: unknown }[];
} {
  const lines: { level: string; message: string; context?: unknown }[] = [];
  const at =
    (level: string) =>
    (message: string, context?: unknown): void => {
      lines.push({ level, message, context });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The JSON of a request as the SDK's JSON protocol sends it (timestamps in epoch seconds), uncompressed. */
export function requestJson(input: PutMetricDataCommandInput): string {
  return JSON.stringify(input, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : value;
  });
}

export interface Harness {
  readonly scheduler: ManualScheduler;
  readonly registry: MetricRegistry;
  readonly reporter: CloudWatchMetricReporter;
  readonly requests: PutMetricDataCommandInput[];
  readonly group: MetricGroup;
  readonly logger: ReturnType<typeof recordingLogger>;
  /** Advances to the next report (60 s) and waits for it. */
  nextReport(): Promise<void>;
}

/**
 * A registry with a CloudWatch reporter on an offline client, reporting every 60 s on a manual
 * clock. The reporter's own metrics are filtered out, so counts in tests are the test's metrics.
 */
export async function harness(
  options: CloudWatchMetricReporterOptions = {},
  respond?: (input: PutMetricDataCommandInput, call: number) => void | Promise<void>,
): Promise<Harness> {
  const scheduler = new ManualScheduler();
  const logger = recordingLogger();
  const client = offlineClient();
  const requests = stubSend(client, respond);
  const registry = new MetricRegistry({ scheduler, logger });
  const reporter = new CloudWatchMetricReporter({
    namespace: 'Test',
    random: () => 0.5,
    client,
    ...options,
  } as CloudWatchMetricReporterOptions);
  await registry.addReporter(reporter, {
    name: 'cloudwatch',
    intervalMs: 60_000,
    filter: createMetricFilter({ excludes: ['taskmanager.reporter:*'] }),
  });
  const group = registry.createGroup({
    host: 'host-1',
    jobName: 'wordcount',
    taskName: 'Map',
    subtaskIndex: 3,
  });
  return {
    scheduler,
    registry,
    reporter,
    requests,
    group,
    logger,
    nextReport: () => scheduler.advance(60_000),
  };
}

/** Every datum of every request, in order. */
export function allDatums(requests: readonly PutMetricDataCommandInput[]) {
  return requests.flatMap((request) => request.MetricData ?? []);
}
