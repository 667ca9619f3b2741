import { type BucketLocationConstraint, CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { TestTarget } from '../targets/test-targets.js';
import type { Cleanup } from './cleanup.js';
import { deleteBucketIfExists } from './delete-bucket.js';
import { uniqueName } from './unique-name.js';

/**
 * Creates a uniquely named bucket in `target`'s region (outside us-east-1 S3 wants the region as
 * its location constraint), and registers its removal, with everything in it, on `cleanup`.
 * Returns the bucket's name.
 *
 * @example
 * const cleanup = cleanupAfterAll();
 * const bucket = await createTestBucket(s3, target, cleanup, 'orders');
 */
export async function createTestBucket(
  s3: S3Client,
  target: Pick<TestTarget, 'region'>,
  cleanup: Cleanup,
  prefix: string,
): Promise<string> {
  const bucket = uniqueName(prefix);
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ...(target.region === 'us-east-1'
        ? {}
        : { CreateBucketConfiguration: { LocationConstraint: target.region as BucketLocationConstraint } }),
    }),
  );
  cleanup.add(`bucket ${bucket}`, () => deleteBucketIfExists(s3, bucket));
  return bucket;
}
