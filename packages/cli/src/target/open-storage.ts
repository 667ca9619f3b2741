import { AwsClientManager, type CheckpointStorage, LocalCheckpointStorage } from '@statebackend/aws-base';
import { UnsupportedLocationError } from '../errors.js';
import { type AwsSettings, awsConfiguration, awsKeysOnly } from './aws-settings.js';
import { lazyImport } from './lazy-import.js';
import type { JobScope, Location } from './location.js';

/** A checkpoint storage opened by the command, with what releases it (AWS clients). */
export interface OpenedStorage {
  readonly storage: CheckpointStorage;
  close(): Promise<void>;
}

/** What opening a location needs besides the location. */
export interface StorageContext {
  readonly aws: AwsSettings;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * The checkpoint storage of `scope` under `location`: a local directory, or S3 (the S3 package
 * and SDK are loaded only then). DynamoDB keeps its checkpoints as commit records of its own
 * store rather than in a checkpoint storage, so it is refused with a clear message.
 */
export async function openCheckpointStorage(
  location: Location,
  scope: JobScope,
  context: StorageContext,
): Promise<OpenedStorage> {
  if (location.kind === 'local') {
    const storage = new LocalCheckpointStorage({ directory: location.directory, ...scope });
    return { storage, close: async () => {} };
  }
  if (location.kind === 's3') {
    const sdk = await lazyImport(
      '@aws-sdk/client-s3',
      'An s3:// location',
      () => import('@aws-sdk/client-s3'),
    );
    const s3 = await lazyImport(
      '@statebackend/aws-s3',
      'An s3:// location',
      () => import('@statebackend/aws-s3'),
    );
    const configuration = awsConfiguration(context.aws, context.env);
    const clients = new AwsClientManager(awsKeysOnly(configuration));
    const pathStyle =
      configuration.contains('aws.endpoint') ||
      configuration.getString('state.backend.s3.force-path-style') === 'true';
    const client = clients.getOrCreate(sdk.S3Client, { clientConfig: { forcePathStyle: pathStyle } });
    const storage = new s3.S3CheckpointStorage({
      client,
      bucket: location.bucket,
      ...(location.prefix === '' ? {} : { prefix: location.prefix }),
      ...scope,
    });
    return { storage, close: async () => clients.close() };
  }
  throw new UnsupportedLocationError(
    location.text,
    'the DynamoDB backend keeps its checkpoints as commit records in its table, not in a checkpoint storage ' +
      'this command can read yet; use a local directory or s3://<bucket>/<prefix>',
  );
}
