import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { cleanupAfterAll, createTestBucket, describeEachTarget } from '@statebackend/testkit';
import { AwsClientManager } from '../../src/index.js';

describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  const clients = new AwsClientManager(target.configuration(), {
    userAgentSuffix: 'statebackend-aws-base-it',
  });
  cleanup.add('AWS clients', () => clients.close());

  it(`puts an object and gets the same bytes back on ${target.name}`, async () => {
    const s3 = clients.getOrCreate(S3Client, { clientConfig: { forcePathStyle: target.s3ForcePathStyle } });
    const bucket = await createTestBucket(s3, target, cleanup, 'aws-base-objects');

    const body = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'chk-1/_metadata', Body: body, IfNoneMatch: '*' }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'chk-1/_metadata' }));

    expect(got.ContentLength).toBe(body.length);
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? [])).toEqual(body);
  });
});
