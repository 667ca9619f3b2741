// Pins the two entry points of the package: the root (what a job author uses) and `./spi` (what
// a backend, checkpoint-storage or metrics-reporter author needs besides). A name added to or
// removed from either is a change of the public API: update the list here in the same commit,
// and say in the changeset what users notice (docs/decisions.md, "Entry points by audience").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import * as rootModule from '../../src/index.js';
import * as spiModule from '../../src/spi.js';

const ROOT = [
  'AggregateFunction',
  'AggregatingState',
  'AggregatingStateDescriptor',
  'AppendingState',
  'AwsClientConfig',
  'AwsClientManager',
  'AwsClientManagerOptions',
  'AwsConfigOptions',
  'AwsCredentials',
  'AwsCredentialsProvider',
  'AwsCredentialsSource',
  'BaseSerializer',
  'BuildAwsClientConfigOptions',
  'CheckpointAlreadyExistsError',
  'CheckpointCadence',
  'CheckpointChangedError',
  'CheckpointConfigOptions',
  'CheckpointIdTooLowError',
  'CheckpointNotFoundError',
  'CheckpointSource',
  'CheckpointStatus',
  'CheckpointStorage',
  'CheckpointStorageError',
  'CheckpointSummary',
  'CheckpointingHeapBackendBuilder',
  'CheckpointingHeapKeyedStateBackend',
  'CheckpointingKeyedStateBackend',
  'CheckpointingOptions',
  'CheckpointingStateBackend',
  'ClientManagerClosedError',
  'CompletedCheckpoint',
  'CompressionUnavailableError',
  'ConfigOption',
  'ConfigOptions',
  'Configuration',
  'ConfigurationError',
  'ConfigurationIssue',
  'ConsoleLikeReporter',
  'ConsoleLikeReporterOptions',
  'CorruptCheckpointError',
  'CorruptSavepointError',
  'Counter',
  'DeserializationError',
  'DriverBackendContext',
  'DriverCheckpoint',
  'DriverResult',
  'DriverStart',
  'EncodedSavepoint',
  'EventTimeOptions',
  'FencedError',
  'Gauge',
  'HeapStateBackend',
  'HeapStateBackendFactory',
  'HeapStateBackendOptions',
  'Histogram',
  'HistogramStatistics',
  'IncompatibleSerializerError',
  'IncrementalCleanupStrategy',
  'IncrementalSnapshotOptions',
  'InvalidBackendParameterError',
  'InvalidStateDescriptorError',
  'InvalidTtlError',
  'JsonObject',
  'JsonValue',
  'KeyGroupArgumentError',
  'KeyGroupOutOfRangeError',
  'KeyGroupRange',
  'KeySerializationError',
  'KeyedContext',
  'KeyedStateBackend',
  'KeyedStateBackendParameters',
  'ListState',
  'ListStateDescriptor',
  'LocalCheckpointSettings',
  'LocalCheckpointStorage',
  'LocalCheckpointStorageOptions',
  'Logger',
  'MapState',
  'MapStateDescriptor',
  'MergingNamespacedState',
  'MergingState',
  'Meter',
  'Metric',
  'MetricFilter',
  'MetricFilterPatterns',
  'MetricGroup',
  'MetricReading',
  'MetricRegistry',
  'MetricRegistryConfigurationOptions',
  'MetricRegistryOptions',
  'MetricScope',
  'MetricSettingError',
  'MetricType',
  'MetricValue',
  'MsgpackSerializerOptions',
  'NamespacedState',
  'NamespacedStateOf',
  'NotACheckpointError',
  'OpenCheckpointOptions',
  'ProcessContext',
  'ProcessorDriver',
  'ProcessorDriverError',
  'ProcessorDriverOptions',
  'RecordProcessingError',
  'ReduceFunction',
  'ReducingState',
  'ReducingStateDescriptor',
  'RegisteredMetric',
  'ReporterSettings',
  'ResolveCredentialsOptions',
  'RestoreMode',
  'RestoreOptions',
  'RestoreSource',
  'RestoredCheckpointInfo',
  'RestoredUserMetadata',
  'SavepointOptions',
  'SavepointSource',
  'SerializationError',
  'SerializerCompatibility',
  'SerializerFactory',
  'SerializerRegistry',
  'SerializerRole',
  'SerializerSnapshot',
  'Serializers',
  'SnapshotAbortedError',
  'SnapshotCompression',
  'State',
  'StateBackend',
  'StateBackendContext',
  'StateBackendDisposedError',
  'StateBackendError',
  'StateBackendOptions',
  'StateDescriptor',
  'StateKind',
  'StateLimits',
  'StateMigrationError',
  'StateNotRegisteredError',
  'StateRegistration',
  'StateRegistrationError',
  'StateSerializationError',
  'StateTtlConfig',
  'StateTtlSettings',
  'StateValueTooLargeError',
  'StateVisibility',
  'TimeDomain',
  'Timer',
  'TimerService',
  'TtlTimeProvider',
  'TypeSerializer',
  'UnknownSerializerError',
  'UnsupportedCheckpointVersionError',
  'UpdateType',
  'ValidateConfigurationOptions',
  'ValueState',
  'ValueStateDescriptor',
  'assignKeyToParallelOperator',
  'assignToKeyGroup',
  'buildAwsClientConfig',
  'checkSerializerCompatibility',
  'computeDefaultMaxParallelism',
  'computeKeyGroupRangeForOperatorIndex',
  'computeOperatorIndexForKeyGroup',
  'createMetricFilter',
  'createStateBackend',
  'defaultStateBackendRegistry',
  'envVarName',
  'findConfigurationIssues',
  'inspectCheckpoints',
  'listCheckpoints',
  'noopLogger',
  'openCheckpoint',
  'resolveCredentials',
  'staticCredentials',
  'validateConfiguration',
];

