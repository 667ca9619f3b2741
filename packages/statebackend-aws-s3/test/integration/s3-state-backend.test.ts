import {
  assignKeyToParallelOperator,
  type CheckpointingHeapKeyedStateBackend,
  type CompletedCheckpoint,
  computeKeyGroupRangeForOperatorIndex,
  FencedError,
  ListStateDescriptor,
  listCheckpoints,
  MapStateDescriptor,
  Serializers,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import { bytesAsFile, KeyGroupFileReader } from '@statebackend/aws-base/spi';
import { cleanupAfterAll, describeEachTarget } from '@statebackend/testkit';
import { keyedBackend, MAX_PARALLELISM, parameters, s3StateBackend } from '../support/s3-backend.js';
import { createBucket, listKeys, s3ClientFor } from '../support/s3-bucket.js';

type Backend = CheckpointingHeapKeyedStateBackend<string>;

const counts = new ValueStateDescriptor('count', Serializers.int, 0);
const pages = new ListStateDescriptor('pages', Serializers.string);
const carts = new MapStateDescriptor('cart', Serializers.string, Serializers.int);

async function count(backend: Backend, key: string): Promise<number> {
  return backend.withKey(key, (ctx) => ctx.getState(counts).value());
}

async function setCounts(backend: Backend, keys: readonly string[], value: number): Promise<void> {
  await Promise.all(keys.map((key) => backend.withKey(key, (ctx) => ctx.getState(counts).update(value))));
}

const KEYS = Array.from({ length: 400 }, (_, i) => `user-${i}`);

describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  const s3 = s3ClientFor(target, cleanup);
  let bucket: string;

  beforeAll(async () => {
    bucket = await createBucket(s3, target, cleanup, 's3-backend');
  });

  it('restores values, lists and maps exactly as checkpointed, without writes made after snapshot()', async () => {
    const backend = s3StateBackend(target, s3, bucket);
    const writer = await keyedBackend(backend, 'roundtrip');
    await writer.withKey('alice', async (ctx) => {
      await ctx.getState(counts).update(3);
      await ctx.getState(pages).addAll(['/home', '/cart']);
      await ctx.getState(carts).putAll([
        ['sku-1', 2],
        ['sku-2', 5],
      ]);
    });

    const pending = writer.snapshot(1, { offset: 17 });
    await writer.withKey('alice', (ctx) => ctx.getState(counts).update(99));
    await writer.withKey('bob', (ctx) => ctx.getState(counts).update(1));
    expect((await pending).checkpointId).toBe(1);
    await writer.dispose();

    const reader = await keyedBackend(backend, 'roundtrip');
    expect(reader.restored).toMatchObject({
      checkpointId: 1,
      userMetadata: [{ keyGroupRange: reader.keyGroupRange, metadata: { offset: 17 } }],
    });
    await reader.withKey('alice', async (ctx) => {
      expect(await ctx.getState(counts).value()).toBe(3);
      expect(await ctx.getState(pages).get()).toEqual(['/home', '/cart']);
      expect(new Map(await ctx.getState(carts).entries())).toEqual(
        new Map([
          ['sku-1', 2],
          ['sku-2', 5],
        ]),
      );
    });
    expect(await count(reader, 'bob')).toBe(0);
    await reader.dispose();
    await backend.close();
  });

  it('uploads only changed key groups in an incremental checkpoint and references the earlier files', async () => {
    const backend = s3StateBackend(target, s3, bucket, { retainedCheckpoints: 2 });
    const storage = backend.storageFor('incremental', 'op');
    const writer = await backend.createKeyedStateBackend(parameters('incremental'), { storage });
    await setCounts(writer, KEYS, 1);
    const full = await writer.snapshot(1);
    expect(storage.metrics.lastIncrementalRatio).toBe(1);
    await setCounts(writer, ['user-7'], 2);
    const incremental = await writer.snapshot(2);

    expect(full.snapshotType).toBe('full');
    expect(incremental.snapshotType).toBe('incremental');
    expect(incremental.bytesWritten).toBeLessThan(full.bytesWritten / 10);
    expect(incremental.metadata.files.filter((f) => f.checkpointId === 1).length).toBeGreaterThan(0);
    expect(storage.metrics.lastIncrementalRatio).toBeCloseTo(
      incremental.bytesWritten / incremental.stateSize,
    );
    await writer.dispose();

    const reader = await keyedBackend(backend, 'incremental');
    expect(await count(reader, 'user-7')).toBe(2);
    expect(await count(reader, 'user-8')).toBe(1);
    await reader.dispose();
    await backend.close();
  });

  it('keeps the last N confirmed checkpoints and deletes every other object of the operator from S3', async () => {
    const backend = s3StateBackend(target, s3, bucket, { retainedCheckpoints: 2, incremental: false });
    const writer = await keyedBackend(backend, 'retention');
    let lastFiles = 0;
    for (let id = 1; id <= 5; id++) {
      await setCounts(writer, KEYS.slice(0, 50), id);
      lastFiles = (await writer.snapshot(id)).metadata.files.length;
      await writer.notifyCheckpointComplete(id);
    }
    await writer.dispose();

    const remaining = await listKeys(s3, bucket, 'it/retention/op/');
    const data = remaining.filter((k) => k.endsWith('.sbkg'));
    const metadata = remaining.filter((k) => k.includes('_metadata'));
    expect(metadata.map((k) => k.split('/')[3])).toEqual(['chk-4', 'chk-5']);
    expect(data.every((k) => k.includes('/chk-4/') || k.includes('/chk-5/'))).toBe(true);
    expect(data.filter((k) => k.includes('/chk-5/'))).toHaveLength(lastFiles);
    await backend.close();
  });

  it('compresses data files with zstd by default, and restores across compressed and uncompressed files', async () => {
    const plain = s3StateBackend(target, s3, bucket, { compression: 'none', retainedCheckpoints: 3 });
    const compressed = s3StateBackend(target, s3, bucket, { retainedCheckpoints: 3 });
    const storage = compressed.storageFor('compression', 'op');
    const formatsOf = async (completed: CompletedCheckpoint): Promise<string[]> => {
      const formats = new Set<string>();
      for (const file of completed.metadata.files.filter((f) => f.checkpointId === completed.checkpointId)) {
        const data = await storage.readFile(file.path);
        const opened = await KeyGroupFileReader.open(bytesAsFile(file.path, data), 'data');
        formats.add(
          `v${opened.version}${opened.isCompressed ? ' zstd' : ''}${opened.isDelta ? ' delta' : ''}`,
        );
      }
      return [...formats];
    };
    const writer = await keyedBackend(plain, 'compression');
    await setCounts(writer, KEYS, 7);
    const first = await writer.snapshot(1);
    expect(await formatsOf(first)).toEqual(['v1']);
    await writer.dispose();

    // The same state restored, and checkpointed whole and then incrementally by a backend that compresses.
    const restored = await keyedBackend(compressed, 'compression');
    expect(await count(restored, 'user-399')).toBe(7);
    await setCounts(restored, KEYS, 8);
    const second = await restored.snapshot(2);
    expect(await formatsOf(second)).toEqual(['v3 zstd']);
    expect(second.bytesWritten).toBeLessThan(first.bytesWritten / 2);
    await setCounts(restored, ['user-5'], 9);
    const third = await restored.snapshot(3);
    expect(third.snapshotType).toBe('incremental');
    expect(await formatsOf(third)).toEqual(['v3 zstd']);
    await restored.dispose();

    const reader = await keyedBackend(plain, 'compression');
    expect([await count(reader, 'user-5'), await count(reader, 'user-6')]).toEqual([9, 8]);
    await reader.dispose();
    await Promise.all([plain.close(), compressed.close()]);
  });

  it('restores a named checkpoint instead of the latest', async () => {
    const backend = s3StateBackend(target, s3, bucket, { retainedCheckpoints: 3 });
    const writer = await keyedBackend(backend, 'named');
    for (let id = 1; id <= 3; id++) {
      await setCounts(writer, ['k'], id * 10);
      await writer.snapshot(id);
    }
    await writer.dispose();

    const reader = await keyedBackend(backend, 'named', { checkpointId: 2 });
    expect(reader.restored?.checkpointId).toBe(2);
    expect(await count(reader, 'k')).toBe(20);
    await reader.dispose();
    await backend.close();
  });

  it('rescales: two writers restore into one and into four instances, each reading only the files it needs', async () => {
    const backend = s3StateBackend(target, s3, bucket);
    const writers = [
      await keyedBackend(backend, 'rescale', 'latest', 2, 0),
      await keyedBackend(backend, 'rescale', 'latest', 2, 1),
    ];
    const owner = (key: string, parallelism: number) =>
      assignKeyToParallelOperator(Serializers.string.serialize(key), MAX_PARALLELISM, parallelism);
    await Promise.all(
      KEYS.map((key, i) =>
        (writers[owner(key, 2)] as Backend).withKey(key, (ctx) => ctx.getState(counts).update(i)),
      ),
    );
    await Promise.all(writers.map((w) => w.snapshot(1)));
    await Promise.all(writers.map((w) => w.dispose()));

    const merged = await keyedBackend(backend, 'rescale', 'latest', 1, 0);
    for (const [i, key] of KEYS.entries()) expect(await count(merged, key)).toBe(i);
    await merged.dispose();

    for (let index = 0; index < 4; index++) {
      const storage = backend.storageFor('rescale', 'op');
      const range = computeKeyGroupRangeForOperatorIndex(MAX_PARALLELISM, 4, index);
      const part = await backend.createKeyedStateBackend(parameters('rescale', range), {
        storage,
        restoreMode: 'eager',
      });
      // The commit record and the one data file of the writer that held this quarter, nothing of the other.
      expect(storage.metrics.filesDownloaded.getCount()).toBe(2);
      const mine = KEYS.filter((key) => owner(key, 4) === index);
      for (const key of mine) expect(await count(part, key)).toBe(KEYS.indexOf(key));
      await part.dispose();
    }
    await backend.close();
  });

  it('fences the previous owner: once another instance claimed the range, its checkpoint fails and changes nothing', async () => {
    const backend = s3StateBackend(target, s3, bucket);
    const old = await keyedBackend(backend, 'fenced');
    await setCounts(old, ['k'], 1);
    await old.snapshot(1);
    const successor = await keyedBackend(backend, 'fenced');
    await setCounts(old, ['k'], 2);

    await expect(old.snapshot(2)).rejects.toBeInstanceOf(FencedError);
    expect((await backend.storageFor('fenced', 'op').listCommitted()).map((c) => c.checkpointId)).toEqual([
      1,
    ]);
    expect(await count(successor, 'k')).toBe(1);
    await old.dispose();
    await successor.dispose();
    await backend.close();
  });

  it('checkpoints, retains and restores with entropy in data-file keys, leaving only referenced objects', async () => {
    const backend = s3StateBackend(target, s3, bucket, {
      location: { bucket, prefix: 'ent/_entropy_/ckpt', entropyMarker: '_entropy_' },
      retainedCheckpoints: 1,
    });
    const writer = await keyedBackend(backend, 'entropy');
    for (let id = 1; id <= 3; id++) {
      await setCounts(writer, KEYS.slice(0, 100 * id), id);
      await writer.snapshot(id);
      await writer.notifyCheckpointComplete(id);
    }
    await writer.dispose();

    const reader = await keyedBackend(backend, 'entropy');
    expect(reader.restored?.checkpointId).toBe(3);
    expect(await count(reader, 'user-250')).toBe(3);
    expect(await count(reader, 'user-50')).toBe(3);
    await reader.dispose();

    const keys = await listKeys(s3, bucket, 'ent/');
    const data = keys.filter((k) => k.endsWith('.sbkg'));
    expect(data.length).toBeGreaterThan(0);
    for (const key of data) expect(key).toMatch(/^ent\/[a-z0-9]{4}\/ckpt\/entropy\/op\//);
    expect(keys.filter((k) => k.includes('_metadata'))).toEqual([
      'ent/ckpt/entropy/op/chk-3/_metadata.kg-0-127.e1',
    ]);
    const [latest] = await listCheckpoints(backend.storageFor('entropy', 'op'));
    const referenced = (latest?.parts ?? []).flatMap((p) => p.metadata.files.map((f) => f.path));
    expect(data.sort()).toEqual(
      referenced.map((p) => backend.storageFor('entropy', 'op').layout.keyOf(p)).sort(),
    );
    await backend.close();
  });
});
