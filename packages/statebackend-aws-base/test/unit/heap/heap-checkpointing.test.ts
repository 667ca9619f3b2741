import {
  CheckpointIdTooLowError,
  CheckpointingHeapBackendBuilder,
  type CheckpointingOptions,
  IncompatibleSerializerError,
  KeyGroupRange,
  ListStateDescriptor,
  LocalCheckpointStorage,
  MapStateDescriptor,
  MetricRegistry,
  SavepointSource,
  Serializers,
  StateMigrationError,
  StateTtlConfig,
  ValueStateDescriptor,
} from '../../../src/index.js';
import { temporaryDirectory } from '../checkpoint/fixtures.js';

const counts = new ValueStateDescriptor('counts', Serializers.int, 0);
const events = new ListStateDescriptor('events', Serializers.string);
const pages = new MapStateDescriptor('pages', Serializers.string, Serializers.int);

describe('the heap backend with checkpoints', () => {
  let dir: { path: string; remove: () => Promise<void> };
  const now = 1_000_000;
  const clock = { currentTimestamp: () => now };
  beforeEach(async () => {
    dir = await temporaryDirectory();
  });
  afterEach(() => dir.remove());

  const storage = () => new LocalCheckpointStorage({ directory: dir.path, jobId: 'job', operatorId: 'op' });
  const build = (options: CheckpointingOptions, range = KeyGroupRange.of(0, 127)) =>
    new CheckpointingHeapBackendBuilder(
      {
        jobId: 'job',
        operatorId: 'op',
        keyGroupRange: range,
        maxParallelism: 128,
        keySerializer: Serializers.string,
        clock,
      },
      { checkpointStorage: storage(), ...options },
    ).build();

  it('restores values, lists and maps exactly as checkpointed, with the source position', async () => {
    const backend = await build({});
    for (const key of ['a', 'b', 'c']) {
      await backend.withKey(key, async (ctx) => {
        await ctx.getState(counts).update(key.charCodeAt(0));
        await ctx.getState(events).add(`${key}-1`);
        await ctx.getState(events).add(`${key}-2`);
        await ctx.getState(pages).put(`/${key}`, 3);
      });
    }
    await backend.snapshot(1, { offset: 99 });
    await backend.dispose();

    const restored = await build({ restoreFrom: 'latest' });
    expect(restored.restored).toMatchObject({
      checkpointId: 1,
      userMetadata: [{ metadata: { offset: 99 } }],
    });
    await restored.withKey('b', async (ctx) => {
      expect(await ctx.getState(counts).value()).toBe(98);
      expect(await ctx.getState(events).get()).toEqual(['b-1', 'b-2']);
      expect(await ctx.getState(pages).get('/b')).toBe(3);
    });
    await restored.dispose();
  });

  it('keeps writes made after snapshot() out of the checkpoint', async () => {
    const backend = await build({});
    await backend.withKey('k', (ctx) => ctx.getState(counts).update(1));
    const pending = backend.snapshot(1);
    await backend.withKey('k', (ctx) => ctx.getState(counts).update(2));
    await backend.withKey('new', (ctx) => ctx.getState(counts).update(5));
    await pending;
    await backend.dispose();
    const restored = await build({ restoreFrom: 'latest' });
    expect(await restored.withKey('k', (ctx) => ctx.getState(counts).value())).toBe(1);
    expect(await restored.withKey('new', (ctx) => ctx.getState(counts).value())).toBe(0);
    await restored.dispose();
  });

  it('names the state and both serializers when a restored state no longer reads', async () => {
    const backend = await build({});
    await backend.withKey('k', (ctx) => ctx.getState(counts).update(1));
    await backend.snapshot(1);
    await backend.dispose();
    const asString = new ValueStateDescriptor('counts', Serializers.string, '');
    await expect(build({ restoreFrom: 'latest', states: [{ descriptor: asString }] })).rejects.toThrow(
      IncompatibleSerializerError,
    );
    const withTtl = new ValueStateDescriptor('counts', Serializers.int, 0).enableTimeToLive(
      StateTtlConfig.newBuilder(1000).build(),
    );
    await expect(build({ restoreFrom: 'latest', states: [{ descriptor: withTtl }] })).rejects.toThrow(
      StateMigrationError,
    );
    const asList = new ListStateDescriptor('counts', Serializers.int);
    await expect(build({ restoreFrom: 'latest', states: [{ descriptor: asList }] })).rejects.toThrow(
      /State 'counts' was checkpointed as a value state but is registered now as a list state/,
    );
  });

  it('carries a restored state nobody registered into the next checkpoint', async () => {
    const backend = await build({});
    await backend.withKey('k', (ctx) => ctx.getState(counts).update(7));
    await backend.snapshot(1);
    await backend.dispose();
    const middle = await build({ restoreFrom: 'latest' });
    await middle.snapshot(2);
    await middle.dispose();
    const last = await build({ restoreFrom: 'latest' });
    expect(last.restored?.checkpointId).toBe(2);
    expect(await last.withKey('k', (ctx) => ctx.getState(counts).value())).toBe(7);
    await last.dispose();
  });

  it('reports checkpoint counts, duration and size as metrics', async () => {
    const registry = new MetricRegistry();
    const backend = await new CheckpointingHeapBackendBuilder(
      {
        jobId: 'job',
        operatorId: 'op',
        keyGroupRange: KeyGroupRange.of(0, 127),
        maxParallelism: 128,
        keySerializer: Serializers.string,
        metricGroup: registry.createGroup({}),
      },
      { checkpointStorage: storage() },
    ).build();
    await backend.withKey('k', (ctx) => ctx.getState(counts).update(1));
    const completed = await backend.snapshot(1);
    await expect(backend.snapshot(1)).rejects.toThrow(CheckpointIdTooLowError);
    const readings = Object.fromEntries(
      registry
        .read()
        .filter((m) => m.identifier.includes('.checkpoints.'))
        .map((m) => [m.identifier.split('.').slice(-1)[0], m.value]),
    );
    expect(readings).toMatchObject({
      numberOfCompletedCheckpoints: { type: 'counter', count: 1 },
      numberOfFailedCheckpoints: { type: 'counter', count: 1 },
      lastCompletedCheckpointId: { type: 'gauge', value: 1 },
      lastCheckpointSize: { type: 'gauge', value: completed.stateSize },
      lastCheckpointBytesWritten: { type: 'gauge', value: completed.bytesWritten },
    });
    expect(completed.stateSize).toBeGreaterThan(0);
    await backend.dispose();
    await registry.close();
  });

  it('exports a savepoint another backend imports', async () => {
    const backend = await build({});
    await backend.withKey('x', (ctx) => ctx.getState(pages).put('/home', 1));
    const chunks: Uint8Array[] = [];
    for await (const chunk of backend.exportSavepoint({ userMetadata: 'pos-1' }).content) chunks.push(chunk);
    await backend.dispose();
    const source = await SavepointSource.fromBytes(new Uint8Array(Buffer.concat(chunks)));
    const imported = await new CheckpointingHeapBackendBuilder(
      {
        jobId: 'other',
        operatorId: 'op',
        keyGroupRange: KeyGroupRange.of(0, 127),
        maxParallelism: 128,
        keySerializer: Serializers.string,
      },
      { restoreFrom: source },
    ).build();
    expect(imported.restored?.userMetadata[0]?.metadata).toBe('pos-1');
    expect(await imported.withKey('x', (ctx) => ctx.getState(pages).get('/home'))).toBe(1);
    await imported.dispose();
  });
});
