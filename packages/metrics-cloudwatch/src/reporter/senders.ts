import {
  CloudWatchClient,
  type CloudWatchClientConfig,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { AwsClientManager, AwsConfigOptions, type Configuration, type Logger } from '@statebackend/aws-base';
import type { ClientSource } from '@statebackend/aws-base/spi';
import type { Send } from '../publish/publisher.js';

export type { Send } from '../publish/publisher.js';

/** Names this package in the User-Agent of the client it creates. */
export const USER_AGENT = 'statebackend-metrics-cloudwatch';

/**
 * The request timeout of the client the reporter builds when `aws.client.request-timeout` is not
 * set: a PutMetricData call takes well under a second, and one that never answers must not hold
 * a report (or a shutdown) forever.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;

/** A sender to the API, and the client manager to close if a client was created for it. */
export interface ApiSender {
  readonly send: Send;
  readonly clients: AwsClientManager | undefined;
}

/**
 * Sends through the caller's client, or through a client built from `configuration` (the
 * `aws.*` keys) with `clientConfig` laid over it. The built client has the SDK's retries off
 * (the reporter retries itself, `retry.*`, and retries underneath would multiply the attempts)
 * and a request timeout (`aws.client.request-timeout`, else {@link DEFAULT_REQUEST_TIMEOUT_MS}).
 */
export function apiSender(
  source: ClientSource<CloudWatchClient, CloudWatchClientConfig>,
  configuration: Configuration,
  logger: Logger,
): ApiSender {
  if (source.client !== undefined) {
    const client = source.client;
    return {
      send: (input, options) => client.send(new PutMetricDataCommand(input), options),
      clients: undefined,
    };
  }
  const timed = configuration.contains(AwsConfigOptions.REQUEST_TIMEOUT)
    ? configuration
    : configuration
        .clone()
        .setString(AwsConfigOptions.REQUEST_TIMEOUT.key, `${DEFAULT_REQUEST_TIMEOUT_MS} ms`);
  const clients = new AwsClientManager(timed, { userAgentSuffix: USER_AGENT, logger });
  const client = clients.getOrCreate(CloudWatchClient, {
    clientConfig: { maxAttempts: 1, ...source.clientConfig },
  });
  return { send: (input, options) => client.send(new PutMetricDataCommand(input), options), clients };
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
