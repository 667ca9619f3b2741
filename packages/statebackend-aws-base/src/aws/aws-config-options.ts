import { type AnyConfigOption, type ConfigOption, ConfigOptions } from '../config/config-option.js';
import type { Configuration } from '../config/configuration.js';
import type { ConfigurationRule } from '../config/validation.js';

/** How credentials are obtained; see the README's "AWS clients" section. */
export const CREDENTIALS_PROVIDERS = [
  'BASIC',
  'ENV',
  'PROFILE',
  'DEFAULT',
  'ASSUME_ROLE',
  'WEB_IDENTITY',
] as const;
export type CredentialsProviderType = (typeof CREDENTIALS_PROVIDERS)[number];

/** Names the Java connector uses for the same providers, accepted as aliases. */
const JAVA_PROVIDER_NAMES: Readonly<Record<string, CredentialsProviderType>> = {
  ENV_VAR: 'ENV',
  AUTO: 'DEFAULT',
  WEB_IDENTITY_TOKEN: 'WEB_IDENTITY',
};

export const RETRY_MODES = ['standard', 'adaptive'] as const;
export type AwsRetryMode = (typeof RETRY_MODES)[number];

/** The credentials provider key; its sub-keys hang under it (`aws.credentials.provider.basic.secretkey`). */
export const CREDENTIALS_PROVIDER_KEY = 'aws.credentials.provider';

/** How many assume-role hops `role.provider` may chain (ASSUME_ROLE whose source is ASSUME_ROLE...). */
export const MAX_ROLE_CHAIN = 3;

const REGION_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;

/** True for an absolute `http:` or `https:` URL with a host and no user name or password. */
export function isHttpUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.hostname !== '' &&
    url.username === '' &&
    url.password === ''
  );
}

const HTTP_URL_ACCEPTS = 'an absolute http(s) URL such as http://localhost:4566 (no user name or password)';

function urlOption(key: string) {
  return ConfigOptions.key(key).stringType().check(isHttpUrl, HTTP_URL_ACCEPTS).noDefaultValue();
}

/**
 * The options of one credentials provider: `prefix` itself names the provider, and its settings
 * are under it. The top level is `aws.credentials.provider`; the source credentials of
 * ASSUME_ROLE use the same layout under `aws.credentials.provider.role.provider`.
 */
export interface CredentialsOptions {
  readonly prefix: string;
  readonly provider: ConfigOption<CredentialsProviderType, true>;
  readonly accessKeyId: ConfigOption<string, false>;
  readonly secretKey: ConfigOption<string, false>;
  readonly sessionToken: ConfigOption<string, false>;
  readonly profileName: ConfigOption<string, false>;
  readonly profilePath: ConfigOption<string, false>;
  readonly profileConfigPath: ConfigOption<string, false>;
  readonly roleArn: ConfigOption<string, false>;
  readonly roleSessionName: ConfigOption<string, false>;
  readonly roleExternalId: ConfigOption<string, false>;
  readonly roleStsEndpoint: ConfigOption<string, false>;
  readonly webIdentityTokenFile: ConfigOption<string, false>;
  /** Every option above. */
  readonly all: readonly AnyConfigOption[];
}

const credentialsGroups = new Map<string, CredentialsOptions>();

