import { ListStateDescriptor, ProcessorDriver, Serializers } from '../../../src/index.js';
import { deferred, heapBackendIn, type Rec, records, sumState, tempDirectory } from './driver-fixtures.js';

let dir: Awaited<ReturnType<typeof tempDirectory>>;
beforeEach(async () => {
  dir = await tempDirectory();
});
afterEach(() => dir.remove());

const seen = new ListStateDescriptor<number>('seen', Serializers.int);

/** Yields to the event loop `n` times, so that awaits of different records interleave. */
async function yieldTimes(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('ProcessorDriver concurrency', () => {
  it('processes keys concurrently up to maxInFlight, keeping each key in order and its state its own', async () => {
    let running = 0;
    let highest = 0;
    const driver = new ProcessorDriver<Rec, string>({
      createBackend: heapBackendIn(dir.path),
      keyOf: (r) => r.key,
      process: async (r, ctx) => {
        running++;
        highest = Math.max(highest, running);
        const list = ctx.getState(seen);
        // Records take different times: later records of other keys overtake earlier ones.
        await yieldTimes((r.seq * 7) % 5);
        await list.add(r.seq);
        expect(ctx.key).toBe(r.key);
        running--;
      },
      maxInFlight: 4,
      checkpoint: { everyRecords: 25 },
    });
    await driver.start();
    await driver.run(records(0, 200, 10));
    expect(highest).toBe(4);
    for (let k = 0; k < 10; k++) {
      const values = await driver.backend.withKey(`k${k}`, (ctx) => ctx.getState(seen).get());
      expect(values).toEqual(Array.from({ length: 20 }, (_, i) => i * 10 + k));
    }
    await driver.backend.dispose();
  });

  it('on abort, drains the records in flight and checkpoints them with the position after them', async () => {
    const gate = deferred();
    const started = deferred();
    let inFlight = 0;
    const controller = new AbortController();
    const driver = new ProcessorDriver<Rec, string>({
      createBackend: heapBackendIn(dir.path),
      keyOf: (r) => r.key,
      process: async (r, ctx) => {
        if (++inFlight === 3) started.resolve();
        await gate.promise;
        const sum = ctx.getState(sumState);
        await sum.update((await sum.value()) + r.seq + 1);
      },
      maxInFlight: 8,
    });
    await driver.start();
    async function* three(): AsyncGenerator<Rec> {
      yield* records(0, 3, 3);
      await started.promise;
      controller.abort();
      gate.resolve();
      await new Promise(() => {});
    }
    const result = await driver.run(three(), { signal: controller.signal });
    expect(result).toMatchObject({
      reason: 'aborted',
      offset: 3,
      position: 3,
      lastCheckpointId: 1,
      checkpoints: 1,
    });
    await driver.backend.dispose();

    const restarted = new ProcessorDriver<Rec, string>({
      createBackend: heapBackendIn(dir.path),
      keyOf: (r) => r.key,
      process: () => {},
    });
    expect(await restarted.start()).toMatchObject({ checkpointId: 1, position: 3 });
    const sums = await Promise.all(
      ['k0', 'k1', 'k2'].map((k) => restarted.backend.withKey(k, (ctx) => ctx.getState(sumState).value())),
    );
    expect(sums).toEqual([1, 2, 3]);
    await restarted.backend.dispose();
  });
});
