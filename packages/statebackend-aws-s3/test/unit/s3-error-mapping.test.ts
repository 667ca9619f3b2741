import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { CheckpointStorageError, KeyGroupRange } from '@statebackend/aws-base';
import { S3CheckpointStorage, S3RequestError } from '../../src/index.js';

/**
 * Answers no emulator produces on demand (503 SlowDown, 500, 403), injected by a middleware
 * into a real client before anything is sent.
 */
function clientFailingWith(error: Error): S3Client {
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    () => async () => {
      throw error;
    },
    { step: 'initialize', name: 'failEveryRequest' },
  );
  return client;
}

function serviceError(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

async function readFailure(error: Error): Promise<unknown> {
  const client = clientFailingWith(error);
  const storage = new S3CheckpointStorage({ client, bucket: 'state-bucket', jobId: 'job', operatorId: 'op' });
  try {
    return await storage.readFile('chk-1/_metadata.kg-0-1.e1').catch((e: unknown) => e);
  } finally {
    client.destroy();
  }
}

describe('S3 errors as typed storage errors', () => {
  it.each([
    ['SlowDown', 503, true],
    ['InternalError', 500, true],
    ['ServiceUnavailable', 503, true],
    ['AccessDenied', 403, false],
  ])('maps %s (%d) to an S3RequestError with isRetryable %s', async (name, status, retryable) => {
    const error = await readFailure(serviceError(name, status));

    expect(error).toBeInstanceOf(CheckpointStorageError);
    expect(error).toBeInstanceOf(S3RequestError);
    expect(error).toMatchObject({ code: name, statusCode: status, isRetryable: retryable, notFound: false });
    expect((error as Error).message).toContain('s3://state-bucket/job/op/chk-1/_metadata.kg-0-1.e1');
  });

  it('maps NoSuchKey to notFound', async () => {
    expect(await readFailure(serviceError('NoSuchKey', 404))).toMatchObject({
      notFound: true,
      isRetryable: false,
    });
  });

  it('marks a connection reset as retryable', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(await readFailure(reset)).toMatchObject({ isRetryable: true, name: 'S3RequestError' });
  });

  it('counts the failed request in the metrics', async () => {
    const client = clientFailingWith(serviceError('SlowDown', 503));
    const storage = new S3CheckpointStorage({
      client,
      bucket: 'state-bucket',
      jobId: 'job',
      operatorId: 'op',
    });
    await expect(storage.claim(KeyGroupRange.of(0, 1))).rejects.toMatchObject({ code: 'SlowDown' });
    client.destroy();

    expect(storage.metrics.failedRequests.getCount()).toBe(1);
    expect(storage.metrics.requests.getCount()).toBe(1);
  });
});
