import {
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { AwsClientManager } from '@statebackend/aws-base';
import { type Cleanup, createTestBucket, type TestTarget } from '@statebackend/testkit';

/** An S3 client for `target`, destroyed by `cleanup`. */
export function s3ClientFor(
  target: TestTarget,
  cleanup: Cleanup,
  clientConfig: S3ClientConfig = {},
): S3Client {
  const clients = new AwsClientManager(target.configuration(), { userAgentSuffix: 'statebackend-aws-s3-it' });
  cleanup.add('AWS clients', () => clients.close());
  return clients.getOrCreate(S3Client, {
    clientConfig: { forcePathStyle: target.s3ForcePathStyle, ...clientConfig },
  });
}

/** Creates a uniquely named bucket, removed with everything in it by `cleanup`. */
export function createBucket(
  s3: S3Client,
  target: TestTarget,
  cleanup: Cleanup,
  prefix = 's3-backend',
): Promise<string> {
  return createTestBucket(s3, target, cleanup, prefix);
}

/** Every key in the bucket (below `prefix`), sorted. */
export async function listKeys(s3: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }),
    );
    for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
    ContinuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (ContinuationToken !== undefined);
  return keys.sort();
}

/** Keys of multipart uploads still open in the bucket. */
export async function openUploads(s3: S3Client, bucket: string): Promise<string[]> {
  const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (listed.Uploads ?? []).map((u) => u.Key ?? '').sort();
}

/** Deletes every object below `prefix`, so that a bucket of many tries stays small. */
export async function removeObjects(s3: S3Client, bucket: string, prefix: string): Promise<void> {
  const keys = await listKeys(s3, bucket, prefix);
  for (let i = 0; i < keys.length; i += 1000) {
    const Objects = keys.slice(i, i + 1000).map((Key) => ({ Key }));
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects, Quiet: true } }));
  }
}
