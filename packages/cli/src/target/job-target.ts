import { UsageError } from '../errors.js';
import type { AwsSettings } from './aws-settings.js';
import { awsConfiguration } from './aws-settings.js';
import { type Location, parseLocation } from './location.js';

/** The backends `--backend` names. */
export type BackendKind = 'heap' | 's3' | 'dynamodb';

/** What a job runs on: the backend and where its checkpoints go. */
export interface JobTarget {
  readonly backend: BackendKind;
  readonly location: Location;
}

const KIND_OF_LOCATION = { local: 'heap', s3: 's3', dynamodb: 'dynamodb' } as const;

/**
 * Resolves `--backend`, `--location` and `--dir` to one target. Without `--backend`, the backend
 * is `state.backend.type` of `--config` or the environment (`STATEBACKEND_STATE_BACKEND_TYPE`),
 * as the libraries read it; without a location, the heap backend uses `defaultDirectory`, S3 reads
 * `state.backend.s3.bucket` (and `.prefix`) and DynamoDB `state.backend.dynamodb.table-name`.
 */
export function resolveJobTarget(
  values: { backend?: string | undefined; location?: string | undefined; dir?: string | undefined },
  defaultDirectory: string,
  aws: AwsSettings,
  io: { readonly cwd: string; readonly env: Readonly<Record<string, string | undefined>> },
  command: string,
): JobTarget {
  const configured =
    values.backend === undefined && values.location === undefined && values.dir === undefined
      ? awsConfiguration(aws, io.env).getString('state.backend.type')?.trim().toLowerCase()
      : undefined;
  const backend = values.backend ?? configured;
  if (backend !== undefined && backend !== 'heap' && backend !== 's3' && backend !== 'dynamodb') {
    const source = values.backend === undefined ? 'state.backend.type' : '--backend';
    throw new UsageError(`${source} must be heap, s3 or dynamodb, not '${backend}'`, command);
  }
  if (values.location !== undefined && values.dir !== undefined) {
    throw new UsageError('give --location or --dir, not both', command);
  }
  let text = values.location ?? values.dir;
  if (text === undefined) {
    if (backend === undefined || backend === 'heap') text = defaultDirectory;
    else text = locationFromConfig(backend, aws, io.env, command);
  }
  const location = parseLocation(text, io.cwd);
  const kind = KIND_OF_LOCATION[location.kind];
  if (backend !== undefined && backend !== kind) {
    throw new UsageError(
      `--backend ${backend} does not keep its checkpoints in ${location.text}: ` +
        (backend === 'heap' ? 'give a local directory' : `give a ${backend}:// location`),
      command,
    );
  }
  return { backend: kind, location };
}

function locationFromConfig(
  backend: 's3' | 'dynamodb',
  aws: AwsSettings,
  env: Readonly<Record<string, string | undefined>>,
  command: string,
): string {
  const configuration = awsConfiguration(aws, env);
  if (backend === 's3') {
    const bucket = configuration.getString('state.backend.s3.bucket');
    if (bucket === undefined) {
      throw new UsageError(
        '--backend s3 needs --location s3://<bucket>[/<prefix>] or state.backend.s3.bucket in --config',
        command,
      );
    }
    const prefix = configuration.getString('state.backend.s3.prefix') ?? '';
    return `s3://${bucket}${prefix === '' ? '' : `/${prefix}`}`;
  }
  // `table-name` is the backend's own key; `table` was read here before and still is.
  const table =
    configuration.getString('state.backend.dynamodb.table-name') ??
    configuration.getString('state.backend.dynamodb.table');
  if (table === undefined) {
    throw new UsageError(
      '--backend dynamodb needs --location dynamodb://<table> or state.backend.dynamodb.table-name in --config',
      command,
    );
  }
  return `dynamodb://${table}`;
}
