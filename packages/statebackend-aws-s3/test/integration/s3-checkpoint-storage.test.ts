import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CheckpointAlreadyExistsError,
  CheckpointStorageError,
  FencedError,
  KeyGroupRange,
} from '@statebackend/aws-base';
import { cleanupAfterAll, describeEachTarget } from '@statebackend/testkit';
import { S3CheckpointStorage, type S3CheckpointStorageOptions } from '../../src/index.js';
import { createBucket, listKeys, s3ClientFor } from '../support/s3-bucket.js';

const RANGE = KeyGroupRange.of(0, 127);
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  const s3 = s3ClientFor(target, cleanup);
  let bucket: string;

  beforeAll(async () => {
    bucket = await createBucket(s3, target, cleanup, 's3-storage');
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

  it('keeps a checkpoint invisible until its commit record is written, then lists and reads it', async () => {
    const storage = storageOf({ jobId: 'commit-last' });
    const lease = await storage.claim(RANGE);
    const file = await storage.writeFile(lease, 1, 'exclusive', [bytes('hello '), bytes('world')]);

    expect(file.size).toBe(11);
    expect(await storage.listCommitted()).toEqual([]);

    const committed = await storage.commit(lease, 1, bytes('metadata-1'));

    expect(committed).toMatchObject({
      checkpointId: 1,
      writerEpoch: lease.epoch,
      path: 'chk-1/_metadata.kg-0-127.e1',
    });
    expect((await storage.listCommitted()).map((c) => c.path)).toEqual([committed.path]);
    expect(text(await storage.readFile(committed.path))).toBe('metadata-1');
    expect(text(await storage.readFile(file.path))).toBe('hello world');
    expect(storage.describe(committed.path)).toBe(
      `s3://${bucket}/ckpt/commit-last/op-1/chk-1/_metadata.kg-0-127.e1`,
    );
  });

  it('lays every object out below <prefix>/<job>/<operator>/, so two jobs never share a key', async () => {
    const first = storageOf({ prefix: 'layout', jobId: 'orders', operatorId: 'sum' });
    const second = storageOf({ prefix: 'layout', jobId: 'payments', operatorId: 'sum' });
    for (const storage of [first, second]) {
      const lease = await storage.claim(RANGE);
      await storage.writeFile(lease, 7, 'shared', bytes(storage.location));
      await storage.commit(lease, 7, bytes(storage.location));
    }

    const keys = await listKeys(s3, bucket, 'layout/');

    expect(keys.filter((k) => k.startsWith('layout/orders/sum/'))).toHaveLength(keys.length / 2);
    expect(keys).toEqual(
      expect.arrayContaining([
        'layout/orders/sum/chk-7/_metadata.kg-0-127.e1',
        'layout/payments/sum/chk-7/_metadata.kg-0-127.e1',
        'layout/orders/sum/_fencing/epoch-0000000001.kg-0-127',
      ]),
    );
    expect(text(await second.readFile('chk-7/_metadata.kg-0-127.e1'))).toBe(second.location);
  });

  it('reads byte ranges, fewer bytes past the end, and reports a missing file as notFound', async () => {
    const storage = storageOf({ jobId: 'ranges' });
    const lease = await storage.claim(RANGE);
    const file = await storage.writeFile(lease, 1, 'exclusive', bytes('0123456789'));

    expect(text(await storage.readFile(file.path, { offset: 3, length: 4 }))).toBe('3456');
    expect(text(await storage.readFile(file.path, { offset: 8, length: 10 }))).toBe('89');
    expect(await storage.readFile(file.path, { offset: 10, length: 5 })).toHaveLength(0);
    const missing = await storage.readFile('chk-1/nothing-here.sbkg').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(CheckpointStorageError);
    expect(missing).toMatchObject({ notFound: true, isRetryable: false, name: 'S3RequestError' });
  });

  it('pages through more than 1,000 files and deletes them in batches, ignoring keys already gone', async () => {
    const storage = storageOf({ jobId: 'paging' });
    const lease = await storage.claim(RANGE);
    const names = Array.from({ length: 1_050 }, (_, i) => `shared/kg-0-127.e${lease.epoch}.c1.${i}.sbkg`);
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(
        names
          .slice(i, i + 25)
          .map((name) =>
            s3.send(new PutObjectCommand({ Bucket: bucket, Key: `ckpt/paging/op-1/${name}`, Body: 'x' })),
          ),
      );
    }

    const files = await storage.listFiles();
    expect(files).toHaveLength(1_050);
    expect(files[0]?.origin).toEqual({ keyGroupRange: RANGE, epoch: lease.epoch, checkpointId: 1 });

    const before = storage.metrics.requests.getCount();
    await storage.delete([...names, 'shared/already-gone.sbkg']);
    expect(storage.metrics.requests.getCount() - before).toBe(2);
    expect(await storage.listFiles()).toEqual([]);
  });

  it('fences an older writer: its commit fails with FencedError and stores nothing', async () => {
    const storage = storageOf({ jobId: 'fencing' });
    const old = await storage.claim(KeyGroupRange.of(0, 63));
    const newer = await storage.claim(KeyGroupRange.of(32, 127));

    expect(newer.epoch).toBeGreaterThan(old.epoch);
    await expect(storage.checkNotFenced(old)).rejects.toBeInstanceOf(FencedError);
    await expect(storage.commit(old, 3, bytes('stale'))).rejects.toBeInstanceOf(FencedError);
    expect(await storage.listCommitted()).toEqual([]);
    await expect(storage.commit(newer, 3, bytes('fresh'))).resolves.toMatchObject({
      writerEpoch: newer.epoch,
    });
  });

  it('gives concurrent claims distinct epochs and drops claims newer ones cover once their cuts are decided', async () => {
    const storage = storageOf({ jobId: 'claims' });
    const leases = await Promise.all(Array.from({ length: 5 }, () => storage.claim(RANGE)));

    expect(new Set(leases.map((l) => l.epoch)).size).toBe(5);
    const newest = Math.max(...leases.map((l) => l.epoch));
    // Covered claims stay until a listing of the commit records decides their writers' cuts: a
    // commit record of theirs landing later must still find them fenced.
    await storage.listCommitted();
    const next = await storage.claim(RANGE);
    expect(next.epoch).toBe(newest + 1);
    // The four covered before the listing are gone; the one this claim covers waits for the next.
    expect((await storage.listClaims()).map((c) => c.epoch)).toEqual([newest, next.epoch]);
  });

  it('lets exactly one of two commits of the same checkpoint and range win; the other gets a typed error', async () => {
    const storage = storageOf({ jobId: 'same-id' });
    const lease = await storage.claim(RANGE);
    const results = await Promise.allSettled([
      storage.commit(lease, 5, bytes('first')),
      storage.commit(lease, 5, bytes('second')),
    ]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.status === 'rejected' ? rejected.reason : undefined).toBeInstanceOf(
      CheckpointAlreadyExistsError,
    );
    await expect(storage.commit(lease, 5, bytes('third'))).rejects.toBeInstanceOf(
      CheckpointAlreadyExistsError,
    );
    expect(await storage.listCommitted()).toHaveLength(1);
  });

  it('withdraws a commit whose writer was fenced between its checks and its put, failing with FencedError', async () => {
    const racing = s3ClientFor(target, cleanup);
    const location = { bucket, prefix: 'ckpt', jobId: 'commit-race', operatorId: 'op-1' };
    const old = new S3CheckpointStorage({ ...location, client: racing });
    const successor = new S3CheckpointStorage({ ...location, client: s3 });
    const oldLease = await old.claim(RANGE);
    let newLease: Awaited<ReturnType<S3CheckpointStorage['claim']>> | undefined;
    // The new owner claims the range while the old writer's commit record is on its way.
    racing.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Key?: string; IfNoneMatch?: string };
        if (input.IfNoneMatch === '*' && input.Key?.includes('/chk-9/_metadata') === true) {
          newLease = await successor.claim(RANGE);
        }
        return next(args);
      },
      { step: 'initialize', name: 'claimDuringCommit' },
    );

    await expect(old.commit(oldLease, 9, bytes('stale'))).rejects.toBeInstanceOf(FencedError);
    expect(newLease?.epoch).toBeGreaterThan(oldLease.epoch);
    expect(await successor.listCommitted()).toEqual([]);
    if (newLease === undefined) throw new Error('the successor did not claim');
    await expect(successor.commit(newLease, 9, bytes('fresh'))).resolves.toMatchObject({ checkpointId: 9 });
  });

  it('lists the claims and the records of the checkpoint while its data uploads, not between the upload and the commit record', async () => {
    const watched = s3ClientFor(target, cleanup);
    const sent: string[] = [];
    watched.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: string; Prefix?: string }).Key ?? '';
        sent.push(`${context.commandName ?? '?'}${key.includes('/_metadata') ? ' commit record' : ''}`);
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    const storage = new S3CheckpointStorage({
      client: watched,
      bucket,
      prefix: 'ckpt',
      jobId: 'early-checks',
      operatorId: 'op-1',
    });
    const lease = await storage.claim(RANGE);
    sent.length = 0;

    await storage.writeFile(lease, 1, 'exclusive', [bytes('data')]);
    await storage.commit(lease, 1, bytes('metadata'));

    const put = sent.indexOf('PutObjectCommand commit record');
    expect(sent.slice(0, put).filter((c) => c === 'ListObjectsV2Command')).toHaveLength(2);
    expect(sent.slice(put)).toEqual(['PutObjectCommand commit record', 'ListObjectsV2Command']);
  });

  it('withdraws the commit of a writer fenced while its data uploaded, failing with FencedError', async () => {
    const racing = s3ClientFor(target, cleanup);
    const location = { bucket, prefix: 'ckpt', jobId: 'fenced-during-upload', operatorId: 'op-1' };
    const old = new S3CheckpointStorage({ ...location, client: racing });
    const successor = new S3CheckpointStorage({ ...location, client: s3 });
    const oldLease = await old.claim(RANGE);
    let newLease: Awaited<ReturnType<S3CheckpointStorage['claim']>> | undefined;
    // The new owner claims the range once the old writer's checks have listed, while its data uploads.
    let listed = 0;
    racing.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'ListObjectsV2Command' && ++listed === 2) {
          newLease = await successor.claim(RANGE);
        }
        return result;
      },
      { step: 'initialize', name: 'claimDuringUpload' },
    );

    await old.writeFile(oldLease, 4, 'exclusive', [bytes('stale data')]);
    await expect(old.commit(oldLease, 4, bytes('stale'))).rejects.toBeInstanceOf(FencedError);
    expect(newLease?.epoch).toBeGreaterThan(oldLease.epoch);
    expect(await successor.listCommitted()).toEqual([]);
  });
});