/** The options of the credentials provider named by `prefix` (created once per prefix). */
export function credentialsOptions(prefix: string = CREDENTIALS_PROVIDER_KEY): CredentialsOptions {
  const cached = credentialsGroups.get(prefix);
  if (cached !== undefined) return cached;
  const when = (provider: string) => `Used when ${prefix} is ${provider}.`;
  const str = (suffix: string) => ConfigOptions.key(`${prefix}.${suffix}`).stringType();
  const provider = ConfigOptions.key(prefix)
    .enumType(CREDENTIALS_PROVIDERS, JAVA_PROVIDER_NAMES)
    .defaultValue('DEFAULT')
    .withDescription(
      (prefix.endsWith('.role.provider')
        ? 'The provider of the source credentials used to assume the role; its settings use the same ' +
          `sub-keys under ${prefix} (e.g. ${prefix}.basic.accesskeyid). `
        : '') +
        'How AWS credentials are obtained: BASIC (keys in this configuration), ENV (AWS_ACCESS_KEY_ID...), ' +
        'PROFILE (shared ini files), DEFAULT (the SDK default chain), ASSUME_ROLE (STS AssumeRole), ' +
        'WEB_IDENTITY (STS AssumeRoleWithWebIdentity with a token file). ' +
        'The Java names ENV_VAR, AUTO and WEB_IDENTITY_TOKEN are accepted too.',
    );
  const group = {
    prefix,
    provider,
    accessKeyId: str('basic.accesskeyid')
      .noDefaultValue()
      .withDescription(`The access key ID. ${when('BASIC')}`),
    secretKey: str('basic.secretkey')
      .noDefaultValue()
      .secret()
      .withDescription(`The secret access key. ${when('BASIC')}`),
    sessionToken: str('basic.sessiontoken')
      .noDefaultValue()
      .secret()
      .withDescription(`Optional session token of temporary keys. ${when('BASIC')}`),
    profileName: str('profile.name')
      .noDefaultValue()
      .withDescription(`The profile name (default: AWS_PROFILE, else 'default'). ${when('PROFILE')}`),
    profilePath: str('profile.path')
      .noDefaultValue()
      .withDescription(
        `Path of the shared credentials file (default ~/.aws/credentials). ${when('PROFILE')}`,
      ),
    profileConfigPath: str('profile.config-path')
      .noDefaultValue()
      .withDescription(`Path of the shared config file (default ~/.aws/config). ${when('PROFILE')}`),
    roleArn: str('role.arn')
      .check(
        (v) => ROLE_ARN_PATTERN.test(v),
        'an IAM role ARN such as arn:aws:iam::123456789012:role/my-role',
      )
      .noDefaultValue()
      .withDescription(`The role to assume. Required when ${prefix} is ASSUME_ROLE or WEB_IDENTITY.`),
    roleSessionName: str('role.sessionName')
      .check((v) => SESSION_NAME_PATTERN.test(v), '2 to 64 characters of letters, digits and +=,.@_-')
      .noDefaultValue()
      .withDescription(
        `The role session name (default statebackend-aws-<timestamp>). ${when('ASSUME_ROLE or WEB_IDENTITY')}`,
      ),
    roleExternalId: str('role.externalId')
      .check((v) => EXTERNAL_ID_PATTERN.test(v), '2 to 1224 characters of letters, digits and +=,.@:/_-')
      .noDefaultValue()
      .withDescription(`The external ID the role's trust policy requires. ${when('ASSUME_ROLE')}`),
    roleStsEndpoint: urlOption(`${prefix}.role.stsEndpoint`).withDescription(
      `The STS endpoint (default: the region's). ${when('ASSUME_ROLE or WEB_IDENTITY')}`,
    ),
    webIdentityTokenFile: str('webIdentityToken.file')
      .noDefaultValue()
      .withDescription(
        `Path of the web identity (OIDC) token file. Required when ${prefix} is WEB_IDENTITY.`,
      ),
  };
  const result: CredentialsOptions = Object.freeze({
    ...group,
    all: Object.freeze([
      group.provider,
      group.accessKeyId,
      group.secretKey,
      group.sessionToken,
      group.profileName,
      group.profilePath,
      group.profileConfigPath,
      group.roleArn,
      group.roleSessionName,
      group.roleExternalId,
      group.roleStsEndpoint,
      group.webIdentityTokenFile,
    ]),
  });
  credentialsGroups.set(prefix, result);
  return result;
}

/** The prefix of the provider of the source credentials of ASSUME_ROLE at `prefix`. */
export function roleSourcePrefix(prefix: string): string {
  return `${prefix}.role.provider`;
}

const top = credentialsOptions(CREDENTIALS_PROVIDER_KEY);
const roleSource = credentialsOptions(roleSourcePrefix(CREDENTIALS_PROVIDER_KEY));

