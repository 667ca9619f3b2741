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
export { AbstractAwsKeyedStateBackendBuilder } from './backend/abstract-aws-keyed-state-backend-builder.js';
export {
  AbstractAwsStateBackend,
  type AwsStateBackendOptions,
} from './backend/abstract-aws-state-backend.js';
export { AwsKeyedStateBackendBase } from './backend/aws-keyed-state-backend-base.js';
export {
  bytesToId,
  cellId,
  idToBytes,
  NAMESPACE_SEPARATOR,
  splitCellId,
  stringKeyId,
} from './backend/byte-id.js';
export { KeyContext, type KeyedContext } from './backend/key-context.js';
export type { KeyedStateBackend, StateLimits } from './backend/keyed-state-backend.js';
export {
  type KeyedStateBackendParameters,
  validateKeyedStateBackendParameters,
} from './backend/keyed-state-backend-parameters.js';
export { RegisteredKeyedState } from './backend/registered-state.js';
export type { StateBackend } from './backend/state-backend.js';
export {
  AbstractAwsStateBackendFactory,
  type StateBackendContext,
  type StateBackendFactory,
} from './backend/state-backend-factory.js';
export { StateBackendOptions } from './backend/state-backend-options.js';
export { StateBackendRegistry } from './backend/state-backend-registry.js';
export type {
  KeyedStateStore,
  MaybePromise,
  SerializedRef,
  StateCell,
  StoredMapEntry,
} from './backend/state-store.js';
export { VOID_NAMESPACE_REF } from './backend/void-namespace-ref.js';
export {
  InvalidBackendParameterError,
  InvalidStateDescriptorError,
  InvalidTtlError,
  KeyGroupOutOfRangeError,
  KeySerializationError,
  StateBackendDisposedError,
  StateNotRegisteredError,
  StateRegistrationError,
  StateSerializationError,
  StateValueTooLargeError,
} from './errors.js';
export { ListContainer, MapContainer } from './heap/containers.js';
export { createStateBackend, defaultStateBackendRegistry } from './heap/default-state-backend-registry.js';
export { HeapKeyedStateBackend } from './heap/heap-keyed-state-backend.js';
export { HeapStateBackend, type HeapStateBackendOptions } from './heap/heap-state-backend.js';
export { HeapStateBackendFactory } from './heap/heap-state-backend-factory.js';
export { HeapStateSnapshot, type StateSnapshotPart } from './heap/heap-state-snapshot.js';
export { IncrementalCleanup } from './heap/incremental-cleanup.js';
export { StateTable, type VersionedContainer } from './heap/state-table.js';
export { StateTableSnapshot } from './heap/state-table-snapshot.js';
export { withoutExpired } from './heap/ttl-purge.js';
export {
  type AggregateFunction,
  type AggregatingState,
  AggregatingStateDescriptor,
} from './state/aggregating-state.js';
export { type ListState, ListStateDescriptor } from './state/list-state.js';
export { type MapState, MapStateDescriptor } from './state/map-state.js';
export type {
  MergingNamespacedState,
  NamespacedState,
  NamespacedStateOf,
} from './state/namespace.js';
export { VoidNamespace, voidNamespaceSerializer } from './serialization/void-namespace-serializer.js';
export { type ReduceFunction, type ReducingState, ReducingStateDescriptor } from './state/reducing-state.js';
export type { AppendingState, MergingState, State, StateKind } from './state/state.js';
export { StateDescriptor } from './state/state-descriptor.js';
export {
  type IncrementalCleanupStrategy,
  StateTtlConfig,
  StateTtlConfigBuilder,
  type StateTtlSettings,
  StateVisibility,
  UpdateType,
} from './state/ttl/state-ttl-config.js';
export { systemTimeProvider, type TtlTimeProvider } from './state/ttl/time-provider.js';
export { isExpired, type TtlValue, ttlValue } from './state/ttl/ttl-value.js';
export {
  type ValueState,
  ValueStateDescriptor,
  type ValueStateDescriptorConstructor,
} from './state/value-state.js';

