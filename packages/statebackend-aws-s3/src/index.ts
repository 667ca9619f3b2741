// Public surface of @statebackend/aws-s3; nothing is defined here.
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
export type { S3Encryption } from './storage/s3-requests.js';
