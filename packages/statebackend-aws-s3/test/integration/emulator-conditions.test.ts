import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { cleanupAfterAll, describeEachTarget, uniqueName } from '@statebackend/testkit';
import { createBucket, s3ClientFor } from '../support/s3-bucket.js';

/**
 * What the target does with conditional writes. The storage's commit record is one PutObject
 * with `If-None-Match: *`, which every target honours; these tests record how far an emulator
 * can be trusted with the same conditions on CompleteMultipartUpload.
 */
async function completeUpload(
  s3: S3Client,
  bucket: string,
  key: string,
  condition: object,
): Promise<unknown> {
  const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const part = await s3.send(
    new UploadPartCommand({
      Bucket: bucket,
      Key: key,
      UploadId: created.UploadId,
      PartNumber: 1,
      Body: 'part',
    }),
  );
  return s3
    .send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: created.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        ...condition,
      }),
    )
    .then(
      () => 'completed',
      (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode,
    );
}

describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  const s3 = s3ClientFor(target, cleanup);
  let bucket: string;

  beforeAll(async () => {
    bucket = await createBucket(s3, target, cleanup, 's3-conditions');
  });

  it('refuses a PutObject with If-None-Match: * onto an existing key with 412', async () => {
    const key = uniqueName('put');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'a', IfNoneMatch: '*' }));
    const second = await s3
      .send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'b', IfNoneMatch: '*' }))
      .then(
        () => 'stored',
        (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode,
      );
    expect(second).toBe(412);
  });

  it('refuses a CompleteMultipartUpload with If-None-Match: * onto an existing key with 412', async () => {
    const key = uniqueName('complete');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'existing' }));
    expect(await completeUpload(s3, bucket, key, { IfNoneMatch: '*' })).toBe(412);
  });

  const ignoresIfMatch = target.name === 'moto';
  it(
    ignoresIfMatch
      ? 'EMULATOR GAP: moto ignores If-Match on CompleteMultipartUpload and completes despite a wrong ETag (S3 answers 412)'
      : 'refuses a CompleteMultipartUpload with If-Match on a wrong ETag with 412',
    async () => {
      const key = uniqueName('if-match');
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'existing' }));
      const outcome = await completeUpload(s3, bucket, key, {
        IfMatch: '"0123456789abcdef0123456789abcdef"',
      });
      expect(outcome).toBe(ignoresIfMatch ? 'completed' : 412);
    },
  );

  const ignoresOwner = target.name === 'moto' || target.name === 'ministack';
  it(
    ignoresOwner
      ? `EMULATOR GAP: ${target.name} ignores ExpectedBucketOwner and stores the object for a wrong account (S3 answers 403)`
      : 'refuses a request whose ExpectedBucketOwner is not the bucket owner with 403',
    async () => {
      const outcome = await s3
        .send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: uniqueName('owner'),
            Body: 'x',
            ExpectedBucketOwner: '111122223333',
          }),
        )
        .then(
          () => 'stored',
          (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode,
        );
      expect(outcome).toBe(ignoresOwner ? 'stored' : 403);
    },
  );
});
