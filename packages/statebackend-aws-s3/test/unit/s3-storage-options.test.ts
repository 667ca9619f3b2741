import { S3Client } from '@aws-sdk/client-s3';
import { ConfigurationError } from '@statebackend/aws-base';
import { findStorageOptionIssues, S3CheckpointStorage } from '../../src/index.js';

const valid = { bucket: 'state-bucket', jobId: 'job', operatorId: 'op' };

describe('S3CheckpointStorage options', () => {
  it('accepts the minimal options', () => {
    expect(findStorageOptionIssues(valid)).toEqual([]);
  });

  it('names every bad option, what it received and what it accepts, at once', () => {
    const issues = findStorageOptionIssues({
      bucket: 'Bad_Bucket',
      jobId: '../up',
      operatorId: 'op',
      prefix: '/abs',
      partSize: 1024,
      uploadConcurrency: 0,
      entropyLength: 40,
      expectedBucketOwner: 'me',
    });

    expect(issues.map((i) => i.key)).toEqual([
      'bucket',
      'jobId',
      'prefix',
      'partSize',
      'uploadConcurrency',
      'entropyLength',
      'expectedBucketOwner',
    ]);
    expect(issues[3]).toMatchObject({ received: '1024', expected: expect.stringContaining('5 MiB') });
  });

  it('rejects an entropy marker the prefix does not hold, instead of silently injecting none', () => {
    const issues = findStorageOptionIssues({ ...valid, prefix: 'ckpt', entropyMarker: '_entropy_' });

    expect(issues).toEqual([
      expect.objectContaining({ key: 'prefix', expected: expect.stringContaining('_entropy_') }),
    ]);
  });

  it('throws a ConfigurationError from the constructor before any request', () => {
    const client = new S3Client({ region: 'us-east-1' });
    const send = jest.spyOn(client, 'send');

    expect(() => new S3CheckpointStorage({ ...valid, client, bucket: 'x' })).toThrow(ConfigurationError);
    expect(send).not.toHaveBeenCalled();
    client.destroy();
  });
});
