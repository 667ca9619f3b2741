// `@statebackend/aws-base/spi`: what a backend, checkpoint-storage or metrics-reporter author
// needs besides the root entry point: the abstract backend, builder and factory, the store
// contract, the checkpoint storage SPI and the formats and fencing rules a storage shares,
// restore helpers, the reporter SPI. A name is either here or in the root, never in both
// (docs/decisions.md, "Entry points by audience"). Nothing is defined here.

// AWS clients and credentials
export { type ValidateAwsConfigurationOptions, validateAwsConfiguration } from './aws/client-config.js';
export type { ClientSource, WithClient, WithConfig } from './aws/client-manager.js';
export {
  awsCredentialProviders,
  type CredentialProvidersModule,
  type StsClientSettings,
} from './aws/credentials.js';
// Keyed backends
export { AbstractAwsKeyedStateBackendBuilder } from './backend/abstract-aws-keyed-state-backend-builder.js';
export {
  AbstractAwsStateBackend,
  type AwsStateBackendOptions,
} from './backend/abstract-aws-state-backend.js';
export { AwsKeyedStateBackendBase } from './backend/aws-keyed-state-backend-base.js';
export { bytesToId } from './backend/byte-id.js';
export { checkRestoredState } from './backend/check-restored-state.js';
export { checkpointedStateOf, VALUE_ROLE } from './backend/checkpointed-state-of.js';
export { RegisteredKeyedState } from './backend/registered-state.js';
export { AbstractAwsStateBackendFactory, type StateBackendFactory } from './backend/state-backend-factory.js';
export { StateBackendRegistry } from './backend/state-backend-registry.js';
export type {
  KeyedStateStore,
  MaybePromise,
  SerializedRef,
  StateCell,
  StoredMapEntry,
} from './backend/state-store.js';
// Checkpoints
export {
  type CheckpointSelection,
  findLatestCompleteCheckpoint,
  loadCheckpoint,
  type SelectedPart,
} from './checkpoint/catalog/checkpoint-selection.js';
export {
  applyRetention,
  type RetentionOptions,
  type RetentionResult,
} from './checkpoint/catalog/retention.js';
export { decodeVerifiedBlock } from './checkpoint/format/block-decoder.js';
export { ChecksummedChunk, knownCrc32 } from './checkpoint/format/checksummed-chunk.js';
export { crc32 } from './checkpoint/format/crc32.js';
export { crc32Combine } from './checkpoint/format/crc32-combine.js';
export { type RawEntry, SNAPSHOT_COMPRESSIONS } from './checkpoint/format/key-group-file-format.js';
export { KeyGroupFileReader } from './checkpoint/format/key-group-file-reader.js';
export {
  type KeyGroupFileSummary,
  KeyGroupFileWriter,
  type KeyGroupFileWriterOptions,
} from './checkpoint/format/key-group-file-writer.js';
export { bytesAsFile, type RandomAccessFile } from './checkpoint/format/random-access-file.js';
export {
  type CheckpointFile,
  type CheckpointMetadata,
  decodeCheckpointMetadata,
} from './checkpoint/metadata/checkpoint-metadata.js';
export type { CheckpointedState } from './checkpoint/metadata/checkpointed-state.js';
export { checkSourceMaxParallelism } from './checkpoint/restore/check-max-parallelism.js';
export type { KeyedStateSource, VerifiedBlock } from './checkpoint/restore/keyed-state-source.js';
export { RESTORE_MODES } from './checkpoint/restore/restore-options.js';
export {
  encodeRemoteSavepoint,
  type RemoteSavepointContent,
} from './checkpoint/savepoint/write-savepoint.js';
export type { KeyGroupEntryWriter } from './checkpoint/snapshot/state-snapshot-view.js';
export type {
  ByteRange,
  CommittedCheckpoint,
  FileContent,
  FileOrigin,
  FileScope,
  StoredFile,
  WriterLease,
  WrittenFile,
} from './checkpoint/storage/checkpoint-storage.js';
export { assertNotFenced, fencingClaim } from './checkpoint/storage/fencing.js';
export { ForwardingCheckpointStorage } from './checkpoint/storage/forwarding-checkpoint-storage.js';
export {
  checkpointDirectoryName,
  claimFileName,
  FENCING_DIRECTORY,
  metadataFileName,
  newDataFileLocation,
  parseCheckpointDirectoryName,
  parseClaimFileName,
  parseFileOrigin,
  parseMetadataFileName,
  SHARED_DIRECTORY,
} from './checkpoint/storage/object-names.js';
// Configuration
export {
  type AnyConfigOption,
  type ConfigType,
  ConfigTypes,
  type ParseResult,
} from './config/config-option.js';
export { parseDuration } from './config/duration.js';
export { suggestKey } from './config/edit-distance.js';
export type { ConfigurationRule, ConfigurationRuleContext } from './config/validation.js';
// Key groups
export { keyGroupHash } from './keygroup/key-group-assignment.js';
export { murmur3x86_32 } from './keygroup/murmur3.js';
// Metrics
export { HdrHistogram, type HdrHistogramOptions } from './metrics/hdr-histogram.js';
export type { SignificantDigits } from './metrics/histogram-accumulator.js';
export { ManualScheduler } from './metrics/manual-scheduler.js';
export type { HistogramIntervalReader } from './metrics/metric.js';
export { FILTER_ACCEPTS } from './metrics/metric-filter.js';
export type { MetricGroupView } from './metrics/metric-group.js';
export type { MetricConfig, MetricReporter, MetricReporterFactory } from './metrics/metric-reporter.js';
export {
  defaultReporterFactories,
  MetricReporterFactoryRegistry,
} from './metrics/reporter-factory-registry.js';
export {
  keyValueMapType,
  METRICS_REPORTER_PREFIX,
  type ReporterOptions,
  reporterOptions,
  semicolonListType,
} from './metrics/reporter-options.js';
export { reporterProperties } from './metrics/reporter-setup.js';
export { type ScheduledTask, type Scheduler, systemScheduler } from './metrics/scheduler.js';
export { ScopeVariables, variableName } from './metrics/scope.js';
export { SimpleCounter } from './metrics/simple-counter.js';
// Serializers
export { VoidNamespace } from './serialization/void-namespace-serializer.js';
// State descriptors and states
export { systemTimeProvider } from './state/ttl/time-provider.js';
export { type TtlValue, ttlValue } from './state/ttl/ttl-value.js';
