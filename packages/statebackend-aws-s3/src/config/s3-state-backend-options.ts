import { ConfigOptions } from '@statebackend/aws-base';
import {
  type AnyConfigOption,
  type ConfigurationRule,
  RESTORE_MODES,
  SNAPSHOT_COMPRESSIONS,
} from '@statebackend/aws-base/spi';
import {
  DEFAULT_ENTROPY_LENGTH,
  DEFAULT_PART_SIZE,
  DEFAULT_UPLOAD_CONCURRENCY,
  MIN_PART_SIZE,
} from '../storage/s3-checkpoint-storage-options.js';

const MIB = 1024 * 1024;
export const S3_OPTIONS_PREFIX = 'state.backend.s3.';
export const ENCRYPTION_TYPES = ['NONE', 'SSE-S3', 'SSE-KMS'] as const;
export type EncryptionType = (typeof ENCRYPTION_TYPES)[number];

/** Configuration options of the S3 state backend (`state.backend.type: s3`). */
export const S3StateBackendOptions = Object.freeze({
  BUCKET: ConfigOptions.key('state.backend.s3.bucket')
    .stringType()
    .check(
      (v) => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v),
      'an S3 bucket name: 3-63 lowercase letters, digits, "." and "-"',
    )
    .noDefaultValue()
    .withDescription('The S3 bucket checkpoints are written to. Required.'),
  PREFIX: ConfigOptions.key('state.backend.s3.prefix')
    .stringType()
    .check(
      (v) => /^[A-Za-z0-9!_.*'()/-]*$/.test(v) && !v.startsWith('/') && !v.includes('//'),
      'a key prefix of letters, digits and !_.*\'()/-, without a leading "/" or "//"',
    )
    .noDefaultValue()
    .withDescription(
      'Key prefix of every checkpoint (none by default); jobs and operators get their own levels below it.',
    ),
  RETAINED_CHECKPOINTS: ConfigOptions.key('state.backend.s3.retained-checkpoints')
    .intType()
    .min(1)
    .defaultValue(1)
    .withDescription('Complete checkpoints kept per key group; everything else is deleted from S3.'),
  INCREMENTAL: ConfigOptions.key('state.backend.s3.incremental')
    .booleanType()
    .defaultValue(true)
    .withDescription('Upload only what changed since the last checkpoint.'),
  PART_SIZE: ConfigOptions.key('state.backend.s3.upload.part-size')
    .intType()
    .min(MIN_PART_SIZE)
    .defaultValue(DEFAULT_PART_SIZE)
    .withDescription('Bytes per part of a multipart upload; at least 5 MiB.'),
  UPLOAD_CONCURRENCY: ConfigOptions.key('state.backend.s3.upload.concurrency')
    .intType()
    .check((n) => n >= 1 && n <= 64, 'an integer from 1 to 64')
    .defaultValue(DEFAULT_UPLOAD_CONCURRENCY)
    .withDescription('Parts of one file uploaded in parallel.'),
  RESTORE_CONCURRENCY: ConfigOptions.key('state.backend.s3.restore.concurrency')
    .intType()
    .check((n) => n >= 1 && n <= 64, 'an integer from 1 to 64')
    .defaultValue(8)
    .withDescription(
      'Files downloaded in parallel by an eager restore; ranged reads of key groups at once by a lazy one.',
    ),
  RESTORE_MODE: ConfigOptions.key('state.backend.s3.restore.mode')
    .enumType(RESTORE_MODES)
    .defaultValue('lazy')
    .withDescription(
      'lazy: a keyed backend is handed out once the commit records and file indexes are read, and key groups ' +
        'load behind it (a record waits only for its own; one that cannot be read fails its records and the next ' +
        'checkpoint). eager: it restores everything before it is handed out (a corrupt file fails the build).',
    ),
  FILE_SIZE: ConfigOptions.key('state.backend.s3.file-size')
    .intType()
    .min(1024)
    .defaultValue(64 * MIB)
    .withDescription('A data file ends after the key group that brings it to this many bytes.'),
  COMPRESSION: ConfigOptions.key('state.backend.s3.compression')
    .enumType(SNAPSHOT_COMPRESSIONS)
    .defaultValue('zstd')
    .withDescription(
      'How data files are compressed: zstd (frames that do not shrink are stored as they are) or none.',
    ),
  ENCRYPTION: ConfigOptions.key('state.backend.s3.encryption')
    .enumType(ENCRYPTION_TYPES, { AES256: 'SSE-S3', 'AWS:KMS': 'SSE-KMS' })
    .defaultValue('NONE')
    .withDescription(
      "Server-side encryption of every object: NONE (the bucket's default), SSE-S3 or SSE-KMS.",
    ),
  KMS_KEY_ID: ConfigOptions.key('state.backend.s3.encryption.kms-key-id')
    .stringType()
    .noDefaultValue()
    .withDescription('The KMS key (id, ARN or alias) for SSE-KMS; the account default key when unset.'),
  EXPECTED_BUCKET_OWNER: ConfigOptions.key('state.backend.s3.expected-bucket-owner')
    .stringType()
    .check((v) => /^\d{12}$/.test(v), 'a 12-digit AWS account id')
    .noDefaultValue()
    .withDescription('Every request fails unless the bucket belongs to this account.'),
  ENTROPY_KEY: ConfigOptions.key('state.backend.s3.entropy.key')
    .stringType()
    .check((v) => v !== '' && !v.includes('/'), 'a non-empty marker without "/", e.g. _entropy_')
    .noDefaultValue()
    .withDescription(
      'Marker in the prefix replaced by random characters in data-file keys (as Flink s3.entropy.key).',
    ),
  ENTROPY_LENGTH: ConfigOptions.key('state.backend.s3.entropy.length')
    .intType()
    .check((n) => n >= 1 && n <= 16, 'an integer from 1 to 16')
    .defaultValue(DEFAULT_ENTROPY_LENGTH)
    .withDescription('How many random characters replace the entropy marker.'),
  FORCE_PATH_STYLE: ConfigOptions.key('state.backend.s3.force-path-style')
    .booleanType()
    .defaultValue(false)
    .withDescription('Address the bucket in the path (needed by most S3 emulators).'),
});

/** Every option of the S3 backend. */
export function s3StateBackendOptions(): AnyConfigOption[] {
  return Object.values(S3StateBackendOptions) as AnyConfigOption[];
}

/** Checks across keys: a bucket is required, a KMS key needs SSE-KMS, the prefix must hold the entropy key. */
export const S3_CONFIGURATION_RULES: readonly ConfigurationRule[] = [
  (context) => context.require(S3StateBackendOptions.BUCKET, 'an S3 bucket name'),
  (context) => {
    const kms = context.value(S3StateBackendOptions.KMS_KEY_ID);
    if (kms !== undefined && context.value(S3StateBackendOptions.ENCRYPTION) !== 'SSE-KMS') {
      context.report({
        key: S3StateBackendOptions.ENCRYPTION.key,
        expected: `SSE-KMS, since ${S3StateBackendOptions.KMS_KEY_ID.key} is set`,
      });
    }
  },
  (context) => {
    const marker = context.value(S3StateBackendOptions.ENTROPY_KEY);
    const prefix = context.value(S3StateBackendOptions.PREFIX) ?? '';
    if (marker !== undefined && !prefix.includes(marker)) {
      context.report({
        key: S3StateBackendOptions.PREFIX.key,
        expected: `a prefix holding the entropy key '${marker}', e.g. 'state/${marker}/checkpoints'`,
      });
    }
  },
];
