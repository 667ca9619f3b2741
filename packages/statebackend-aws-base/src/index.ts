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

// <exports:keygroup>

// <exports:state>

// <exports:checkpoint>

// <exports:metrics>
