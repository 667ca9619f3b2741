import { ChunkPool, dataFileChunkPool } from '../../../src/checkpoint/format/chunk-pool.js';
import {
  CheckpointingHeapBackendBuilder,
  type CheckpointStorage,
  LocalCheckpointStorage,
  Serializers,
  ValueStateDescriptor,
} from '../../../src/index.js';
import {
  type FileContent,
  type FileScope,
  ForwardingCheckpointStorage,
  type WriterLease,
  type WrittenFile,
} from '../../../src/spi.js';
import { temporaryDirectory } from './fixtures.js';
import { TEST_PARAMETERS } from './helpers.js';

describe('ChunkPool', () => {
  it('lends buffers of its size again once given back, each once, and takes back only its own', () => {
    const pool = new ChunkPool(1024, 2 * 1024);
    const a = pool.acquire();
    const b = pool.acquire();
    expect([a.length, b.length]).toEqual([1024, 1024]);
    pool.release([a.subarray(0, 10), a.subarray(0, 20), new Uint8Array(1024)]);
    expect(pool.pooled).toBe(1);
    expect(pool.acquire().buffer).toBe(a.buffer);
    // At most maxBytes are kept.
    pool.release([b, pool.acquire(), pool.acquire()]);
    expect(pool.pooled).toBe(2);
  });
});

describe('checkpoint data file chunks', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await temporaryDirectory();
  });
  afterEach(() => dir.remove());

  const values = new ValueStateDescriptor('values', Serializers.string);
  const checkpointTwice = async (storage: CheckpointStorage) => {
    const backend = await new CheckpointingHeapBackendBuilder(TEST_PARAMETERS, {
      checkpointStorage: storage,
    }).build();
    const fill = (round: number) =>
      Promise.all(
        Array.from({ length: 3000 }, (_, i) =>
          backend.withKey(`key-${i}`, (ctx) => ctx.getState(values).update(`round ${round} `.repeat(20))),
        ),
      );
    await fill(1);
    const first = await backend.snapshot(1);
    await fill(2);
    await backend.snapshot(2);
    await backend.dispose();
    return first;
  };

  it('are written into buffers used again when the storage lets go of them', async () => {
    const storage = new LocalCheckpointStorage({ directory: dir.path, jobId: 'job', operatorId: 'op' });
    expect(storage.releasesChunks).toBe(true);
    await checkpointTwice(storage);
    expect(dataFileChunkPool.pooled).toBeGreaterThan(0);
  });

  it('are never written over while a storage that keeps them holds them', async () => {
    const kept: { chunks: Uint8Array[]; copy: Buffer }[] = [];
    class KeepingStorage extends ForwardingCheckpointStorage {
      override get releasesChunks(): boolean {
        return false;
      }
      override async writeFile(
        lease: WriterLease,
        checkpointId: number,
        scope: FileScope,
        content: FileContent,
      ): Promise<WrittenFile> {
        const chunks: Uint8Array[] = [];
        for await (const chunk of content as AsyncIterable<Uint8Array>) chunks.push(chunk);
        const file = await super.writeFile(lease, checkpointId, scope, chunks);
        kept.push({ chunks, copy: Buffer.concat(chunks) });
        return file;
      }
    }
    const local = new LocalCheckpointStorage({ directory: dir.path, jobId: 'job', operatorId: 'op' });
    await checkpointTwice(new KeepingStorage(local));
    expect(kept).toHaveLength(2);
    // The first checkpoint's chunks hold what was written, after the second was encoded.
    for (const { chunks, copy } of kept) expect(Buffer.concat(chunks).equals(copy)).toBe(true);
  });
});