const SPI = [
  'AbstractAwsKeyedStateBackendBuilder',
  'AbstractAwsStateBackend',
  'AbstractAwsStateBackendFactory',
  'AnyConfigOption',
  'AwsKeyedStateBackendBase',
  'AwsStateBackendOptions',
  'ByteRange',
  'CheckpointFile',
  'CheckpointMetadata',
  'CheckpointSelection',
  'CheckpointedState',
  'ChecksummedChunk',
  'ClientSource',
  'CommittedCheckpoint',
  'ConfigType',
  'ConfigTypes',
  'ConfigurationRule',
  'ConfigurationRuleContext',
  'CredentialProvidersModule',
  'FENCING_DIRECTORY',
  'FILTER_ACCEPTS',
  'FileContent',
  'FileOrigin',
  'FileScope',
  'ForwardingCheckpointStorage',
  'HdrHistogram',
  'HdrHistogramOptions',
  'HistogramIntervalReader',
  'KeyGroupEntryWriter',
  'KeyGroupFileReader',
  'KeyGroupFileSummary',
  'KeyGroupFileWriter',
  'KeyGroupFileWriterOptions',
  'KeyedStateSource',
  'KeyedStateStore',
  'METRICS_REPORTER_PREFIX',
  'ManualScheduler',
  'MaybePromise',
  'MetricConfig',
  'MetricGroupView',
  'MetricReporter',
  'MetricReporterFactory',
  'MetricReporterFactoryRegistry',
  'ParseResult',
  'RESTORE_MODES',
  'RandomAccessFile',
  'RawEntry',
  'RegisteredKeyedState',
  'RemoteSavepointContent',
  'ReporterOptions',
  'RetentionOptions',
  'RetentionResult',
  'SHARED_DIRECTORY',
  'SNAPSHOT_COMPRESSIONS',
  'ScheduledTask',
  'Scheduler',
  'ScopeVariables',
  'SelectedPart',
  'SerializedRef',
  'SignificantDigits',
  'SimpleCounter',
  'StateBackendFactory',
  'StateBackendRegistry',
  'StateCell',
  'StoredFile',
  'StoredMapEntry',
  'StsClientSettings',
  'TtlValue',
  'VALUE_ROLE',
  'ValidateAwsConfigurationOptions',
  'VerifiedBlock',
  'VoidNamespace',
  'WithClient',
  'WithConfig',
  'WriterLease',
  'WrittenFile',
  'applyRetention',
  'assertNotFenced',
  'awsCredentialProviders',
  'bytesAsFile',
  'bytesToId',
  'checkRestoredState',
  'checkSourceMaxParallelism',
  'checkpointDirectoryName',
  'checkpointedStateOf',
  'claimFileName',
  'crc32',
  'crc32Combine',
  'decodeCheckpointMetadata',
  'decodeVerifiedBlock',
  'defaultReporterFactories',
  'encodeRemoteSavepoint',
  'fencingClaim',
  'findLatestCompleteCheckpoint',
  'keyGroupHash',
  'keyValueMapType',
  'knownCrc32',
  'loadCheckpoint',
  'metadataFileName',
  'murmur3x86_32',
  'newDataFileLocation',
  'parseCheckpointDirectoryName',
  'parseClaimFileName',
  'parseDuration',
  'parseFileOrigin',
  'parseMetadataFileName',
  'reporterOptions',
  'reporterProperties',
  'semicolonListType',
  'suggestKey',
  'systemScheduler',
  'systemTimeProvider',
  'ttlValue',
  'validateAwsConfiguration',
  'variableName',
];

interface EntryPoint {
  /** Every name exported, types included, sorted. */
  readonly names: readonly string[];
  /** The names that exist at run time (not type-only), sorted. */
  readonly values: readonly string[];
  /** Statements that are not a named re-export (an entry point defines nothing). */
  readonly other: readonly string[];
}

function readEntryPoint(file: string): EntryPoint {
  const path = join(__dirname, '..', '..', 'src', file);
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest);
  const names: string[] = [];
  const values: string[] = [];
  const other: string[] = [];
  for (const statement of source.statements) {
    const clause = ts.isExportDeclaration(statement) ? statement.exportClause : undefined;
    if (!ts.isExportDeclaration(statement) || clause === undefined || !ts.isNamedExports(clause)) {
      other.push(statement.getText(source));
      continue;
    }
    for (const element of clause.elements) {
      names.push(element.name.text);
      if (!statement.isTypeOnly && !element.isTypeOnly) values.push(element.name.text);
    }
  }
  return { names: names.sort(), values: values.sort(), other };
}

const sorted = (names: Iterable<string>): string[] => [...names].sort();

describe('entry points', () => {
  const root = readEntryPoint('index.ts');
  const spi = readEntryPoint('spi.ts');

  it(`the root exports the ${ROOT.length} names a job author uses`, () => {
    expect(root.names).toEqual(sorted(ROOT));
  });

  it(`./spi exports the ${SPI.length} names a backend, storage or reporter author needs besides`, () => {
    expect(spi.names).toEqual(sorted(SPI));
  });

  it('no name is exported from both', () => {
    expect(root.names.filter((name) => spi.names.includes(name))).toEqual([]);
  });

  it('both only re-export named symbols', () => {
    expect(root.other).toEqual([]);
    expect(spi.other).toEqual([]);
  });

  it('what exists at run time is what the files export as values', () => {
    expect(sorted(Object.keys(rootModule))).toEqual(root.values);
    expect(sorted(Object.keys(spiModule))).toEqual(spi.values);
  });
});