/** Keys of the Java connector that have no meaning here, with what to use instead. */
const UNSUPPORTED_JAVA_KEYS: ReadonlyArray<readonly [string, string]> = [
  [
    `${CREDENTIALS_PROVIDER_KEY}.custom.class`,
    "not set: pass your own credentials to buildAwsClientConfig({ credentials }) or in a client's clientConfig",
  ],
  ['aws.http.protocol.version', 'not set: the Node.js HTTP handler speaks HTTP/1.1'],
  ['http-client.type', 'not set: the Node.js HTTP handler is always used'],
  [
    'aws.http-client.read-timeout',
    'not set: use aws.client.request-timeout (the time a whole request may take)',
  ],
  [
    'http-client.socket-timeout-ms',
    'not set: use aws.client.request-timeout (the time a whole request may take)',
  ],
];

/** Declared (so never "unknown"), and reported by the rules with what to use instead. */
const UNSUPPORTED_JAVA_OPTIONS: readonly AnyConfigOption[] = UNSUPPORTED_JAVA_KEYS.map(([key, instead]) =>
  ConfigOptions.key(key).stringType().noDefaultValue().withDescription(`Not supported; ${instead}.`),
);

/**
 * Every AWS option. Keys and semantics follow Flink's `AWSConfigConstants`, with the
 * web-identity token file on its own key and Node.js client tuning under `aws.client.*`.
 */
export class AwsConfigOptions {
  private constructor() {}

  static readonly REGION = ConfigOptions.key('aws.region')
    .stringType()
    .check((v) => REGION_PATTERN.test(v), 'an AWS region such as eu-west-1')
    .noDefaultValue()
    .withDescription('The AWS region. Required wherever an AWS client is built.');

  static readonly CREDENTIALS_PROVIDER = top.provider;
  static readonly ACCESS_KEY_ID = top.accessKeyId;
  static readonly SECRET_KEY = top.secretKey;
  static readonly SESSION_TOKEN = top.sessionToken;
  static readonly PROFILE_NAME = top.profileName;
  static readonly PROFILE_PATH = top.profilePath;
  static readonly PROFILE_CONFIG_PATH = top.profileConfigPath;
  static readonly ROLE_ARN = top.roleArn;
  static readonly ROLE_SESSION_NAME = top.roleSessionName;
  static readonly ROLE_EXTERNAL_ID = top.roleExternalId;
  static readonly ROLE_STS_ENDPOINT = top.roleStsEndpoint;
  /** The provider of the credentials used to assume the role; its settings are under this key. */
  static readonly ROLE_PROVIDER = roleSource.provider;
  static readonly WEB_IDENTITY_TOKEN_FILE = top.webIdentityTokenFile;

  static readonly ENDPOINT = urlOption('aws.endpoint').withDescription(
    'Overrides the service endpoint, e.g. http://localhost:4566 for an emulator.',
  );

  static readonly TRUST_ALL_CERTIFICATES = ConfigOptions.key('aws.trust.all.certificates')
    .booleanType()
    .defaultValue(false)
    .withDescription('Accept any TLS certificate. For test endpoints only.');

  static readonly MAX_ATTEMPTS = ConfigOptions.key('aws.client.max-attempts')
    .intType()
    .min(1)
    .defaultValue(3)
    .withDescription('Attempts per request, the first included.');

  static readonly RETRY_MODE = ConfigOptions.key('aws.client.retry-mode')
    .enumType(RETRY_MODES)
    .defaultValue('standard')
    .withDescription("The SDK's retry strategy: standard, or adaptive (adds client-side rate limiting).");

  static readonly CONNECTION_TIMEOUT = ConfigOptions.key('aws.client.connection-timeout')
    .durationType()
    .min(1)
    .defaultValue(10_000)
    .withDeprecatedKeys('http-client.connection-timeout-ms')
    .withDescription('How long establishing a connection may take.');

  static readonly REQUEST_TIMEOUT = ConfigOptions.key('aws.client.request-timeout')
    .durationType()
    .min(1)
    .noDefaultValue()
    .withDescription('How long one request may take, from sending to the full response (default: no limit).');

  static readonly MAX_SOCKETS = ConfigOptions.key('aws.client.max-sockets')
    .intType()
    .min(1)
    .defaultValue(50)
    .withDeprecatedKeys('aws.http-client.max-concurrency', 'http-client.apache.max-connections')
    .withDescription('Most open connections per client (per host).');

