import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { AwsClientManager, type CheckpointStorage, LocalCheckpointStorage } from '@statebackend/aws-base';
import { UnsupportedLocationError } from '../errors.js';
import { type AwsSettings, awsConfiguration, awsKeysOnly } from './aws-settings.js';
import { lazyImport } from './lazy-import.js';
import type { JobAtLocation, JobScope, Location } from './location.js';

/** A checkpoint storage opened by the command, with what releases it (AWS clients). */
export interface OpenedStorage {
  readonly storage: CheckpointStorage;
  /**
   * Every job under the location (the opened one included) with a claim or a commit record: the
   * `<job>/<operator>` levels below the directory or S3 prefix, each asked through its storage.
   */
  jobsHere(): Promise<JobAtLocation[]>;
  close(): Promise<void>;
}

/** The S3 SDK, loaded on first use. */
type S3Sdk = typeof import('@aws-sdk/client-s3');

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
    const open = (s: JobScope) => new LocalCheckpointStorage({ directory: location.directory, ...s });
    return {
      storage: open(scope),
      jobsHere: async () => jobsWithState(await localScopes(location.directory), open),
      close: async () => {},
    };
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
    const open = (s: JobScope) =>
      new s3.S3CheckpointStorage({
        client,
        bucket: location.bucket,
        ...(location.prefix === '' ? {} : { prefix: location.prefix }),
        ...s,
      });
    const children = (prefix: string) => s3ChildNames(sdk, client, location.bucket, prefix);
    return {
      storage: open(scope),
      jobsHere: async () => jobsWithState(await s3Scopes(children, location.prefix), open),
      close: async () => clients.close(),
    };
  }
  throw new UnsupportedLocationError(
    location.text,
    'the DynamoDB backend keeps its checkpoints as commit records in its table, not in a checkpoint storage ' +
      'this command can read yet; use a local directory or s3://<bucket>/<prefix>',
  );
}

/** The scopes among `scopes` whose storage holds a commit record or a claim. */
async function jobsWithState(
  scopes: readonly JobScope[],
  open: (scope: JobScope) => CheckpointStorage,
): Promise<JobAtLocation[]> {
  const found: JobAtLocation[] = [];
  for (const scope of scopes) {
    const storage = open(scope);
    // Commit records it cannot read are still commit records: the location is not empty.
    const checkpointed = await storage.listCommitted().then(
      (committed) => committed.length > 0,
      () => true,
    );
    if (checkpointed || (await storage.listClaims()).length > 0) {
      found.push({ name: `${scope.jobId}/${scope.operatorId}`, checkpointed });
    }
  }
  return found;
}

/** The `<job>/<operator>` directories of a local location. */
async function localScopes(root: string): Promise<JobScope[]> {
  const scopes: JobScope[] = [];
  for (const jobId of await subdirectories(root)) {
    for (const operatorId of await subdirectories(join(root, jobId))) scopes.push({ jobId, operatorId });
  }
  return scopes;
}

async function subdirectories(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

/** The `<job>/<operator>` levels below an S3 prefix. */
async function s3Scopes(
  children: (prefix: string) => Promise<string[]>,
  prefix: string,
): Promise<JobScope[]> {
  const base = prefix === '' ? '' : `${prefix}/`;
  const scopes: JobScope[] = [];
  for (const jobId of await children(base)) {
    for (const operatorId of await children(`${base}${jobId}/`)) scopes.push({ jobId, operatorId });
  }
  return scopes;
}

/** The names of the "folders" right below `prefix` (a ListObjectsV2 with `/` as the delimiter). */
async function s3ChildNames(sdk: S3Sdk, client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new sdk.ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        Delimiter: '/',
        ...(token === undefined ? {} : { ContinuationToken: token }),
      }),
    );
    for (const common of page.CommonPrefixes ?? []) {
      const name = common.Prefix?.slice(prefix.length).replace(/\/$/, '');
      if (name !== undefined && name !== '') names.push(name);
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return names;
}
