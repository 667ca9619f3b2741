import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  HeadBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { AwsClientManager } from '@statebackend/aws-base';
import {
  Cleanup,
  cleanupAfterAll,
  createTestBucket,
  deleteBucketIfExists,
  deleteTableIfExists,
  describeEachTarget,
  encodeTargets,
  TestTargetError,
  testTargets,
  uniqueName,
} from '../../src/index.js';

describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  const clients = new AwsClientManager(target.configuration());
  cleanup.add('clients', () => clients.close());

  it('deleteBucketIfExists removes a versioned bucket with objects, delete markers and an open upload', async () => {
    const s3 = clients.getOrCreate(S3Client, { clientConfig: { forcePathStyle: target.s3ForcePathStyle } });
    const bucket = uniqueName('testkit-cleanup');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    cleanup.add(`bucket ${bucket}`, () => deleteBucketIfExists(s3, bucket));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    for (const key of ['a', 'a', 'b/c'])
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'b/c' }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'big' }));

    await deleteBucketIfExists(s3, bucket);

    await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
    await expect(deleteBucketIfExists(s3, bucket)).resolves.toBeUndefined();
  });

  it('createTestBucket creates a uniquely named bucket in the target region, removed with its objects by the cleanup', async () => {
    const s3 = clients.getOrCreate(S3Client, { clientConfig: { forcePathStyle: target.s3ForcePathStyle } });
    const own = new Cleanup();
    cleanup.add('createTestBucket cleanup', () => own.run());

    const bucket = await createTestBucket(s3, target, own, 'testkit-create');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/b', Body: 'x' }));

    expect(bucket).toMatch(/^testkit-create-/);
    expect(own.size).toBe(1);
    await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).resolves.toBeDefined();
    await own.run();
    await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });
});

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const clients = new AwsClientManager(target.configuration());
  cleanup.add('clients', () => clients.close());

  it(`is named after its target, ${target.name}`, () => {
    expect(expect.getState().currentTestName).toMatch(new RegExp(`^${target.name} `));
  });

  it('deleteTableIfExists removes a table and accepts one that is already gone', async () => {
    const dynamo = clients.getOrCreate(DynamoDBClient);
    const table = uniqueName('testkit-cleanup');
    await dynamo.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    cleanup.add(`table ${table}`, () => deleteTableIfExists(dynamo, table));

    await deleteTableIfExists(dynamo, table);

    await expect(dynamo.send(new DescribeTableCommand({ TableName: table }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(deleteTableIfExists(dynamo, table)).resolves.toBeUndefined();
  });
});

describe('describeEachTarget', () => {
  it('refuses a service no target of the run offers, rather than declaring no test', () => {
    const previous = process.env.STATEBACKEND_TEST_TARGETS;
    process.env.STATEBACKEND_TEST_TARGETS = encodeTargets(testTargets().filter((t) => !t.offers('s3')));
    try {
      expect(() => describeEachTarget('s3', () => {})).toThrow(TestTargetError);
      expect(() => describeEachTarget('s3', () => {})).toThrow(/No test target of this run answers for s3/);
    } finally {
      process.env.STATEBACKEND_TEST_TARGETS = previous;
    }
  });
});
