import {
  AwsClientManager,
  type CheckpointingKeyedStateBackend,
  type KeyedStateBackendParameters,
  KeyGroupRange,
  type MetricGroup,
  Serializers,
  type StateRegistration,
  type TtlTimeProvider,
} from '@statebackend/aws-base';
import { type AwsSettings, awsConfiguration, awsKeysOnly } from './aws-settings.js';
import { buildJobBackend, EXAMPLE_MAX_PARALLELISM } from './job-backend.js';
import type { JobTarget } from './job-target.js';
import { lazyImport } from './lazy-import.js';
import type { JobScope, Location } from './location.js';
import { openCheckpointStorage } from './open-storage.js';

/** What a job's keyed backend is created with, once the driver asks for it. */
export interface JobBackendRequest {
  readonly clock: TtlTimeProvider;
  readonly states: readonly StateRegistration[];
  readonly metricGroup?: MetricGroup;
}

/** Creates the keyed backend of a job on its target, restored from the latest checkpoint there. */
export interface JobBackendSource {
  /** Where the checkpoints are, e.g. `file:///work/.statebackend/click-example/sessions`. */
  readonly description: string;
  create(request: JobBackendRequest): Promise<CheckpointingKeyedStateBackend<string>>;
  /** Releases the AWS clients. */
  close(): Promise<void>;
}

/**
 * The backend of `target`: heap working state with checkpoints in a local directory or S3, or
 * DynamoDB (its package and SDK are loaded only then).
 */
export async function openJobBackendSource(
  target: JobTarget,
  scope: JobScope,
  context: { readonly aws: AwsSettings; readonly env: Readonly<Record<string, string | undefined>> },
  checkpointId?: number,
): Promise<JobBackendSource> {
  const location = target.location;
  // A named checkpoint (a rollback) or the latest one.
  const restoreFrom = checkpointId === undefined ? ('latest' as const) : { checkpointId };
  if (location.kind === 's3') return openS3JobBackendSource(location, scope, context, restoreFrom);
  if (location.kind === 'local') {
    const opened = await openCheckpointStorage(location, scope, context);
    return {
      description: opened.storage.location,
      create: ({ clock, states, metricGroup }) =>
        buildJobBackend({
          scope,
          storage: opened.storage,
          restoreFrom,
          clock,
          states,
          ...(metricGroup === undefined ? {} : { metricGroup }),
        }),
      close: () => opened.close(),
    };
  }
  const dynamodb = await lazyImport(
    '@statebackend/aws-dynamodb',
    '--backend dynamodb',
    () => import('@statebackend/aws-dynamodb'),
  );
  const configuration = awsKeysOnly(awsConfiguration(context.aws, context.env));
  const clients = new AwsClientManager(configuration);
  const stateBackend = new dynamodb.DynamoDbStateBackend(configuration, {
    clients,
    table: { tableName: location.table },
    // As the heap and S3 backends here: the checkpoint before the newest stays restorable too.
    retainedCheckpoints: 2,
  });
  return {
    description: `dynamodb://${location.table}/${scope.jobId}/${scope.operatorId}`,
    create: async ({ clock, states, metricGroup }) => {
      // The newest complete checkpoint (the first run of a job has none and starts empty), or the
      // one named: a rollback, which keeps the newer ones until this run commits a checkpoint.
      const keyed = await stateBackend.restoreKeyedStateBackend(
        exampleParameters(scope, clock, metricGroup),
        checkpointId === undefined ? { kind: 'latest-or-empty' } : { kind: 'checkpoint', checkpointId },
      );
      for (const { descriptor, namespaceSerializer } of states)
        keyed.registerState(descriptor, namespaceSerializer);
      return keyed;
    },
    close: async () => {
      await stateBackend.close();
      clients.close();
    },
  };
}

/**
 * The S3 backend of `@statebackend/aws-s3`: heap working state, incremental checkpoints in S3
 * restored with parallel downloads. Its storage metrics go to the job's metric group.
 */
async function openS3JobBackendSource(
  location: Extract<Location, { kind: 's3' }>,
  scope: JobScope,
  context: { readonly aws: AwsSettings; readonly env: Readonly<Record<string, string | undefined>> },
  restoreFrom: 'latest' | { readonly checkpointId: number },
): Promise<JobBackendSource> {
  const s3 = await lazyImport('@statebackend/aws-s3', '--backend s3', () => import('@statebackend/aws-s3'));
  const configuration = awsConfiguration(context.aws, context.env);
  const awsOnly = awsKeysOnly(configuration);
  const clients = new AwsClientManager(awsOnly);
  const forcePathStyle =
    configuration.contains('aws.endpoint') ||
    configuration.getString('state.backend.s3.force-path-style') === 'true';
  let stateBackend: InstanceType<typeof s3.S3StateBackend> | undefined;
  const backendFor = (metricGroup: MetricGroup | undefined) => {
    stateBackend ??= new s3.S3StateBackend(awsOnly, {
      clients,
      clientConfig: { forcePathStyle },
      location: { bucket: location.bucket, ...(location.prefix === '' ? {} : { prefix: location.prefix }) },
      retainedCheckpoints: 2,
      ...(metricGroup === undefined ? {} : { metricGroup: metricGroup.addGroup('s3') }),
    });
    return stateBackend;
  };
  const prefix = location.prefix === '' ? '' : `/${location.prefix}`;
  return {
    description: `s3://${location.bucket}${prefix}/${scope.jobId}/${scope.operatorId}`,
    create: ({ clock, states, metricGroup }) =>
      backendFor(metricGroup).createKeyedStateBackend(exampleParameters(scope, clock, metricGroup), {
        restoreFrom,
        states,
      }),
    close: async () => {
      await stateBackend?.close();
      clients.close();
    },
  };
}

/** The example's keyed-backend parameters: one operator instance owning every key group, string keys. */
function exampleParameters(
  scope: JobScope,
  clock: TtlTimeProvider,
  metricGroup: MetricGroup | undefined,
): KeyedStateBackendParameters<string> {
  return {
    ...scope,
    keyGroupRange: KeyGroupRange.of(0, EXAMPLE_MAX_PARALLELISM - 1),
    maxParallelism: EXAMPLE_MAX_PARALLELISM,
    keySerializer: Serializers.string,
    clock,
    ...(metricGroup === undefined ? {} : { metricGroup }),
  };
}