// <exports:checkpoint>
export {
  CheckpointAlreadyExistsError,
  CheckpointChangedError,
  CheckpointIdTooLowError,
  CheckpointNotFoundError,
  CheckpointStorageError,
  CompressionUnavailableError,
  CorruptCheckpointError,
  CorruptSavepointError,
  FencedError,
  NotACheckpointError,
  SnapshotAbortedError,
  StateMigrationError,
  UnsupportedCheckpointVersionError,
} from './errors.js';
export {
  CheckpointingHeapBackendBuilder,
  type CheckpointingOptions,
  type StateRegistration,
} from './heap/checkpointing/checkpointing-heap-backend-builder.js';
export { CheckpointingHeapKeyedStateBackend } from './heap/checkpointing/checkpointing-heap-keyed-state-backend.js';
export {
  CHECKPOINT_CONFIGURATION_RULES,
  CheckpointConfigOptions,
  checkpointConfigOptions,
  type LocalCheckpointSettings,
  localCheckpointSettingsFrom,
} from './checkpoint/config/checkpoint-config-options.js';
export type {
  CheckpointingKeyedStateBackend,
  RestoredCheckpointInfo,
} from './backend/checkpointing-keyed-state-backend.js';
export type { CheckpointingStateBackend } from './backend/checkpointing-state-backend.js';
export { type RestoreSource, resolveRestoreSource } from './checkpoint/restore/restore-source.js';
export type { CheckpointPart } from './checkpoint/catalog/checkpoint-part.js';
export {
  type CheckpointSelection,
  findLatestCompleteCheckpoint,
  loadCheckpoint,
  type SelectedPart,
} from './checkpoint/catalog/checkpoint-selection.js';
export { discardNewerCheckpoints } from './checkpoint/catalog/discard-newer-checkpoints.js';
export { type OpenCheckpointOptions, openCheckpoint } from './checkpoint/restore/open-checkpoint.js';
export {
  type CheckpointStatus,
  type CheckpointSummary,
  inspectCheckpoints,
  listCheckpoints,
} from './checkpoint/catalog/list-checkpoints.js';
export {
  applyRetention,
  type RetentionOptions,
  type RetentionResult,
} from './checkpoint/catalog/retention.js';
export { ChecksummedChunk, knownCrc32 } from './checkpoint/format/checksummed-chunk.js';
export { crc32 } from './checkpoint/format/crc32.js';
export { crc32Combine } from './checkpoint/format/crc32-combine.js';
export {
  type KeyGroupBlock,
  type KeyGroupFileKind,
  type KeyGroupFrame,
  type RawEntry,
  SNAPSHOT_COMPRESSIONS,
  type SnapshotCompression,
} from './checkpoint/format/key-group-file-format.js';
export { KeyGroupFileReader } from './checkpoint/format/key-group-file-reader.js';
export {
  type KeyGroupFileSummary,
  KeyGroupFileWriter,
  type KeyGroupFileWriterOptions,
} from './checkpoint/format/key-group-file-writer.js';
export { decodeVerifiedBlock } from './checkpoint/format/block-decoder.js';
export { bytesAsFile, type RandomAccessFile } from './checkpoint/format/random-access-file.js';
export type { JsonObject, JsonValue } from './checkpoint/json.js';
export {
  type CheckpointFile,
  type CheckpointMetadata,
  decodeCheckpointMetadata,
  encodeCheckpointMetadata,
} from './checkpoint/metadata/checkpoint-metadata.js';
export type { CheckpointedState } from './checkpoint/metadata/checkpointed-state.js';
export {
  checkpointedStateOf,
  ttlConfigToJson,
  VALUE_ROLE,
} from './backend/checkpointed-state-of.js';
export { checkSourceMaxParallelism } from './checkpoint/restore/check-max-parallelism.js';
export { CheckpointSource } from './checkpoint/restore/checkpoint-source.js';
export { checkRestoredState } from './backend/check-restored-state.js';
export { loadRestoredState } from './heap/checkpointing/load-restored-state.js';
export { RestoredKeyedState, type RestoredStateEntries } from './checkpoint/restore/restored-keyed-state.js';
export type {
  KeyedStateSource,
  RestoredUserMetadata,
  VerifiedBlock,
} from './checkpoint/restore/keyed-state-source.js';
export { ChangedCells } from './checkpoint/snapshot/changed-cells.js';
export { CheckpointMetrics } from './checkpoint/snapshot/checkpoint-metrics.js';
export { CheckpointSnapshotter } from './checkpoint/snapshot/checkpoint-snapshotter.js';
export type {
  CheckpointSnapshotterOptions,
  CompletedCheckpoint,
} from './checkpoint/snapshot/checkpoint-snapshotter-options.js';
export {
  IncrementalSnapshotStrategy,
  type IncrementalSnapshotOptions,
} from './checkpoint/snapshot/incremental-snapshot-strategy.js';
export type { DeltaChainLimits } from './checkpoint/snapshot/delta-chains.js';
export {
  FullSnapshotStrategy,
  type SnapshotPlan,
  type SnapshotStrategy,
  type WrittenBlocks,
} from './checkpoint/snapshot/snapshot-strategy.js';
export type { KeyGroupEntryWriter, StateSnapshotView } from './checkpoint/snapshot/state-snapshot-view.js';
export { TableSnapshotView } from './heap/checkpointing/table-snapshot-view.js';
export type {
  ByteRange,
  CheckpointStorage,
  CommittedCheckpoint,
  FileContent,
  FileOrigin,
  FileScope,
  StoredFile,
  WriterLease,
  WrittenFile,
} from './checkpoint/storage/checkpoint-storage.js';
export { assertNotFenced, fencingClaim, isSuperseded, nextEpoch } from './checkpoint/storage/fencing.js';
export { ForwardingCheckpointStorage } from './checkpoint/storage/forwarding-checkpoint-storage.js';
export {
  LocalCheckpointStorage,
  type LocalCheckpointStorageOptions,
} from './checkpoint/storage/local-checkpoint-storage.js';
export {
  checkpointDirectoryName,
  claimFileName,
  DATA_FILE_SUFFIX,
  dataFileName,
  newDataFileLocation,
  FENCING_DIRECTORY,
  metadataFileName,
  parseCheckpointDirectoryName,
  parseClaimFileName,
  parseFileOrigin,
  parseMetadataFileName,
  SHARED_DIRECTORY,
} from './checkpoint/storage/object-names.js';
export { type SavepointProperties, SAVEPOINT_FORMAT } from './checkpoint/savepoint/savepoint-properties.js';
export { SavepointSource } from './checkpoint/savepoint/savepoint-source.js';
export {
  type EncodedSavepoint,
  encodeRemoteSavepoint,
  encodeSavepoint,
  type RemoteSavepointContent,
  type SavepointOptions,
} from './checkpoint/savepoint/write-savepoint.js';

