import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CheckpointingHeapKeyedStateBackend,
  Configuration,
  ConfigurationError,
  createStateBackend,
  FencedError,
  HeapStateBackend,
  KeyGroupRange,
  LocalCheckpointStorage,
  listCheckpoints,
  Serializers,
  ValueStateDescriptor,
} from '../../../src/index.js';
import { temporaryDirectory } from './fixtures.js';

const counts = new ValueStateDescriptor('counts', Serializers.int, 0);
const parameters = {
  jobId: 'job',
  operatorId: 'op',
  keyGroupRange: KeyGroupRange.of(0, 127),
  maxParallelism: 128,
  keySerializer: Serializers.string,
};

async function heapFrom(settings: Record<string, string | number | boolean>): Promise<HeapStateBackend> {
  const backend = await createStateBackend(
    Configuration.fromObject({ 'state.backend.type': 'heap', ...settings }),
  );
  if (!(backend instanceof HeapStateBackend))
    throw new Error(`expected the heap backend, got ${backend.type}`);
  return backend;
}

async function countOf(backend: CheckpointingHeapKeyedStateBackend<string>, key: string): Promise<number> {
  return backend.withKey(key, (ctx) => ctx.getState(counts).value());
}

async function setCount(backend: CheckpointingHeapKeyedStateBackend<string>, key: string, value: number) {
  await backend.withKey(key, (ctx) => ctx.getState(counts).update(value));
}

describe('checkpoints configured for state.backend.type: heap', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await temporaryDirectory();
  });
  afterEach(() => dir.remove());

  it('snapshots to state.checkpoints.dir and a new backend restores the latest complete checkpoint', async () => {
    const heap = await heapFrom({ 'state.checkpoints.dir': dir.path });
    const first = await heap.createKeyedStateBackend(parameters);
    await setCount(first, 'alice', 3);
    await first.snapshot(1, { offset: 10 });
    await setCount(first, 'alice', 4);
    await first.snapshot(2, { offset: 20 });
    await first.dispose();

    const second = await heap.createKeyedStateBackend(parameters);
    expect(second.restored?.checkpointId).toBe(2);
    expect(second.restored?.userMetadata.map((m) => m.metadata)).toEqual([{ offset: 20 }]);
    expect(await countOf(second, 'alice')).toBe(4);
    expect(existsSync(join(dir.path, 'job', 'op'))).toBe(true);
    await second.dispose();
  });

  it('accepts a file:// URL for the directory', async () => {
    const heap = await heapFrom({ 'state.checkpoints.dir': pathToFileURL(dir.path).href });
    expect(heap.checkpoints?.directory).toBe(dir.path);
    const keyed = await heap.createKeyedStateBackend(parameters);
    await keyed.snapshot(1);
    await keyed.dispose();
    expect(
      (
        await listCheckpoints(
          new LocalCheckpointStorage({ directory: dir.path, jobId: 'job', operatorId: 'op' }),
        )
      ).map((c) => c.checkpointId),
    ).toEqual([1]);
  });

  it('keeps state.checkpoints.num-retained complete checkpoints on disk (default 1)', async () => {
    const storage = new LocalCheckpointStorage({ directory: dir.path, jobId: 'job', operatorId: 'op' });
    for (const [settings, expected] of [
      [{}, [4]],
      [{ 'state.checkpoints.num-retained': 3 }, [2, 3, 4]],
    ] as const) {
      const heap = await heapFrom({ 'state.checkpoints.dir': dir.path, ...settings });
      const keyed = await heap.createKeyedStateBackend({ ...parameters, operatorId: 'op' });
      for (let id = 1; id <= 4; id++) {
        await setCount(keyed, 'alice', id);
        await keyed.snapshot(id);
        await keyed.notifyCheckpointComplete(id);
      }
      await keyed.dispose();
      expect((await listCheckpoints(storage)).map((c) => c.checkpointId)).toEqual(expected);
      await dir.remove();
    }
  });

  it('takes incremental checkpoints with state.backend.incremental: true', async () => {
    const heap = await heapFrom({ 'state.checkpoints.dir': dir.path, 'state.backend.incremental': true });
    const keyed = await heap.createKeyedStateBackend(parameters);
    for (let i = 0; i < 200; i++) await setCount(keyed, `user-${i}`, i);
    const full = await keyed.snapshot(1);
    await setCount(keyed, 'user-7', 700);
    const incremental = await keyed.snapshot(2);
    expect([full.snapshotType, incremental.snapshotType]).toEqual(['full', 'incremental']);
    expect(incremental.bytesWritten).toBeLessThan(full.bytesWritten);
    await keyed.dispose();
    const restored = await heap.createKeyedStateBackend(parameters);
    expect(await countOf(restored, 'user-7')).toBe(700);
    expect(await countOf(restored, 'user-8')).toBe(8);
    await restored.dispose();
  });

  it('fences the previous owner of the key groups', async () => {
    const heap = await heapFrom({ 'state.checkpoints.dir': dir.path });
    const old = await heap.createKeyedStateBackend(parameters);
    await setCount(old, 'alice', 1);
    await old.snapshot(1);
    const successor = await heap.createKeyedStateBackend(parameters);
    await expect(old.snapshot(2)).rejects.toBeInstanceOf(FencedError);
    await successor.snapshot(2);
    await old.dispose();
    await successor.dispose();
  });

  it('takes no checkpoints without state.checkpoints.dir, and still hands out the checkpointing class', async () => {
    const heap = await heapFrom({});
    expect(heap.checkpoints).toBeUndefined();
    const keyed = await heap.createKeyedStateBackend(parameters);
    expect(keyed).toBeInstanceOf(CheckpointingHeapKeyedStateBackend);
    await expect(keyed.snapshot(1)).rejects.toThrow(/has no checkpoint storage/);
    await keyed.dispose();
  });

  it('reports every bad checkpoint option at once, before anything touches the disk', async () => {
    const missing = join(dir.path, 'never-created');
    const error = await heapFrom({
      'state.checkpoints.dir': 's3://bucket/ckpt',
      'state.checkpoints.num-retained': 0,
      'state.backend.incremental': 'yes',
      'state.checkpoints.num-retain': 2,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    const issues = (error as ConfigurationError).issues;
    expect(issues.map((i) => i.key)).toEqual([
      'state.checkpoints.dir',
      'state.checkpoints.num-retained',
      'state.backend.incremental',
      'state.checkpoints.num-retain',
    ]);
    expect(issues[0]?.expected).toMatch(/state.backend.type: s3/);
    expect(issues[3]?.suggestion).toBe('state.checkpoints.num-retained');

    await expect(heapFrom({ 'state.checkpoints.dir': 'relative/ckpt' })).rejects.toThrow(/an absolute path/);
    await expect(
      heapFrom({ 'state.checkpoints.dir': missing, 'state.checkpoints.num-retained': -1 }),
    ).rejects.toThrow(/num-retained/);
    await expect(
      heapFrom({ 'state.checkpoints.num-retained': 2, 'state.backend.incremental': true }),
    ).rejects.toThrow(/state.checkpoints.num-retained: .*expected state.checkpoints.dir to be set too/s);
    expect(existsSync(missing)).toBe(false);
  });
});
