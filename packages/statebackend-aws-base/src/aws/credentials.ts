import { inspect } from 'node:util';
import {
  fromEnv,
  fromIni,
  fromNodeProviderChain,
  fromTemporaryCredentials,
  fromTokenFile,
} from '@aws-sdk/credential-providers';
import type { Configuration } from '../config/configuration.js';
import { SECRET_MASK } from '../config/secrets.js';
import { CREDENTIALS_PROVIDER_KEY, credentialsOptions, roleSourcePrefix } from './aws-config-options.js';

/** AWS credentials, shaped like `AwsCredentialIdentity` of `@smithy/types`. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** A function that resolves credentials, shaped like `AwsCredentialIdentityProvider`. */
export type AwsCredentialsProvider = () => Promise<AwsCredentials>;

/** What an AWS client accepts as `credentials`. */
export type AwsCredentialsSource = AwsCredentials | AwsCredentialsProvider;

/** The STS client settings passed to providers that call STS. */
export interface StsClientSettings {
  readonly region: string;
  readonly endpoint?: string;
}

/**
 * The part of `@aws-sdk/credential-providers` this package uses. Inject a fake to see which
 * function a configuration maps to and with which parameters.
 */
export interface CredentialProvidersModule {
  fromEnv(): AwsCredentialsProvider;
  fromIni(init: {
    readonly profile?: string;
    readonly filepath?: string;
    readonly configFilepath?: string;
    readonly clientConfig?: StsClientSettings;
  }): AwsCredentialsProvider;
  fromNodeProviderChain(): AwsCredentialsProvider;
  fromTemporaryCredentials(options: {
    readonly params: {
      readonly RoleArn: string;
      readonly RoleSessionName?: string;
      readonly ExternalId?: string;
    };
    readonly masterCredentials?: AwsCredentialsSource;
    readonly clientConfig?: StsClientSettings;
  }): AwsCredentialsProvider;
  fromTokenFile(init: {
    readonly roleArn: string;
    readonly roleSessionName?: string;
    readonly webIdentityTokenFile: string;
    readonly clientConfig?: StsClientSettings;
  }): AwsCredentialsProvider;
}

/** The real `@aws-sdk/credential-providers`. */
export const awsCredentialProviders: CredentialProvidersModule = Object.freeze({
  fromEnv: () => fromEnv(),
  fromIni,
  fromNodeProviderChain: () => fromNodeProviderChain(),
  fromTemporaryCredentials,
  fromTokenFile,
});

/**
 * Static credentials whose secret parts stay out of `JSON.stringify` and `util.inspect`. The
 * properties the SDK reads are ordinary enumerable ones.
 */
export function staticCredentials(credentials: AwsCredentials): AwsCredentials {
  const masked = () => ({
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: SECRET_MASK,
    ...(credentials.sessionToken === undefined ? {} : { sessionToken: SECRET_MASK }),
  });
  const result = { ...credentials };
  Object.defineProperties(result, {
    toJSON: { value: masked, enumerable: false },
    toString: {
      value: () => `AwsCredentials(${credentials.accessKeyId}, ${SECRET_MASK})`,
      enumerable: false,
    },
    [inspect.custom]: { value: () => `AwsCredentials ${inspect(masked())}`, enumerable: false },
  });
  // Not frozen: the SDK records where credentials came from on the object (`$source`).
  return result;
}

export interface ResolveCredentialsOptions {
  /** The region of the STS client used by ASSUME_ROLE, WEB_IDENTITY and role profiles. */
  readonly region: string;
  /** Defaults to the real `@aws-sdk/credential-providers`. */
  readonly credentialProviders?: CredentialProvidersModule;
  /** The provider key to read; defaults to `aws.credentials.provider`. */
  readonly prefix?: string;
}

const defaultSessionName = (): string => `statebackend-aws-${Date.now()}`;

/**
 * Maps the credentials settings of a (validated) configuration to a provider of
 * `@aws-sdk/credential-providers`, without calling AWS:
 *
 * | provider     | maps to                                                                    |
 * |--------------|----------------------------------------------------------------------------|
 * | BASIC        | a static credentials object                                                |
 * | ENV          | `fromEnv()`                                                                |
 * | PROFILE      | `fromIni({ profile, filepath, configFilepath, clientConfig: { region } })` |
 * | DEFAULT      | `fromNodeProviderChain()`                                                  |
 * | ASSUME_ROLE  | `fromTemporaryCredentials({ params, masterCredentials, clientConfig })`    |
 * | WEB_IDENTITY | `fromTokenFile({ roleArn, roleSessionName, webIdentityTokenFile, ... })`   |
 */
export function resolveCredentials(
  configuration: Configuration,
  options: ResolveCredentialsOptions,
): AwsCredentialsSource {
  const providers = options.credentialProviders ?? awsCredentialProviders;
  const group = credentialsOptions(options.prefix ?? CREDENTIALS_PROVIDER_KEY);
  const get = (option: (typeof group)['accessKeyId']) => configuration.get(option);
  const present = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
    (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
  const sts = (): StsClientSettings => ({
    region: options.region,
    ...present('endpoint', get(group.roleStsEndpoint)),
  });
  const required = (option: (typeof group)['accessKeyId']): string => {
    const value = get(option);
    if (value === undefined) {
      // Unreachable after validation; kept so that a direct call still fails clearly.
      throw new TypeError(
        `${option.key} is required when ${group.prefix} is ${configuration.get(group.provider)}`,
      );
    }
    return value;
  };

  const provider = configuration.get(group.provider);
  switch (provider) {
    case 'BASIC':
      return staticCredentials({
        accessKeyId: required(group.accessKeyId),
        secretAccessKey: required(group.secretKey),
        ...present('sessionToken', get(group.sessionToken)),
      });
    case 'ENV':
      return providers.fromEnv();
    case 'PROFILE':
      return providers.fromIni({
        ...present('profile', get(group.profileName)),
        ...present('filepath', get(group.profilePath)),
        ...present('configFilepath', get(group.profileConfigPath)),
        clientConfig: { region: options.region },
      });
    case 'DEFAULT':
      return providers.fromNodeProviderChain();
    case 'ASSUME_ROLE':
      return providers.fromTemporaryCredentials({
        params: {
          RoleArn: required(group.roleArn),
          RoleSessionName: get(group.roleSessionName) ?? defaultSessionName(),
          ...present('ExternalId', get(group.roleExternalId)),
        },
        masterCredentials: resolveCredentials(configuration, {
          ...options,
          prefix: roleSourcePrefix(group.prefix),
        }),
        clientConfig: sts(),
      });
    case 'WEB_IDENTITY':
      return providers.fromTokenFile({
        roleArn: required(group.roleArn),
        roleSessionName: get(group.roleSessionName) ?? defaultSessionName(),
        webIdentityTokenFile: required(group.webIdentityTokenFile),
        clientConfig: sts(),
      });
  }
}