// <exports:metrics>
export { ConsoleLikeReporter, type ConsoleLikeReporterOptions } from './metrics/console-like-reporter.js';
export { DistributionStatistics, type ExactSummary } from './metrics/distribution-statistics.js';
export { HdrHistogram, type HdrHistogramOptions } from './metrics/hdr-histogram.js';
export type { SignificantDigits } from './metrics/histogram-accumulator.js';
export { ManualScheduler } from './metrics/manual-scheduler.js';
export { MeterView, type MeterViewOptions } from './metrics/meter-view.js';
export {
  type Counter,
  type Gauge,
  type Histogram,
  type HistogramIntervalReader,
  type HistogramStatistics,
  METRIC_TYPES,
  type Meter,
  type Metric,
  type MetricType,
} from './metrics/metric.js';
export {
  createMetricFilter,
  FILTER_ACCEPTS,
  type MetricFilter,
  type MetricFilterPatterns,
} from './metrics/metric-filter.js';
export type { MetricGroup, MetricGroupView } from './metrics/metric-group.js';
export {
  type MetricReading,
  type MetricValue,
  type RegisteredMetric,
  readMetrics,
  readMetricValue,
} from './metrics/metric-reading.js';
export {
  MetricRegistry,
  type MetricRegistryConfigurationOptions,
  type MetricRegistryOptions,
} from './metrics/metric-registry.js';
export type { MetricConfig, MetricReporter, MetricReporterFactory } from './metrics/metric-reporter.js';
export {
  defaultReporterFactories,
  MetricReporterFactoryRegistry,
} from './metrics/reporter-factory-registry.js';
export {
  DEFAULT_REPORT_INTERVAL_MS,
  keyValueMapType,
  METRICS_REPORTER_PREFIX,
  REPORTERS_LIST,
  type ReporterOptions,
  reporterOptions,
  semicolonListType,
} from './metrics/reporter-options.js';
export {
  type ConfiguredReporter,
  type ConfiguredReporters,
  findConfiguredReporters,
  findReporterNames,
  type ReporterSettings,
  readConfiguredReporters,
  reporterProperties,
} from './metrics/reporter-setup.js';
export { type ScheduledTask, type Scheduler, systemScheduler } from './metrics/scheduler.js';
export { asVariable, type MetricScope, ScopeVariables, variableName } from './metrics/scope.js';
export { SimpleCounter } from './metrics/simple-counter.js';

// <exports:driver>
export { ProcessorDriverError, RecordProcessingError } from './errors.js';
export {
  DRIVER_METADATA_FORMAT,
  type DriverMetadata,
  decodeDriverMetadata,
  encodeDriverMetadata,
  type KeyGroupPosition,
} from './driver/driver-metadata.js';
export type { ProcessContext } from './driver/process-context.js';
export { type DriverResult, type DriverStart, END_OF_INPUT_WATERMARK } from './driver/driver-run.js';
export { ProcessorDriver } from './driver/processor-driver.js';
export type {
  CheckpointCadence,
  DriverBackendContext,
  DriverCheckpoint,
  EventTimeOptions,
  ProcessorDriverOptions,
} from './driver/processor-driver-options.js';
export type { TimeDomain, Timer, TimerService } from './driver/timers/timer.js';
export { TIMER_STATE_NAME } from './driver/timers/timer-state.js';