  /** The options of one credentials provider; see {@link credentialsOptions}. */
  static credentials(prefix: string = CREDENTIALS_PROVIDER_KEY): CredentialsOptions {
    return credentialsOptions(prefix);
  }

  /**
   * Every AWS option: the general ones, the top-level credentials provider and the source
   * provider of ASSUME_ROLE. Given a configuration, also the deeper source providers its
   * assume-role chain uses.
   */
  static all(configuration?: Configuration): AnyConfigOption[] {
    const options: AnyConfigOption[] = [
      AwsConfigOptions.REGION,
      AwsConfigOptions.ENDPOINT,
      AwsConfigOptions.TRUST_ALL_CERTIFICATES,
      AwsConfigOptions.MAX_ATTEMPTS,
      AwsConfigOptions.RETRY_MODE,
      AwsConfigOptions.CONNECTION_TIMEOUT,
      AwsConfigOptions.REQUEST_TIMEOUT,
      AwsConfigOptions.MAX_SOCKETS,
      ...top.all,
      ...roleSource.all,
      ...UNSUPPORTED_JAVA_OPTIONS,
    ];
    if (configuration !== undefined) {
      let prefix = roleSource.prefix;
      for (
        let depth = 2;
        depth <= MAX_ROLE_CHAIN && providerOf(configuration, prefix) === 'ASSUME_ROLE';
        depth++
      ) {
        prefix = roleSourcePrefix(prefix);
        options.push(...credentialsOptions(prefix).all);
      }
    }
    return options;
  }

  /**
   * Cross-key rules: the region when `requireRegion`; BASIC needs both keys; ASSUME_ROLE needs
   * the role ARN (and checks its source provider the same way); WEB_IDENTITY needs the role ARN
   * and the token file; keys of the Java connector that do not apply are named with what to use.
   */
  static rules({ requireRegion = false }: { readonly requireRegion?: boolean } = {}): ConfigurationRule[] {
    return [
      (context) => {
        if (requireRegion)
          context.require(
            AwsConfigOptions.REGION,
            `${AwsConfigOptions.REGION.accepts} (required to build an AWS client)`,
          );
        let prefix = CREDENTIALS_PROVIDER_KEY;
        for (let depth = 1; ; depth++) {
          const group = credentialsOptions(prefix);
          const provider = context.value(group.provider);
          const needed = (what: string) => `${what} (required when ${prefix} is ${provider})`;
          if (provider === 'BASIC') {
            context.require(group.accessKeyId, needed('an access key ID'));
            context.require(group.secretKey, needed('a secret access key'));
          } else if (provider === 'WEB_IDENTITY') {
            context.require(group.roleArn, needed(group.roleArn.accepts));
            context.require(group.webIdentityTokenFile, needed('the path of a web identity token file'));
          } else if (provider === 'ASSUME_ROLE') {
            context.require(group.roleArn, needed(group.roleArn.accepts));
            if (
              depth >= MAX_ROLE_CHAIN &&
              providerOfContext(context, roleSourcePrefix(prefix)) === 'ASSUME_ROLE'
            ) {
              context.report({
                key: roleSourcePrefix(prefix),
                expected: `a provider other than ASSUME_ROLE (at most ${MAX_ROLE_CHAIN} chained roles)`,
              });
              break;
            }
            prefix = roleSourcePrefix(prefix);
            continue;
          }
          break;
        }
        for (const [key, expected] of UNSUPPORTED_JAVA_KEYS) {
          if (context.configuration.contains(key)) context.report({ key, expected });
        }
      },
    ];
  }
}

function providerOf(configuration: Configuration, prefix: string): CredentialsProviderType | undefined {
  const option = credentialsOptions(prefix).provider;
  const found = configuration.findValue(option);
  if (found === undefined) return option.defaultValue;
  const parsed = option.tryParse(found.raw);
  return parsed.ok ? parsed.value : undefined;
}

function providerOfContext(
  context: Parameters<ConfigurationRule>[0],
  prefix: string,
): CredentialsProviderType | undefined {
  return context.value(credentialsOptions(prefix).provider);
}
