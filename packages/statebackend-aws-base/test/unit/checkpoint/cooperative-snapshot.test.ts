import { encodeKeyGroupFile } from '../../../src/checkpoint/snapshot/key-group-file-encoder.js';
import { TableSnapshotView } from '../../../src/heap/checkpointing/table-snapshot-view.js';
import {
  CheckpointingHeapBackendBuilder,
  type CheckpointingOptions,
  KeyGroupRange,
  LocalCheckpointStorage,
  Serializers,
  ValueStateDescriptor,
} from '../../../src/index.js';
import { temporaryDirectory } from './fixtures.js';

// The asynchronous part of a snapshot shares the one JavaScript thread with record processing:
// it must give the event loop turns while it encodes, within a key group too, and the records
// processed meanwhile must not reach the checkpoint.

const counts = new ValueStateDescriptor('counts', Serializers.int, 0);
const CELLS = 30_000;

describe('a snapshot written while records are processed', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await temporaryDirectory();
  });
  afterEach(() => dir.remove());

  // One key group, so that every cell is in the same one: slicing must happen inside it.
  const build = (options: CheckpointingOptions = {}) =>
    new CheckpointingHeapBackendBuilder(
      {
        jobId: 'job',
        operatorId: 'op',
        keyGroupRange: KeyGroupRange.of(0, 0),
        maxParallelism: 1,
        keySerializer: Serializers.string,
      },
      {
        checkpointStorage: new LocalCheckpointStorage({
          directory: dir.path,
          jobId: 'job',
          operatorId: 'op',
        }),
        states: [{ descriptor: counts }],
        ...options,
      },
    ).build();

  it('lets records run between slices of one large key group, and keeps their writes out of it', async () => {
    const backend = await build();
    await Promise.all(
      Array.from({ length: CELLS }, (_, i) =>
        backend.withKey(`k${i}`, (ctx) => ctx.getState(counts).update(i)),
      ),
    );
    let done = false;
    let turns = 0;
    let processed = 0;
    const pending = backend.snapshot(1).finally(() => {
      done = true;
    });
    while (!done) {
      const key = `k${processed % CELLS}`;
      await backend.withKey(key, (ctx) => ctx.getState(counts).update(-1));
      await backend.withKey(`new-${processed}`, (ctx) => ctx.getState(counts).update(-1));
      processed++;
      turns++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const completed = await pending;
    expect(turns).toBeGreaterThan(1);
    expect(completed.entriesWritten).toBe(CELLS);
    await backend.dispose();

    const restored = await build({ restoreFrom: { checkpointId: 1 }, restore: { mode: 'eager' } });
    expect(restored.numEntries()).toBe(CELLS);
    const values = await Promise.all(
      [0, 1, CELLS - 1].map((i) => restored.withKey(`k${i}`, (ctx) => ctx.getState(counts).value())),
    );
    expect(values).toEqual([0, 1, CELLS - 1]);
    await restored.dispose();
  });

  it('encodes one large key group in slices, with turns of the event loop between them', async () => {
    const backend = await build();
    await Promise.all(
      Array.from({ length: CELLS }, (_, i) =>
        backend.withKey(`k${i}`, (ctx) => ctx.getState(counts).update(i)),
      ),
    );
    const view = new TableSnapshotView(backend.snapshotTables(), 1, Serializers.string);
    // Under the 1 MiB chunk size: a single chunk at the end, so only slicing can give turns.
    const encoded = encodeKeyGroupFile(view, [0][Symbol.iterator](), { kind: 'data', dropExpired: false });
    let turns = 0;
    let encoding = true;
    const tick = (): void => {
      turns++;
      if (encoding) setImmediate(tick);
    };
    setImmediate(tick);
    let size = 0;
    for await (const chunk of encoded.content) size += chunk.length;
    encoding = false;
    view.release();
    expect(size).toBe(encoded.result().size);
    expect(encoded.result().entries).toBe(CELLS);
    expect(turns).toBeGreaterThan(5);
    await backend.dispose();
  });

  it('lets go of each key group once written, and keeps writes to any key group out of the checkpoint', async () => {
    const dirPath = dir.path;
    const many = (options: CheckpointingOptions = {}) =>
      new CheckpointingHeapBackendBuilder(
        {
          jobId: 'job',
          operatorId: 'many',
          keyGroupRange: KeyGroupRange.of(0, 127),
          maxParallelism: 128,
          keySerializer: Serializers.string,
        },
        {
          checkpointStorage: new LocalCheckpointStorage({
            directory: dirPath,
            jobId: 'job',
            operatorId: 'many',
          }),
          states: [{ descriptor: counts }],
          ...options,
        },
      ).build();
    const backend = await many();
    await Promise.all(
      Array.from({ length: CELLS }, (_, i) =>
        backend.withKey(`k${i}`, (ctx) => ctx.getState(counts).update(i)),
      ),
    );
    let done = false;
    let round = 0;
    const pending = backend.snapshot(1).finally(() => {
      done = true;
    });
    // Every key, over and over, in key groups written already and in those still to write.
    while (!done) {
      round++;
      for (let i = round % 50; i < CELLS; i += 50) {
        await backend.withKey(`k${i}`, (ctx) => ctx.getState(counts).update(-round));
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await pending;
    expect(round).toBeGreaterThan(1);
    const live = await backend.withKey(`k${round % 50}`, (ctx) => ctx.getState(counts).value());
    expect(live).toBe(-round);
    await backend.dispose();

    const restored = await many({ restoreFrom: { checkpointId: 1 } });
    const values = await Promise.all(
      Array.from({ length: CELLS }, (_, i) =>
        restored.withKey(`k${i}`, (ctx) => ctx.getState(counts).value()),
      ),
    );
    expect(values.filter((v, i) => v !== i)).toEqual([]);
    await restored.dispose();
  });
});
