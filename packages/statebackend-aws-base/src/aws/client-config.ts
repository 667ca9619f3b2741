import type { AgentOptions as HttpAgentOptions } from 'node:http';
import type { AgentOptions as HttpsAgentOptions } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AnyConfigOption } from '../config/config-option.js';
import type { Configuration } from '../config/configuration.js';
import {
  type ConfigurationRule,
  type ValidateConfigurationOptions,
  validateConfiguration,
} from '../config/validation.js';
import { type Logger, noopLogger } from '../logging/logger.js';
import { AwsConfigOptions, type AwsRetryMode } from './aws-config-options.js';
import {
  type AwsCredentialsSource,
  type CredentialProvidersModule,
  resolveCredentials,
} from './credentials.js';

/** The `customUserAgent` used when no `userAgentSuffix` is given. */
export const DEFAULT_USER_AGENT = 'statebackend-aws-base';

export interface ValidateAwsConfigurationOptions
  extends Pick<ValidateConfigurationOptions, 'allowUnknownKeys' | 'knownPrefixes' | 'logger'> {
  /** Report a missing `aws.region`. Default true: a region is needed to build a client. */
  readonly requireRegion?: boolean;
  /** A component's own options, validated in the same pass so every problem is reported at once. */
  readonly options?: readonly AnyConfigOption[];
  /** A component's own rules, run in the same pass. */
  readonly rules?: readonly ConfigurationRule[];
  /**
   * Only keys under these prefixes are checked for being unknown. Default `['aws.']`, so that a
   * configuration shared with other components may hold their keys; a component validating its
   * own options too adds its prefix (e.g. `['aws.', 'state.backend.dynamodb.']`).
   */
  readonly scopePrefixes?: readonly string[];
}

/**
 * Validates the AWS options of `configuration` (and a component's own, if given) and throws one
 * `ConfigurationError` listing every problem. Unknown keys are looked for under `aws.` only,
 * unless `scopePrefixes` says otherwise.
 */
export function validateAwsConfiguration(
  configuration: Configuration,
  settings: ValidateAwsConfigurationOptions = {},
): void {
  const { requireRegion = true, options = [], rules = [], scopePrefixes = ['aws.'], ...rest } = settings;
  validateConfiguration(configuration, [...AwsConfigOptions.all(configuration), ...options], {
    ...rest,
    scopePrefixes,
    rules: [...AwsConfigOptions.rules({ requireRegion }), ...rules],
  });
}

/** The settings every AWS SDK v3 client takes, built from configuration. */
export interface AwsClientConfig {
  readonly region: string;
  readonly credentials: AwsCredentialsSource;
  readonly endpoint?: string;
  readonly maxAttempts: number;
  readonly retryMode: AwsRetryMode;
  /** Owns keep-alive agents; destroyed with the client (`client.destroy()`). */
  readonly requestHandler: NodeHttpHandler;
  readonly customUserAgent: string;
}

export interface BuildAwsClientConfigOptions {
  /**
   * Names the calling package in the User-Agent, e.g. `statebackend-aws-dynamodb/0.1.0`.
   * Default `statebackend-aws-base`.
   */
  readonly userAgentSuffix?: string;
  /** Receives the HTTP handler's warnings (otherwise discarded; nothing goes to the console). */
  readonly logger?: Logger;
  /** Credentials to use instead of the `aws.credentials.provider` settings. */
  readonly credentials?: AwsCredentialsSource;
  /** Defaults to the real `@aws-sdk/credential-providers`; inject a fake in tests. */
  readonly credentialProviders?: CredentialProvidersModule;
  /** Passed to validation: accept unknown `aws.*` keys. */
  readonly allowUnknownKeys?: boolean;
  /** Passed to validation: `aws.*` prefixes owned by another component. */
  readonly knownPrefixes?: readonly string[];
}

/** Adapts our logger to the SDK's (`...content` arguments). */
function sdkLogger(logger: Logger) {
  const text = (content: unknown[]) =>
    content.map((part) => (typeof part === 'string' ? part : String(part))).join(' ');
  return {
    debug: (...content: unknown[]) => logger.debug(text(content)),
    info: (...content: unknown[]) => logger.info(text(content)),
    warn: (...content: unknown[]) => logger.warn(text(content)),
    error: (...content: unknown[]) => logger.error(text(content)),
  };
}

/**
 * The common client config of every AWS SDK v3 client, from a configuration: region (a
 * `ConfigurationError` if missing), credentials, endpoint override, max attempts, retry mode, a
 * `NodeHttpHandler` with keep-alive agents (`aws.client.max-sockets`) and timeouts, and a
 * `customUserAgent` naming the package. Validates first; makes no AWS call.
 *
 * ```ts
 * const client = new DynamoDBClient(buildAwsClientConfig(configuration, { userAgentSuffix: 'my-app/1.0.0' }));
 * ```
 */
export function buildAwsClientConfig(
  configuration: Configuration,
  options: BuildAwsClientConfigOptions = {},
): AwsClientConfig {
  const logger = options.logger ?? noopLogger;
  validateAwsConfiguration(configuration, {
    requireRegion: true,
    logger,
    ...(options.allowUnknownKeys === undefined ? {} : { allowUnknownKeys: options.allowUnknownKeys }),
    ...(options.knownPrefixes === undefined ? {} : { knownPrefixes: options.knownPrefixes }),
  });
  const region = configuration.get(AwsConfigOptions.REGION);
  if (region === undefined) throw new TypeError('unreachable: aws.region is validated');

  const credentials =
    options.credentials ??
    resolveCredentials(configuration, {
      region,
      ...(options.credentialProviders === undefined
        ? {}
        : { credentialProviders: options.credentialProviders }),
    });

  const maxSockets = configuration.get(AwsConfigOptions.MAX_SOCKETS);
  const requestTimeout = configuration.get(AwsConfigOptions.REQUEST_TIMEOUT);
  const requestHandler = new NodeHttpHandler({
    connectionTimeout: configuration.get(AwsConfigOptions.CONNECTION_TIMEOUT),
    ...(requestTimeout === undefined ? {} : { requestTimeout, throwOnRequestTimeout: true }),
    // Agent options, not instances: the handler then creates keep-alive http.Agent/https.Agent
    // of its own, which client.destroy() (through the handler) destroys.
    httpAgent: { keepAlive: true, maxSockets } satisfies HttpAgentOptions,
    httpsAgent: {
      keepAlive: true,
      maxSockets,
      rejectUnauthorized: !configuration.get(AwsConfigOptions.TRUST_ALL_CERTIFICATES),
    } satisfies HttpsAgentOptions,
    logger: sdkLogger(logger),
  });

  const endpoint = configuration.get(AwsConfigOptions.ENDPOINT);
  return {
    region,
    credentials,
    ...(endpoint === undefined ? {} : { endpoint }),
    maxAttempts: configuration.get(AwsConfigOptions.MAX_ATTEMPTS),
    retryMode: configuration.get(AwsConfigOptions.RETRY_MODE),
    requestHandler,
    customUserAgent: options.userAgentSuffix ?? DEFAULT_USER_AGENT,
  };
}
