import { KeyGroupRange } from '@statebackend/aws-base';
import { cleanupAfterAll, describeEachTarget } from '@statebackend/testkit';
import { S3CheckpointStorage } from '../../src/index.js';
import { createBucket, s3ClientFor } from '../support/s3-bucket.js';

const RANGE = KeyGroupRange.of(0, 127);
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/**
 * A conditional write whose answer is lost is repeated by the SDK's retry strategy; S3 then
 * answers the repeat with 412, since the first attempt stored the object. The storage must
 * recognize its own write rather than report a conflict.
 */
describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  const s3 = s3ClientFor(target, cleanup);
  let bucket: string;

  beforeAll(async () => {
    bucket = await createBucket(s3, target, cleanup, 's3-lost-responses');
  });

  /** A client whose first attempt at each conditional PutObject reaches S3 but loses its answer. */
  function losingFirstAnswers(): { client: ReturnType<typeof s3ClientFor>; lost: () => number } {
    const client = s3ClientFor(target, cleanup, { maxAttempts: 3 });
    const seen = new WeakSet<object>();
    let lost = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { IfNoneMatch?: string };
        if (context.commandName !== 'PutObjectCommand' || input.IfNoneMatch !== '*' || seen.has(input)) {
          return next(args);
        }
        seen.add(input);
        await next(args);
        lost++;
        throw Object.assign(new Error('socket hang up'), {
          name: 'TimeoutError',
          code: 'ECONNRESET',
          $metadata: {},
        });
      },
      { step: 'deserialize', name: 'loseFirstAnswer' },
    );
    return { client, lost: () => lost };
  }

  it('claims and commits through answers lost on the way back, as if they had arrived', async () => {
    const { client, lost } = losingFirstAnswers();
    const storage = new S3CheckpointStorage({ client, bucket, jobId: 'lost', operatorId: 'op' });

    const lease = await storage.claim(RANGE);
    const committed = await storage.commit(lease, 1, bytes('metadata of 1'));

    expect(lost()).toBeGreaterThanOrEqual(3);
    expect(lease.epoch).toBe(1);
    expect(committed.checkpointId).toBe(1);
    expect((await storage.listClaims()).map((c) => c.epoch)).toEqual([1]);
    expect(new TextDecoder().decode(await storage.readFile(committed.path))).toBe('metadata of 1');
  });

  it('still refuses a second, different commit of the same checkpoint', async () => {
    const storage = new S3CheckpointStorage({ client: s3, bucket, jobId: 'lost-twice', operatorId: 'op' });
    const lease = await storage.claim(RANGE);
    await storage.commit(lease, 1, bytes('first'));

    await expect(storage.commit(lease, 1, bytes('second'))).rejects.toMatchObject({
      name: 'CheckpointAlreadyExistsError',
    });
  });
});
