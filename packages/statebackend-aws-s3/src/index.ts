// Public surface of @statebackend/aws-s3; nothing is defined here.
export { ParallelRestoreStorage } from './backend/parallel-restore-storage.js';
export {
  type S3CheckpointSettings,
  type S3ClientOption,
  type S3KeyedBackendOptions,
  type S3LocationOptions,
  S3StateBackend,
  type S3StateBackendOptions,
} from './backend/s3-state-backend.js';
export {
  registerS3StateBackend,
  s3BackendOptionsFrom,
  S3StateBackendFactory,
} from './config/s3-state-backend-factory.js';
export {
  ENCRYPTION_TYPES,
  type EncryptionType,
  S3_CONFIGURATION_RULES,
  S3_OPTIONS_PREFIX,
  S3StateBackendOptions as S3ConfigOptions,
  s3StateBackendOptions,
} from './config/s3-state-backend-options.js';
export { ClaimContentionError, S3RequestError } from './errors.js';
export { S3StorageMetrics } from './metrics/s3-storage-metrics.js';
export { S3CheckpointStorage } from './storage/s3-checkpoint-storage.js';
export {
  DEFAULT_ENTROPY_LENGTH,
  DEFAULT_PART_SIZE,
  DEFAULT_UPLOAD_CONCURRENCY,
  findStorageOptionIssues,
  MIN_PART_SIZE,
  type S3CheckpointStorageOptions,
  validateStorageOptions,
} from './storage/s3-checkpoint-storage-options.js';
export { type EntropySettings, S3Layout } from './storage/s3-layout.js';
export type { S3Encryption } from './storage/s3-request-params.js';
