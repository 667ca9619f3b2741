import type { S3Client, ServerSideEncryption } from '@aws-sdk/client-s3';
import type { S3StorageMetrics } from '../metrics/s3-storage-metrics.js';

/** Server-side encryption of every object written. */
export type S3Encryption =
  | { readonly type: 'SSE-S3' }
  | { readonly type: 'SSE-KMS'; readonly kmsKeyId?: string };

/** The parameters of every request that writes an object. */
export function encryptionParams(encryption: S3Encryption | undefined): {
  ServerSideEncryption?: ServerSideEncryption;
  SSEKMSKeyId?: string;
} {
  if (encryption === undefined) return {};
  if (encryption.type === 'SSE-S3') return { ServerSideEncryption: 'AES256' };
  return {
    ServerSideEncryption: 'aws:kms',
    ...(encryption.kmsKeyId === undefined ? {} : { SSEKMSKeyId: encryption.kmsKeyId }),
  };
}

/** The parameter of every request: S3 refuses it (403) when the bucket belongs to another account. */
export function ownerParams(expectedBucketOwner: string | undefined): { ExpectedBucketOwner?: string } {
  return expectedBucketOwner === undefined ? {} : { ExpectedBucketOwner: expectedBucketOwner };
}

/**
 * `client` as lib-storage's `Upload` is handed it: the same client (its config, middleware and
 * connections), whose `send` also counts each request and the SDK's retries of it, so that the
 * requests of a multipart upload show in the metrics one by one.
 */
export function countingClient(client: S3Client, metrics: S3StorageMetrics): S3Client {
  return Object.create(client, {
    send: {
      value: async (command: Parameters<S3Client['send']>[0]) => {
        try {
          const result: unknown = await client.send(command);
          metrics.recordAttempts(result);
          return result;
        } catch (error) {
          metrics.recordAttempts(error);
          throw error;
        }
      },
    },
  });
}
