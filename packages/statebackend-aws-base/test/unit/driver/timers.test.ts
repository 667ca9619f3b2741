import { TIMER_STATE_NAME } from '../../../src/driver/timers/timer-state.js';
import { ProcessorDriver, type Timer } from '../../../src/index.js';
import { deferred, heapBackendIn, type Rec, records, tempDirectory } from './driver-fixtures.js';

let dir: Awaited<ReturnType<typeof tempDirectory>>;
beforeEach(async () => {
  dir = await tempDirectory();
});
afterEach(() => dir.remove());

/** A driver whose records register an event-time timer 100 ms after them, and which logs what fires. */
function eventTimeDriver(fired: Timer<string>[], options: { fireTimersAtEnd?: boolean } = {}) {
  return new ProcessorDriver<Rec, string>({
    createBackend: heapBackendIn(dir.path),
    keyOf: (r) => r.key,
    process: async (r, ctx) => {
      expect(ctx.timestamp).toBe(r.ts);
      await ctx.timers.registerEventTimeTimer(r.ts + 100, 'timeout');
    },
    onTimer: (timer, ctx) => {
      expect(ctx.key).toBe(timer.key);
      expect(ctx.timers.currentWatermark).toBeGreaterThanOrEqual(timer.timestamp);
      fired.push(timer);
    },
    eventTime: { timestampOf: (r) => r.ts, watermarkEveryRecords: 5 },
    checkpoint: { everyRecords: 4 },
    ...options,
  });
}

describe('ProcessorDriver timers', () => {
  it('fires event-time timers once the watermark passes them, per key, in timestamp order', async () => {
    const fired: Timer<string>[] = [];
    const driver = eventTimeDriver(fired, { fireTimersAtEnd: false });
    await driver.start();
    await driver.run(records(0, 30, 3));
    // The last watermark goes before record 25 (every 5, from the first): its ts 250 - 1 = 249,
    // so the timers up to 249 fired: those of records 0..14.
    expect(driver.currentWatermark).toBe(249);
    expect(fired.map((t) => t.timestamp)).toEqual(Array.from({ length: 15 }, (_, i) => i * 10 + 100));
    expect(fired.every((t) => t.key === `k${((t.timestamp - 100) / 10) % 3}` && t.name === 'timeout')).toBe(
      true,
    );
    await driver.backend.dispose();
  });

  it('keeps timers in the checkpoint: they fire after a restore', async () => {
    const controller = new AbortController();
    const before: Timer<string>[] = [];
    const first = eventTimeDriver(before);
    await first.start();
    async function* abortingAt(stop: number): AsyncGenerator<Rec> {
      for await (const r of records(0, 100, 4)) {
        if (r.seq === stop) controller.abort();
        yield r;
      }
    }
    await first.run(abortingAt(20), { signal: controller.signal });
    // The last watermark, before record 15, is 149: the timers of records 0..4 fired, those of 5..19 are pending.
    expect(before.map((t) => t.timestamp)).toEqual(Array.from({ length: 5 }, (_, i) => 100 + i * 10));
    await first.backend.dispose();

    const after: Timer<string>[] = [];
    const second = eventTimeDriver(after);
    const start = await second.start();
    expect(start).toMatchObject({ offset: 20, timers: 15 });
    const keys: string[] = [];
    for await (const key of second.backend.keys(TIMER_STATE_NAME)) keys.push(key);
    expect(keys.sort()).toEqual(['k0', 'k1', 'k2', 'k3']);
    await second.run(records(20, 30, 4));
    // Watermarks before records 20 and 25 fire the restored timers of records 5..14, and the end of
    // the input every timer left: the restored ones of records 15..19 and the new ones.
    expect(after.map((t) => t.timestamp)).toEqual(Array.from({ length: 25 }, (_, i) => 150 + i * 10));
    await second.backend.dispose();
  });

  it('fires processing-time timers restored from a checkpoint once the clock reaches them', async () => {
    let now = 1_000;
    const fired: Timer<string>[] = [];
    const make = () =>
      new ProcessorDriver<Rec, string>({
        createBackend: heapBackendIn(dir.path),
        keyOf: (r) => r.key,
        process: (r, ctx) => ctx.timers.registerProcessingTimeTimer(now + 500, `reminder-${r.seq}`),
        onTimer: (timer) => {
          fired.push(timer);
        },
        now: () => now,
      });
    const first = make();
    await first.start();
    await first.run(records(0, 2, 2));
    expect(fired).toEqual([]);
    await first.backend.dispose();

    now = 2_000;
    const second = make();
    expect((await second.start()).timers).toBe(2);
    const controller = new AbortController();
    async function* waitForTimers(): AsyncGenerator<Rec> {
      while (fired.length < 2) await new Promise((resolve) => setImmediate(resolve));
      controller.abort();
      yield* [];
    }
    await second.run(waitForTimers(), { signal: controller.signal });
    expect(fired.map((t) => [t.key, t.domain, t.timestamp, t.name]).sort()).toEqual([
      ['k0', 'processing', 1500, 'reminder-0'],
      ['k1', 'processing', 1500, 'reminder-1'],
    ]);
    await second.backend.dispose();
  });

  it('wakes up for a processing-time timer registered while the source is idle', async () => {
    const fired = deferred<Timer<string>>();
    const driver = new ProcessorDriver<Rec, string>({
      createBackend: heapBackendIn(dir.path),
      keyOf: (r) => r.key,
      process: (_r, ctx) => ctx.timers.registerProcessingTimeTimer(ctx.timers.currentProcessingTime(), 'now'),
      onTimer: (timer) => fired.resolve(timer),
      // Without the wake-up, the loop would sleep until this interval.
      checkpoint: { intervalMs: 3_600_000 },
    });
    await driver.start();
    let seen: Timer<string> | undefined;
    async function* oneThenWait(): AsyncGenerator<Rec> {
      yield* records(0, 1);
      seen = await fired.promise;
    }
    await driver.run(oneThenWait());
    expect(seen).toMatchObject({ key: 'k0', domain: 'processing', name: 'now' });
    await driver.backend.dispose();
  });

  it('does not fire a deleted timer', async () => {
    const fired: Timer<string>[] = [];
    const driver = new ProcessorDriver<Rec, string>({
      createBackend: heapBackendIn(dir.path),
      keyOf: (r) => r.key,
      process: async (r, ctx) => {
        // Each record moves its key's single timeout: only the last one of each key survives.
        await ctx.timers.deleteEventTimeTimer(r.ts - 10 + 100);
        await ctx.timers.registerEventTimeTimer(r.ts + 100);
      },
      onTimer: (timer) => {
        fired.push(timer);
      },
      eventTime: { timestampOf: (r) => r.ts },
    });
    await driver.start();
    await driver.run(records(0, 10, 1));
    expect(fired.map((t) => t.timestamp)).toEqual([190]);
    await driver.backend.dispose();
  });
});
