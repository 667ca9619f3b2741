import { CreateMultipartUploadCommand, HeadObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { CheckpointStorageError, KeyGroupRange } from '@statebackend/aws-base';
import { cleanupAfterAll, describeEachTarget } from '@statebackend/testkit';
import { S3CheckpointStorage, type S3CheckpointStorageOptions } from '../../src/index.js';
import { S3FaultInjector } from '../support/fault-injection.js';
import { createBucket, listKeys, openUploads, s3ClientFor } from '../support/s3-bucket.js';

const RANGE = KeyGroupRange.of(0, 127);
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  const s3 = s3ClientFor(target, cleanup);
  let bucket: string;

  beforeAll(async () => {
    bucket = await createBucket(s3, target, cleanup, 's3-transfers');
  });

  const storageOf = (options: Partial<S3CheckpointStorageOptions> = {}): S3CheckpointStorage =>
    new S3CheckpointStorage({
      client: s3,
      bucket,
      prefix: 'ckpt',
      jobId: 'job-a',
      operatorId: 'op-1',
      ...options,
    });

  it('uploads a file above the part size in parts and leaves no multipart upload open', async () => {
    const storage = storageOf({ jobId: 'multipart', partSize: 5 * 1024 * 1024, uploadConcurrency: 2 });
    const lease = await storage.claim(RANGE);
    const chunk = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
    const chunks = function* (): Generator<Uint8Array> {
      for (let i = 0; i < 11; i++) yield chunk;
    };

    const file = await storage.writeFile(lease, 1, 'shared', chunks());

    expect(file.size).toBe(11 * 1024 * 1024);
    const tail = await storage.readFile(file.path, { offset: 10 * 1024 * 1024, length: 1024 * 1024 });
    expect(Buffer.from(tail).equals(Buffer.from(chunk))).toBe(true);
    expect(storage.metrics.requests.getCount()).toBeGreaterThanOrEqual(5);
    expect(await openUploads(s3, bucket)).toEqual([]);
  });

  it('sends a file of chunks as parts of whole chunks, and each SDK retry of a part sends all of it again', async () => {
    const retrying = s3ClientFor(target, cleanup, { maxAttempts: 3 });
    const sizes: number[] = [];
    retrying.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { PartNumber?: number; ContentLength?: number };
        if (context.commandName === 'UploadPartCommand') sizes.push(input.ContentLength ?? -1);
        return next(args);
      },
      { step: 'initialize', name: 'recordParts' },
    );
    // Inside the SDK's retry loop: the answer to the second part's first attempt is lost.
    const repeats = new S3FaultInjector(
      retrying,
      'deserialize',
      (command) => command === 'UploadPartCommand',
    );
    const storage = new S3CheckpointStorage({
      client: retrying,
      bucket,
      prefix: 'ckpt',
      jobId: 'streamed-parts',
      operatorId: 'op-1',
      partSize: 5 * 1024 * 1024,
      uploadConcurrency: 2,
    });
    const lease = await storage.claim(RANGE);
    const chunks = Array.from({ length: 9 }, (_, c) =>
      new Uint8Array(1_500_000).map((_, i) => (i + c) % 253),
    );
    const whole = Buffer.concat(chunks);
    repeats.arm(2, 'response-lost');

    const file = await storage.writeFile(lease, 1, 'shared', chunks);
    repeats.disarm();

    // Four chunks (6 MB) reach 5 MiB, four more, then the last one: no part is cut inside a chunk.
    expect(sizes).toEqual([6_000_000, 6_000_000, 1_500_000]);
    expect(repeats.calls).toBeGreaterThanOrEqual(4);
    expect(file.size).toBe(whole.length);
    expect(Buffer.from(await storage.readFile(file.path)).equals(whole)).toBe(true);
    expect(await openUploads(s3, bucket)).toEqual([]);
  });

  it('writes a file of chunks smaller than a part with one PutObject', async () => {
    const watched = s3ClientFor(target, cleanup);
    const sent: string[] = [];
    watched.middlewareStack.add(
      (next, context) => async (args) => {
        if ((args.input as { Key?: string }).Key?.endsWith('.sbkg') === true)
          sent.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize', name: 'recordDataFileCommands' },
    );
    const storage = new S3CheckpointStorage({
      client: watched,
      bucket,
      prefix: 'ckpt',
      jobId: 'below-a-part',
      operatorId: 'op-1',
      partSize: 5 * 1024 * 1024,
    });
    const lease = await storage.claim(RANGE);
    const chunks = Array.from({ length: 3 }, (_, c) => new Uint8Array(1024 * 1024).fill(c + 1));

    const file = await storage.writeFile(lease, 1, 'shared', chunks);

    expect(sent).toEqual(['PutObjectCommand']);
    expect(Buffer.from(await storage.readFile(file.path)).equals(Buffer.concat(chunks))).toBe(true);
    expect(await openUploads(s3, bucket)).toEqual([]);
  });

  it('injects entropy into data-file keys only, and still lists, reads and deletes those files', async () => {
    const storage = storageOf({ prefix: 'ent/_entropy_/ckpt', jobId: 'entropy', entropyMarker: '_entropy_' });
    const lease = await storage.claim(RANGE);
    const files = await Promise.all(
      Array.from({ length: 4 }, (_, i) => storage.writeFile(lease, 1, 'shared', bytes(`file ${i}`))),
    );
    await storage.commit(lease, 1, bytes('metadata'));

    const keys = await listKeys(s3, bucket, 'ent/');
    const dataKeys = keys.filter((k) => k.endsWith('.sbkg'));
    expect(dataKeys).toHaveLength(4);
    for (const key of dataKeys)
      expect(key).toMatch(/^ent\/[a-z0-9]{4}\/ckpt\/entropy\/op-1\/shared\/kg-0-127\./);
    expect(keys).toContain('ent/ckpt/entropy/op-1/chk-1/_metadata.kg-0-127.e1');
    expect(keys.some((k) => k.includes('_entropy_'))).toBe(false);
    expect((await storage.listFiles()).map((f) => f.path).sort()).toEqual(files.map((f) => f.path).sort());
    expect(text(await storage.readFile(files[2]?.path ?? ''))).toBe('file 2');

    await storage.delete(files.map((f) => f.path));
    expect((await listKeys(s3, bucket, 'ent/')).filter((k) => k.endsWith('.sbkg'))).toEqual([]);
  });

  it('encrypts every object written with SSE-S3 or SSE-KMS as configured', async () => {
    for (const [jobId, encryption, expected] of [
      ['sse-s3', { type: 'SSE-S3' }, 'AES256'],
      ['sse-kms', { type: 'SSE-KMS', kmsKeyId: 'alias/state' }, 'aws:kms'],
    ] as const) {
      const storage = storageOf({ jobId, encryption });
      const lease = await storage.claim(RANGE);
      const file = await storage.writeFile(lease, 1, 'exclusive', bytes('secret'));
      const committed = await storage.commit(lease, 1, bytes('metadata'));
      for (const path of [file.path, committed.path]) {
        const head = await s3.send(
          new HeadObjectCommand({ Bucket: bucket, Key: `ckpt/${jobId}/op-1/${path}` }),
        );
        expect(head.ServerSideEncryption).toBe(expected);
      }
    }
  });

  const elevenMiB = (kind: 'one buffer' | 'chunks') =>
    kind === 'one buffer'
      ? new Uint8Array(11 * 1024 * 1024)
      : Array.from({ length: 11 }, () => new Uint8Array(1024 * 1024));
  it.each([
    ['a part upload fails', 'one buffer', 2, 'request-lost'],
    ['the answer to CreateMultipartUpload is lost', 'one buffer', 1, 'response-lost'],
    ['the answer to CompleteMultipartUpload is lost', 'one buffer', 5, 'response-lost'],
    ['a part upload fails', 'chunks', 2, 'request-lost'],
    ['the answer to CreateMultipartUpload is lost', 'chunks', 1, 'response-lost'],
    ['the answer to CompleteMultipartUpload is lost', 'chunks', 5, 'response-lost'],
  ] as const)(
    'aborts the multipart upload when %s, leaving no upload open (a file as %s)',
    async (_what, kind, failAt, mode) => {
      const faulty = s3ClientFor(target, cleanup, { maxAttempts: 1 });
      // The data file's requests only: the checks of its commit list while it uploads.
      const faults = new S3FaultInjector(
        faulty,
        'initialize',
        (command) => command !== 'ListObjectsV2Command',
      );
      const storage = new S3CheckpointStorage({
        client: faulty,
        bucket,
        prefix: 'ckpt',
        jobId: `multipart-fault-${failAt}-${mode}-${kind.replace(' ', '-')}`,
        operatorId: 'op-1',
        partSize: 5 * 1024 * 1024,
        uploadConcurrency: 1,
      });
      const lease = await storage.claim(RANGE);
      faults.arm(failAt, mode);
      const failed = await storage.writeFile(lease, 1, 'exclusive', elevenMiB(kind)).then(
        () => undefined,
        (error: unknown) => error,
      );
      faults.disarm();

      expect(faults.commands[0]).toBe('CreateMultipartUploadCommand');
      expect(failed).toBeInstanceOf(CheckpointStorageError);
      expect(await openUploads(s3, bucket)).toEqual([]);
    },
  );

  it('aborts the multipart uploads a fenced writer left open when a new owner claims its key groups', async () => {
    const storage = storageOf({ jobId: 'orphan-uploads' });
    const old = await storage.claim(KeyGroupRange.of(0, 63));
    const neighbour = await storage.claim(KeyGroupRange.of(64, 127));
    // Uploads a killed process left open: one of the old writer, one of the live neighbour.
    for (const lease of [old, neighbour]) {
      const name = `kg-${lease.keyGroupRange.startKeyGroup}-${lease.keyGroupRange.endKeyGroup}.e${lease.epoch}.c4.abc.sbkg`;
      await s3.send(
        new CreateMultipartUploadCommand({ Bucket: bucket, Key: `ckpt/orphan-uploads/op-1/shared/${name}` }),
      );
    }
    const before = await openUploads(s3, bucket);
    expect(before.filter((k) => k.startsWith('ckpt/orphan-uploads/'))).toHaveLength(2);

    await storage.claim(KeyGroupRange.of(0, 63));

    const after = (await openUploads(s3, bucket)).filter((k) => k.startsWith('ckpt/orphan-uploads/'));
    expect(after).toEqual([`ckpt/orphan-uploads/op-1/shared/kg-64-127.e${neighbour.epoch}.c4.abc.sbkg`]);
    await storage.claim(KeyGroupRange.of(0, 127));
    expect((await openUploads(s3, bucket)).filter((k) => k.startsWith('ckpt/orphan-uploads/'))).toEqual([]);
  });

  it('lets the SDK retry a 503 SlowDown and counts the retry in its metrics', async () => {
    const throttled = s3ClientFor(target, cleanup, { maxAttempts: 3 });
    let slowDowns = 0;
    // Inside the SDK's retry loop: the first attempt of each PutObject is throttled.
    const attempted = new WeakSet<object>();
    throttled.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectCommand' && !attempted.has(args.input as object)) {
          attempted.add(args.input as object);
          slowDowns++;
          throw new S3ServiceException({
            name: 'SlowDown',
            $fault: 'server',
            $metadata: { httpStatusCode: 503 },
            message: 'Please reduce your request rate.',
          });
        }
        return next(args);
      },
      { step: 'deserialize', name: 'throttleFirstAttempt' },
    );
    const storage = new S3CheckpointStorage({
      client: throttled,
      bucket,
      prefix: 'ckpt',
      jobId: 'throttled',
      operatorId: 'op-1',
    });

    const lease = await storage.claim(RANGE);
    await storage.commit(lease, 1, bytes('metadata'));

    expect(slowDowns).toBeGreaterThanOrEqual(3);
    expect(storage.metrics.retries.getCount()).toBe(slowDowns);
    expect(storage.metrics.failedRequests.getCount()).toBe(0);
    expect((await storage.listCommitted()).map((c) => c.checkpointId)).toEqual([1]);
  });

  it('sends the expected bucket owner with every request, multipart parts included', async () => {
    const watched = s3ClientFor(target, cleanup);
    const seen: string[] = [];
    watched.middlewareStack.add(
      (next, context) => async (args) => {
        const owner = (args.input as { ExpectedBucketOwner?: string }).ExpectedBucketOwner;
        seen.push(`${context.commandName ?? '?'}:${owner ?? 'none'}`);
        return next(args);
      },
      { step: 'initialize', name: 'watchOwner' },
    );
    const storage = new S3CheckpointStorage({
      client: watched,
      bucket,
      prefix: 'ckpt',
      jobId: 'owner',
      operatorId: 'op-1',
      expectedBucketOwner: '123456789012',
      partSize: 5 * 1024 * 1024,
    });

    const lease = await storage.claim(RANGE);
    const file = await storage.writeFile(lease, 1, 'shared', [new Uint8Array(6 * 1024 * 1024)]);
    await storage.commit(lease, 1, bytes('metadata'));
    await storage.readFile(file.path, { offset: 0, length: 10 });
    await storage.listFiles();
    await storage.delete([file.path]);

    const commands = new Set(seen.map((s) => s.split(':')[0]));
    expect(commands).toEqual(
      new Set([
        'ListObjectsV2Command',
        'PutObjectCommand',
        'ListMultipartUploadsCommand',
        'CreateMultipartUploadCommand',
        'UploadPartCommand',
        'CompleteMultipartUploadCommand',
        'GetObjectCommand',
        'DeleteObjectsCommand',
      ]),
    );
    expect(seen.filter((s) => !s.endsWith(':123456789012'))).toEqual([]);
  });
});
