// Public surface of @statebackend/aws-base. Each area adds its named re-exports below its own
// marker; nothing is defined here.
export { ConfigurationError, type ConfigurationIssue, StateBackendError } from './errors.js';
export { type Logger, noopLogger } from './logging/logger.js';
export type {
  SerializerCompatibility,
  SerializerSnapshot,
  TypeSerializer,
} from './serialization/type-serializer.js';

// <exports:config>
export {
  type AnyConfigOption,
  ConfigOption,
  ConfigOptionBuilder,
  ConfigOptions,
  type ConfigType,
  ConfigTypes,
  type ParseResult,
  TypedConfigOptionBuilder,
} from './config/config-option.js';
export { Configuration, DEFAULT_ENV_PREFIX, envVarName } from './config/configuration.js';
export { formatDuration, parseDuration } from './config/duration.js';
export { editDistance, suggestKey } from './config/edit-distance.js';
export { isSecretKey, SECRET_MASK } from './config/secrets.js';
export {
  type ConfigurationRule,
  type ConfigurationRuleContext,
  findConfigurationIssues,
  type ValidateConfigurationOptions,
  validateConfiguration,
} from './config/validation.js';

// <exports:aws>
export { ClientManagerClosedError } from './errors.js';
export {
  AwsConfigOptions,
  type AwsRetryMode,
  CREDENTIALS_PROVIDERS,
  type CredentialsOptions,
  type CredentialsProviderType,
  credentialsOptions,
  isHttpUrl,
  RETRY_MODES,
} from './aws/aws-config-options.js';
export {
  type AwsClientConfig,
  type BuildAwsClientConfigOptions,
  buildAwsClientConfig,
  DEFAULT_USER_AGENT,
  type ValidateAwsConfigurationOptions,
  validateAwsConfiguration,
} from './aws/client-config.js';
export {
  type AwsClientConstructor,
  AwsClientManager,
  type AwsClientManagerOptions,
  type ClientConfigOf,
  type ClientSource,
  type DestroyableClient,
  type WithClient,
  type WithConfig,
} from './aws/client-manager.js';
export {
  type AwsCredentials,
  type AwsCredentialsProvider,
  type AwsCredentialsSource,
  awsCredentialProviders,
  type CredentialProvidersModule,
  type ResolveCredentialsOptions,
  resolveCredentials,
  type StsClientSettings,
  staticCredentials,
} from './aws/credentials.js';

// <exports:serialization>
export {
  DeserializationError,
  IncompatibleSerializerError,
  KeyGroupArgumentError,
  SerializationError,
  type SerializerRole,
  UnknownSerializerError,
} from './errors.js';
export { BaseSerializer } from './serialization/base-serializer.js';
export { BigIntSerializer } from './serialization/bigint-serializer.js';
export { BooleanSerializer } from './serialization/boolean-serializer.js';
export { BytesSerializer } from './serialization/bytes-serializer.js';
export { checkSerializerCompatibility } from './serialization/check-compatibility.js';
export { INT32_MAX, INT32_MIN, IntSerializer } from './serialization/int-serializer.js';
export { JsonSerializer } from './serialization/json-serializer.js';
export { ListSerializer } from './serialization/list-serializer.js';
export { MapSerializer } from './serialization/map-serializer.js';
export { MsgpackSerializer, type MsgpackSerializerOptions } from './serialization/msgpack-serializer.js';
export { NullableSerializer } from './serialization/nullable-serializer.js';
export { NumberSerializer } from './serialization/number-serializer.js';
export { type SerializerFactory, SerializerRegistry } from './serialization/serializer-registry.js';
export { Serializers } from './serialization/serializers.js';
export { StringSerializer } from './serialization/string-serializer.js';
export { TupleSerializer, type TupleValue } from './serialization/tuple-serializer.js';

// <exports:keygroup>
export {
  assignKeyToParallelOperator,
  assignToKeyGroup,
  computeDefaultMaxParallelism,
  computeKeyGroupRangeForOperatorIndex,
  computeOperatorIndexForKeyGroup,
  KEY_GROUP_HASH_SEED,
  keyGroupHash,
} from './keygroup/key-group-assignment.js';
export { KeyGroupRange } from './keygroup/key-group-range.js';
export { murmur3x86_32 } from './keygroup/murmur3.js';
export {
  DEFAULT_LOWER_BOUND_MAX_PARALLELISM,
  UPPER_BOUND_MAX_PARALLELISM,
  validateMaxParallelism,
  validateParallelism,
  validateParallelismPair,
} from './keygroup/parallelism.js';

// <exports:state>

// <exports:checkpoint>

// <exports:metrics>
