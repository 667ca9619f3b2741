import {
  CloudWatchClient,
  type CloudWatchClientConfig,
  PutMetricDataCommand,
  type PutMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { AwsClientManager, type ClientSource, type Configuration, type Logger } from '@statebackend/aws-base';

/** Names this package in the User-Agent of the client it creates. */
export const USER_AGENT = 'statebackend-metrics-cloudwatch';

/** Sends one PutMetricData request, or pretends to. */
export type Send = (input: PutMetricDataCommandInput) => Promise<unknown>;

/** A sender to the API, and the client manager to close if a client was created for it. */
export interface ApiSender {
  readonly send: Send;
  readonly clients: AwsClientManager | undefined;
}

/**
 * Sends through the caller's client, or through a client built from `configuration` (the
 * `aws.*` keys) with `clientConfig` laid over it. The built client has the SDK's retries off:
 * the reporter retries itself (`retry.*`), and retries underneath would multiply the attempts.
 */
export function apiSender(
  source: ClientSource<CloudWatchClient, CloudWatchClientConfig>,
  configuration: Configuration,
  logger: Logger,
): ApiSender {
  if (source.client !== undefined) {
    const client = source.client;
    return { send: (input) => client.send(new PutMetricDataCommand(input)), clients: undefined };
  }
  const clients = new AwsClientManager(configuration, { userAgentSuffix: USER_AGENT, logger });
  const client = clients.getOrCreate(CloudWatchClient, {
    clientConfig: { maxAttempts: 1, ...source.clientConfig },
  });
  return { send: (input) => client.send(new PutMetricDataCommand(input)), clients };
}

/** Logs each request at info level instead of sending it: the `dry-run` mode. */
export function dryRunSender(logger: Logger): Send {
  return async (input) => {
    logger.info(
      `CloudWatch dry run: PutMetricData of ${input.MetricData?.length ?? 0} datums to '${input.Namespace}'`,
      {
        namespace: input.Namespace,
        metricData: input.MetricData,
      },
    );
  };
}

/** Writes EMF lines to stdout or stderr. */
export function streamSink(output: 'stdout' | 'stderr'): (line: string) => void {
  const stream = output === 'stdout' ? process.stdout : process.stderr;
  return (line) => {
    stream.write(`${line}\n`);
  };
}
