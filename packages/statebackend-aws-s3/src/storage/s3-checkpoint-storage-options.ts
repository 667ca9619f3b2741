import type { S3Client } from '@aws-sdk/client-s3';
import {
  ConfigurationError,
  type ConfigurationIssue,
  type Logger,
  type MetricGroup,
} from '@statebackend/aws-base';
import type { S3Encryption } from './s3-request-params.js';

/** Options of {@link S3CheckpointStorage}. */
export interface S3CheckpointStorageOptions {
  /** The S3 client. The storage never destroys it: its creator does. */
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix of every checkpoint, e.g. `flink/checkpoints`; may hold the entropy marker. Default none. */
  readonly prefix?: string;
  /** The job; one key segment. Letters, digits, `.`, `_` and `-`. */
  readonly jobId: string;
  /** The operator within the job; one key segment below the job. */
  readonly operatorId: string;
  /**
   * Size of each part of a multipart upload, at least 5 MiB (S3's minimum). Default 8 MiB. A data
   * file being encoded is sent in parts of whole chunks, each at least this size but the last.
   */
  readonly partSize?: number;
  /** Parts of one file uploaded in parallel. Default 4. */
  readonly uploadConcurrency?: number;
  /**
   * The marker in `prefix` replaced by random characters in data-file keys (never in commit
   * records or claims), e.g. `_entropy_`. Default none (no entropy).
   */
  readonly entropyMarker?: string;
  /** How many random characters replace the marker, 1 to 16. Default 4. */
  readonly entropyLength?: number;
  /** Server-side encryption of every object written. Default: the bucket's default encryption. */
  readonly encryption?: S3Encryption;
  /** The account id the bucket must belong to; every request fails with 403 otherwise. */
  readonly expectedBucketOwner?: string;
  /** Where the storage counts bytes, files, requests and retries. */
  readonly metricGroup?: MetricGroup;
  readonly logger?: Logger;
}

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
export const DEFAULT_UPLOAD_CONCURRENCY = 4;
export const DEFAULT_ENTROPY_LENGTH = 4;

const SAFE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX = /^[A-Za-z0-9!_.*'()/-]*$/;
const ACCOUNT = /^\d{12}$/;

/** Every problem of `options`, each naming the option, the value received and what it accepts. */
export function findStorageOptionIssues(
  options: Omit<S3CheckpointStorageOptions, 'client'>,
): ConfigurationIssue[] {
  const issues: ConfigurationIssue[] = [];
  const add = (key: string, received: unknown, expected: string): void => {
    issues.push({ key, received: JSON.stringify(received) ?? String(received), expected });
  };
  if (typeof options.bucket !== 'string' || !BUCKET.test(options.bucket)) {
    add('bucket', options.bucket, 'an S3 bucket name: 3-63 lowercase letters, digits, "." and "-"');
  }
  for (const key of ['jobId', 'operatorId'] as const) {
    if (typeof options[key] !== 'string' || !SAFE_SEGMENT.test(options[key])) {
      add(key, options[key], 'letters, digits, ".", "_" and "-", not starting with "." or "-"');
    }
  }
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix) || prefix.startsWith('/') || prefix.includes('//')) {
    add(
      'prefix',
      options.prefix,
      'a key prefix of letters, digits and !_.*\'()/-, without a leading "/" or "//"',
    );
  }
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE) {
    add(
      'partSize',
      options.partSize,
      `an integer number of bytes of at least ${MIN_PART_SIZE} (5 MiB, S3's minimum part)`,
    );
  }
  const concurrency = options.uploadConcurrency ?? DEFAULT_UPLOAD_CONCURRENCY;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    add('uploadConcurrency', options.uploadConcurrency, 'an integer from 1 to 64');
  }
  const length = options.entropyLength ?? DEFAULT_ENTROPY_LENGTH;
  if (!Number.isSafeInteger(length) || length < 1 || length > 16) {
    add('entropyLength', options.entropyLength, 'an integer from 1 to 16');
  }
  const marker = options.entropyMarker;
  if (marker !== undefined) {
    if (typeof marker !== 'string' || marker === '' || marker.includes('/')) {
      add('entropyMarker', marker, 'a non-empty marker without "/", e.g. "_entropy_"');
    } else if (typeof prefix === 'string' && !prefix.includes(marker)) {
      add(
        'prefix',
        prefix,
        `a prefix holding the entropy marker "${marker}", e.g. "state/${marker}/checkpoints"`,
      );
    }
  }
  const encryption = options.encryption;
  if (encryption !== undefined && encryption.type !== 'SSE-S3' && encryption.type !== 'SSE-KMS') {
    add('encryption.type', (encryption as { type?: unknown }).type, 'SSE-S3 or SSE-KMS');
  }
  if (options.expectedBucketOwner !== undefined && !ACCOUNT.test(options.expectedBucketOwner)) {
    add('expectedBucketOwner', options.expectedBucketOwner, 'a 12-digit AWS account id');
  }
  return issues;
}

/** Throws a {@link ConfigurationError} listing every problem of `options`. */
export function validateStorageOptions(options: Omit<S3CheckpointStorageOptions, 'client'>): void {
  const issues = findStorageOptionIssues(options);
  if (issues.length > 0) throw new ConfigurationError(issues);
}
