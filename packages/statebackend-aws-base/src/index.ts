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

// <exports:aws>

// <exports:serialization>
export {
  DeserializationError,
  IncompatibleSerializerError,
  KeyGroupArgumentError,
  SerializationError,
  type SerializerRole,
  UnknownSerializerError,
} from './errors.js';

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
