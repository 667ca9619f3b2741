// The root entry point of @statebackend/aws-base: what a job author uses (configuration,
// credentials, serializers, key groups, state descriptors and states, the heap backend,
// checkpoint and restore options, listing and opening checkpoints, savepoints, the processor
// driver, metrics, the public errors). What a backend, checkpoint-storage or metrics-reporter
// author needs besides is in `./spi` (src/spi.ts); everything else is internal and exported
// from neither (docs/decisions.md, "Entry points by audience"). test/unit/entry-points.test.ts
// pins both lists, so that a new export is a conscious change. Nothing is defined here.

// AWS clients and credentials
export { AwsConfigOptions } from './aws/aws-config-options.js';
export {
  type AwsClientConfig,
  buildAwsClientConfig,
  type BuildAwsClientConfigOptions,
} from './aws/client-config.js';
export { AwsClientManager, type AwsClientManagerOptions } from './aws/client-manager.js';
export {
  type AwsCredentials,
  type AwsCredentialsProvider,
  type AwsCredentialsSource,
  resolveCredentials,
  type ResolveCredentialsOptions,
  staticCredentials,
} from './aws/credentials.js';
// Keyed backends
export type {
  CheckpointingKeyedStateBackend,
  RestoredCheckpointInfo,
} from './backend/checkpointing-keyed-state-backend.js';
export type { CheckpointingStateBackend } from './backend/checkpointing-state-backend.js';
export type { KeyedContext } from './backend/key-context.js';
export type { KeyedStateBackendParameters } from './backend/keyed-state-backend-parameters.js';
export type { KeyedStateBackend, StateLimits } from './backend/keyed-state-backend.js';
export type { StateBackendContext } from './backend/state-backend-factory.js';
export { StateBackendOptions } from './backend/state-backend-options.js';
export type { StateBackend } from './backend/state-backend.js';
// Checkpoints
export {
  type CheckpointStatus,
  type CheckpointSummary,
  inspectCheckpoints,
  listCheckpoints,
} from './checkpoint/catalog/list-checkpoints.js';
export {
  CheckpointConfigOptions,
  type LocalCheckpointSettings,
} from './checkpoint/config/checkpoint-config-options.js';
export type { SnapshotCompression } from './checkpoint/format/key-group-file-format.js';
export type { JsonObject, JsonValue } from './checkpoint/json.js';
export { CheckpointSource } from './checkpoint/restore/checkpoint-source.js';
export type { RestoredUserMetadata } from './checkpoint/restore/keyed-state-source.js';
export { openCheckpoint, type OpenCheckpointOptions } from './checkpoint/restore/open-checkpoint.js';
export type { RestoreMode, RestoreOptions } from './checkpoint/restore/restore-options.js';
export type { RestoreSource } from './checkpoint/restore/restore-source.js';
export { SavepointSource } from './checkpoint/savepoint/savepoint-source.js';
export type { EncodedSavepoint, SavepointOptions } from './checkpoint/savepoint/write-savepoint.js';
export type { CompletedCheckpoint } from './checkpoint/snapshot/checkpoint-snapshotter-options.js';
export type { IncrementalSnapshotOptions } from './checkpoint/snapshot/incremental-snapshot-strategy.js';
export type { CheckpointStorage } from './checkpoint/storage/checkpoint-storage.js';
export {
  LocalCheckpointStorage,
  type LocalCheckpointStorageOptions,
} from './checkpoint/storage/local-checkpoint-storage.js';
// Configuration
export { ConfigOption, ConfigOptions } from './config/config-option.js';
export { Configuration, envVarName } from './config/configuration.js';
export {
  findConfigurationIssues,
  validateConfiguration,
  type ValidateConfigurationOptions,
} from './config/validation.js';
// Processor driver
export type { DriverResult, DriverStart } from './driver/driver-run.js';
export type { ProcessContext } from './driver/process-context.js';
export type {
  CheckpointCadence,
  DriverBackendContext,
  DriverCheckpoint,
  EventTimeOptions,
  ProcessorDriverOptions,
} from './driver/processor-driver-options.js';
export { ProcessorDriver } from './driver/processor-driver.js';
export type { TimeDomain, Timer, TimerService } from './driver/timers/timer.js';
// Errors
export {
  CheckpointAlreadyExistsError,
  CheckpointChangedError,
  CheckpointIdTooLowError,
  CheckpointNotFoundError,
  CheckpointStorageError,
  ClientManagerClosedError,
  CompressionUnavailableError,
  ConfigurationError,
  type ConfigurationIssue,
  CorruptCheckpointError,
  CorruptSavepointError,
  DeserializationError,
  FencedError,
  IncompatibleSerializerError,
  InvalidBackendParameterError,
  InvalidStateDescriptorError,
  InvalidTtlError,
  KeyGroupArgumentError,
  KeyGroupOutOfRangeError,
  KeySerializationError,
  MetricSettingError,
  NotACheckpointError,
  ProcessorDriverError,
  RecordProcessingError,
  SerializationError,
  type SerializerRole,
  SnapshotAbortedError,
  StateBackendDisposedError,
  StateBackendError,
  StateMigrationError,
  StateNotRegisteredError,
  StateRegistrationError,
  StateSerializationError,
  StateValueTooLargeError,
  UnknownSerializerError,
  UnsupportedCheckpointVersionError,
} from './errors.js';
// Heap backend
export {
  CheckpointingHeapBackendBuilder,
  type CheckpointingOptions,
  type StateRegistration,
} from './heap/checkpointing/checkpointing-heap-backend-builder.js';
export { CheckpointingHeapKeyedStateBackend } from './heap/checkpointing/checkpointing-heap-keyed-state-backend.js';
export { createStateBackend, defaultStateBackendRegistry } from './heap/default-state-backend-registry.js';
export { HeapStateBackendFactory } from './heap/heap-state-backend-factory.js';
export { HeapStateBackend, type HeapStateBackendOptions } from './heap/heap-state-backend.js';
// Key groups
export {
  assignKeyToParallelOperator,
  assignToKeyGroup,
  computeDefaultMaxParallelism,
  computeKeyGroupRangeForOperatorIndex,
  computeOperatorIndexForKeyGroup,
} from './keygroup/key-group-assignment.js';
export { KeyGroupRange } from './keygroup/key-group-range.js';
// Logging
export { type Logger, noopLogger } from './logging/logger.js';
// Metrics
export { ConsoleLikeReporter, type ConsoleLikeReporterOptions } from './metrics/console-like-reporter.js';
export { createMetricFilter, type MetricFilter, type MetricFilterPatterns } from './metrics/metric-filter.js';
export type { MetricGroup } from './metrics/metric-group.js';
export type { MetricReading, MetricValue, RegisteredMetric } from './metrics/metric-reading.js';
export {
  MetricRegistry,
  type MetricRegistryConfigurationOptions,
  type MetricRegistryOptions,
} from './metrics/metric-registry.js';
export type {
  Counter,
  Gauge,
  Histogram,
  HistogramStatistics,
  Meter,
  Metric,
  MetricType,
} from './metrics/metric.js';
export type { ReporterSettings } from './metrics/reporter-setup.js';
export type { MetricScope } from './metrics/scope.js';
// Serializers
export { BaseSerializer } from './serialization/base-serializer.js';
export { checkSerializerCompatibility } from './serialization/check-compatibility.js';
export type { MsgpackSerializerOptions } from './serialization/msgpack-serializer.js';
export { type SerializerFactory, SerializerRegistry } from './serialization/serializer-registry.js';
export { Serializers } from './serialization/serializers.js';
export type {
  SerializerCompatibility,
  SerializerSnapshot,
  TypeSerializer,
} from './serialization/type-serializer.js';
// State descriptors and states
export {
  type AggregateFunction,
  type AggregatingState,
  AggregatingStateDescriptor,
} from './state/aggregating-state.js';
export { type ListState, ListStateDescriptor } from './state/list-state.js';
export { type MapState, MapStateDescriptor } from './state/map-state.js';
export type { MergingNamespacedState, NamespacedState, NamespacedStateOf } from './state/namespace.js';
export { type ReduceFunction, type ReducingState, ReducingStateDescriptor } from './state/reducing-state.js';
export { StateDescriptor } from './state/state-descriptor.js';
export type { AppendingState, MergingState, State, StateKind } from './state/state.js';
export {
  type IncrementalCleanupStrategy,
  StateTtlConfig,
  type StateTtlSettings,
  StateVisibility,
  UpdateType,
} from './state/ttl/state-ttl-config.js';
export type { TtlTimeProvider } from './state/ttl/time-provider.js';
export { type ValueState, ValueStateDescriptor } from './state/value-state.js';
