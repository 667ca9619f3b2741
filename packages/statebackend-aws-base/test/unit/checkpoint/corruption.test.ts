import { readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CheckpointingHeapBackendBuilder,
  type CheckpointingOptions,
  CorruptCheckpointError,
  KeyGroupRange,
  LocalCheckpointStorage,
  NotACheckpointError,
  Serializers,
  UnsupportedCheckpointVersionError,
  ValueStateDescriptor,
} from '../../../src/index.js';
import { temporaryDirectory } from './fixtures.js';
import { TEST_PARAMETERS } from './helpers.js';

const counts = new ValueStateDescriptor('counts', Serializers.int, 0);

describe('restoring a damaged checkpoint', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let base: string;
  beforeEach(async () => {
    dir = await temporaryDirectory();
    base = join(dir.path, 'job', 'op');
  });
  afterEach(() => dir.remove());

  const storage = () => new LocalCheckpointStorage({ directory: dir.path, jobId: 'job', operatorId: 'op' });
  const build = (options: CheckpointingOptions) =>
    new CheckpointingHeapBackendBuilder(TEST_PARAMETERS, {
      checkpointStorage: storage(),
      states: [{ descriptor: counts }],
      ...options,
    }).build();

  /** Takes checkpoints 1 and 2 (both retained) of 500 keys; returns the data file of 2. */
  async function twoCheckpoints(): Promise<string> {
    const backend = await build({ retainedCheckpoints: 2 });
    for (const round of [1, 2]) {
      for (let i = 0; i < 500; i++)
        await backend.withKey(`k${i}`, (ctx) => ctx.getState(counts).update(i * round));
      await backend.snapshot(round);
      await backend.notifyCheckpointComplete(round);
    }
    await backend.dispose();
    const file = (await readdir(join(base, 'chk-2'))).find((name) => name.endsWith('.sbkg'));
    return join(base, 'chk-2', file ?? 'missing');
  }

  /** The error an eager restore of the latest checkpoint fails its build with. */
  async function restoreFails(): Promise<unknown> {
    return build({ restoreFrom: 'latest', restore: { mode: 'eager' } }).then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  it('reports a flipped byte in a data file, naming the file and the key group', async () => {
    const dataFile = await twoCheckpoints();
    const bytes = await readFile(dataFile);
    bytes[100] = (bytes[100] as number) ^ 0xff;
    await writeFile(dataFile, bytes);
    const error = await restoreFails();
    expect(error).toBeInstanceOf(CorruptCheckpointError);
    expect((error as CorruptCheckpointError).file).toContain('chk-2/');
    expect((error as Error).message).toMatch(
      /checksum of key group \d+ is 0x[0-9a-f]{8}, expected 0x[0-9a-f]{8}/,
    );
  });

  it('restoring lazily, fails the records of the key group with a flipped byte and the next checkpoint, naming the file and the key group', async () => {
    const dataFile = await twoCheckpoints();
    const bytes = await readFile(dataFile);
    bytes[100] = (bytes[100] as number) ^ 0xff;
    await writeFile(dataFile, bytes);
    const restored = await build({ restoreFrom: 'latest', restore: { mode: 'lazy' } });
    const outcomes = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        restored
          .withKey(`k${i}`, (ctx) => ctx.getState(counts).value())
          .then(
            (value) => ({ i, value }),
            (error: unknown) => ({ i, error }),
          ),
      ),
    );
    const failed = outcomes.filter((o) => 'error' in o);
    // Only the records of the damaged key group fail; the others read checkpoint 2.
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThan(500);
    for (const outcome of outcomes) if ('value' in outcome) expect(outcome.value).toBe(outcome.i * 2);
    const error = (failed[0] as { error: unknown }).error;
    expect(error).toBeInstanceOf(CorruptCheckpointError);
    expect((error as CorruptCheckpointError).file).toContain('chk-2/');
    expect((error as Error).message).toMatch(
      /checksum of key group \d+ is 0x[0-9a-f]{8}, expected 0x[0-9a-f]{8}/,
    );
    await expect(restored.whenRestored()).rejects.toBeInstanceOf(CorruptCheckpointError);
    await expect(restored.snapshot(3)).rejects.toBeInstanceOf(CorruptCheckpointError);
    await restored.dispose();
  });

  it('restoring lazily, still fails the build on a truncated or missing data file (its index is read first)', async () => {
    const dataFile = await twoCheckpoints();
    const lazily = () =>
      build({ restoreFrom: 'latest', restore: { mode: 'lazy' } }).then(
        () => undefined,
        (error: unknown) => error,
      );
    await truncate(dataFile, 200);
    expect(await lazily()).toMatchObject({
      name: 'CorruptCheckpointError',
      reason: expect.stringMatching(/truncated/),
    });
    await rm(dataFile);
    expect(await lazily()).toMatchObject({
      name: 'CorruptCheckpointError',
      reason: expect.stringMatching(/missing/),
    });
  });

  it('reports a truncated data file', async () => {
    const dataFile = await twoCheckpoints();
    await truncate(dataFile, 200);
    expect(await restoreFails()).toMatchObject({
      name: 'CorruptCheckpointError',
      reason: expect.stringMatching(/truncated/),
    });
  });

  it('reports a data file that is gone', async () => {
    const dataFile = await twoCheckpoints();
    await rm(dataFile);
    expect(await restoreFails()).toMatchObject({
      name: 'CorruptCheckpointError',
      reason: expect.stringMatching(/missing/),
    });
  });

  it('names a metadata file written by a newer release, and a damaged one', async () => {
    await twoCheckpoints();
    const metadataName = (await readdir(join(base, 'chk-2'))).find((name) => name.startsWith('_metadata'));
    const metadataFile = join(base, 'chk-2', metadataName ?? 'missing');
    const original = await readFile(metadataFile);
    const future = Buffer.from(original);
    future.writeUInt16LE(7, 4);
    await writeFile(metadataFile, future);
    const error = await restoreFails();
    expect(error).toBeInstanceOf(UnsupportedCheckpointVersionError);
    expect(error).toMatchObject({ version: 7, supported: [1, 2] });
    const damaged = Buffer.from(original);
    damaged[20] = (damaged[20] as number) ^ 1;
    await writeFile(metadataFile, damaged);
    expect(await restoreFails()).toBeInstanceOf(CorruptCheckpointError);
  });

  it('still restores an intact older checkpoint on request', async () => {
    const dataFile = await twoCheckpoints();
    await truncate(dataFile, 10);
    const restored = await build({ restoreFrom: { checkpointId: 1 } });
    expect(await restored.withKey('k7', (ctx) => ctx.getState(counts).value())).toBe(7);
    await restored.dispose();
  });

  it('tells a directory that is not a checkpoint from one that is', async () => {
    await twoCheckpoints();
    await expect(LocalCheckpointStorage.openCheckpointDirectory(base)).rejects.toThrow(
      /is not a checkpoint or savepoint: its name is not 'chk-<checkpoint id>'/,
    );
    await expect(LocalCheckpointStorage.openCheckpointDirectory(join(base, 'chk-9'))).rejects.toThrow(
      NotACheckpointError,
    );
    const writer = storage();
    await writer.writeFile(
      await writer.claim(KeyGroupRange.of(0, 127)),
      3,
      'exclusive',
      new Uint8Array([1, 2, 3]),
    );
    await expect(LocalCheckpointStorage.openCheckpointDirectory(join(base, 'chk-3'))).rejects.toThrow(
      /holds no metadata file, so the checkpoint never completed/,
    );
    const handle = await LocalCheckpointStorage.openCheckpointDirectory(join(base, 'chk-1'));
    expect(handle.checkpointId).toBe(1);
    const restored = await build({ restoreFrom: handle });
    expect(restored.restored?.checkpointId).toBe(1);
    await restored.dispose();
  });
});
