import {
  type ProcessContext,
  ProcessorDriver,
  ProcessorDriverError,
  RecordProcessingError,
} from '../../../src/index.js';
import {
  checkpointLog,
  deferred,
  heapBackendIn,
  type Rec,
  records,
  sumState,
  tempDirectory,
} from './driver-fixtures.js';

let dir: Awaited<ReturnType<typeof tempDirectory>>;
beforeEach(async () => {
  dir = await tempDirectory();
});
afterEach(() => dir.remove());

const addSeq = async (record: Rec, ctx: ProcessContext<string>): Promise<void> => {
  const sum = ctx.getState(sumState);
  await sum.update((await sum.value()) + record.seq);
};

/** The sum state of every key, read from the driver's backend. */
async function sums(driver: ProcessorDriver<Rec, string>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for await (const key of driver.backend.keys('sum')) {
    out[key] = await driver.backend.withKey(key, (ctx) => ctx.getState(sumState).value());
  }
  return out;
}

function driverIn(
  directory: string,
  overrides: Partial<ConstructorParameters<typeof ProcessorDriver<Rec, string>>[0]> = {},
) {
  return new ProcessorDriver<Rec, string>({
    createBackend: heapBackendIn(directory),
    keyOf: (r) => r.key,
    process: addSeq,
    ...overrides,
  });
}

describe('ProcessorDriver checkpoints', () => {
  it('checkpoints every N records, and once more at the end of the input', async () => {
    const log = checkpointLog();
    const driver = driverIn(dir.path, { checkpoint: { everyRecords: 10 }, onCheckpoint: log.onCheckpoint });
    await driver.start();
    const result = await driver.run(records(0, 35));
    expect(result).toMatchObject({
      reason: 'end',
      offset: 35,
      position: 35,
      lastCheckpointId: 4,
      checkpoints: 4,
    });
    expect(log.checkpoints.map((c) => [c.checkpointId, c.offset])).toEqual([
      [1, 10],
      [2, 20],
      [3, 30],
      [4, 35],
    ]);
    await driver.backend.dispose();
  });

  it('checkpoints after the interval when records stall', async () => {
    const log = checkpointLog();
    const checkpointed = deferred();
    const controller = new AbortController();
    const driver = driverIn(dir.path, {
      checkpoint: { everyRecords: 1000, intervalMs: 20 },
      onCheckpoint: (c) => {
        log.onCheckpoint(c);
        checkpointed.resolve();
      },
    });
    await driver.start();
    async function* stalling(): AsyncGenerator<Rec> {
      yield* records(0, 3);
      await checkpointed.promise;
      controller.abort();
      await new Promise(() => {});
    }
    const result = await driver.run(stalling(), { signal: controller.signal });
    expect(log.checkpoints[0]).toEqual({ checkpointId: 1, offset: 3, position: 3 });
    expect(result).toMatchObject({ reason: 'aborted', offset: 3, lastCheckpointId: 1 });
    await driver.backend.dispose();
  });

  it('restores the latest checkpoint and returns the position to resume from: the result equals an uninterrupted run', async () => {
    const controller = new AbortController();
    const first = driverIn(dir.path, {
      checkpoint: { everyRecords: 7 },
      positionOf: (r) => ({ next: r.seq + 1 }),
    });
    expect(await first.start()).toEqual({
      checkpointId: undefined,
      nextCheckpointId: 1,
      position: undefined,
      offset: 0,
      timers: 0,
    });
    async function* abortingAt(stop: number): AsyncGenerator<Rec> {
      for await (const r of records(0, 100)) {
        if (r.seq === stop) controller.abort();
        yield r;
      }
    }
    const stopped = await first.run(abortingAt(23), { signal: controller.signal });
    expect(stopped).toMatchObject({ reason: 'aborted', offset: 23, position: { next: 23 } });
    await first.backend.dispose();

    const second = driverIn(dir.path, {
      checkpoint: { everyRecords: 7 },
      positionOf: (r) => ({ next: r.seq + 1 }),
    });
    const resumed = await second.start();
    expect(resumed).toMatchObject({
      checkpointId: stopped.lastCheckpointId,
      position: { next: 23 },
      offset: 23,
    });
    const next = (resumed.position as { next: number }).next;
    await second.run(records(next, 100));

    const other = await tempDirectory();
    const uninterrupted = driverIn(other.path);
    await uninterrupted.start();
    await uninterrupted.run(records(0, 100));
    expect(await sums(second)).toEqual(await sums(uninterrupted));
    expect(Object.values(await sums(second)).reduce((a, b) => a + b, 0)).toBe((99 * 100) / 2);
    await Promise.all([second.backend.dispose(), uninterrupted.backend.dispose()]);
    await other.remove();
  });

  it('stops without a checkpoint when the function fails, so a restart processes the record again', async () => {
    const log = checkpointLog();
    let failOn: number | undefined = 15;
    const process = async (record: Rec, ctx: ProcessContext<string>): Promise<void> => {
      if (record.seq === failOn) throw new Error('boom');
      await addSeq(record, ctx);
    };
    const first = driverIn(dir.path, {
      process,
      checkpoint: { everyRecords: 10 },
      onCheckpoint: log.onCheckpoint,
    });
    await first.start();
    const failure = await first.run(records(0, 40)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RecordProcessingError);
    expect(failure).toMatchObject({ offset: 15, message: expect.stringContaining('record 15 failed: boom') });
    expect(log.checkpoints.map((c) => c.offset)).toEqual([10]);
    await first.backend.dispose();

    failOn = undefined;
    const second = driverIn(dir.path, { process });
    const { position } = await second.start();
    expect(position).toBe(10);
    await second.run(records(10, 40));
    expect(Object.values(await sums(second)).reduce((a, b) => a + b, 0)).toBe((39 * 40) / 2);
    await second.backend.dispose();
  });

  it('rejects run() before start() and options out of range', async () => {
    const driver = driverIn(dir.path);
    await expect(driver.run(records(0, 1))).rejects.toThrow(ProcessorDriverError);
    expect(() => driverIn(dir.path, { maxInFlight: 0 })).toThrow(/maxInFlight: received 0/);
    expect(() => driverIn(dir.path, { checkpoint: { everyRecords: 1.5 } })).toThrow(/positive integer/);
    expect(() => driverIn(dir.path, { ttlTime: 'event' })).toThrow(/needs eventTime/);
  });
});
