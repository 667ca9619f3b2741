import {
  assignToKeyGroup,
  type DriverStart,
  KeyGroupRange,
  type ProcessContext,
  ProcessorDriver,
  ProcessorDriverError,
  type ProcessorDriverOptions,
  Serializers,
} from '../../../src/index.js';
import { heapBackendIn, type Rec, records, sumState, tempDirectory } from './driver-fixtures.js';

/**
 * Writers over one shared, replayable source (positions are its offsets): each reads all of it
 * and applies the records of its own key groups. Rescaling merges or splits their ranges.
 */
const ALL = KeyGroupRange.of(0, 127);
const LOW = KeyGroupRange.of(0, 63);
const HIGH = KeyGroupRange.of(64, 127);
const RECORDS = 200;
const KEYS = 40;

const keyGroupOf = (key: string): number => assignToKeyGroup(Serializers.string.serialize(key), 128);

const addSeq = async (record: Rec, ctx: ProcessContext<string>): Promise<void> => {
  const sum = ctx.getState(sumState);
  await sum.update((await sum.value()) + record.seq);
};

/** The shared source from offset `from` to `until`, the records of `range`'s keys only. */
async function* shared(range: KeyGroupRange, from: number, until = RECORDS): AsyncGenerator<Rec> {
  for await (const r of records(from, until, KEYS)) if (range.contains(keyGroupOf(r.key))) yield r;
}

type Options = Partial<ProcessorDriverOptions<Rec, string>>;

function writer(
  directory: string,
  range: KeyGroupRange,
  overrides: Options = {},
): ProcessorDriver<Rec, string> {
  return new ProcessorDriver<Rec, string>({
    createBackend: heapBackendIn(directory, range),
    keyOf: (r) => r.key,
    process: addSeq,
    positionOf: (r) => r.seq + 1,
    checkpoint: { everyRecords: 1000 },
    ...overrides,
  });
}

/** Every key's sum in `driver`'s backend. */
async function sums(driver: ProcessorDriver<Rec, string>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for await (const key of driver.backend.keys('sum')) {
    out[key] = await driver.backend.withKey(key, (ctx) => ctx.getState(sumState).value());
  }
  return out;
}

/** Starts a writer of `range`, runs the shared source from where it resumes until `until`, and returns its state. */
async function runWriter(
  directory: string,
  range: KeyGroupRange,
  until: number,
  overrides: Options = {},
): Promise<{ started: DriverStart; position: unknown; state: Record<string, number> }> {
  const driver = writer(directory, range, overrides);
  const started = await driver.start();
  const from = started.position === undefined ? 0 : resumeOffset(started.position);
  const result = await driver.run(shared(range, from, until));
  const state = await sums(driver);
  await driver.backend.dispose();
  return { started, position: result.position, state };
}

function resumeOffset(position: unknown): number {
  return typeof position === 'number' ? position : (position as { next: number }).next;
}

let dir: Awaited<ReturnType<typeof tempDirectory>>;
let expected: Record<string, number>;
beforeAll(async () => {
  const other = await tempDirectory();
  expected = (await runWriter(other.path, ALL, RECORDS)).state;
  await other.remove();
  const total = Object.values(expected).reduce((a, b) => a + b, 0);
  expect(total).toBe((RECORDS * (RECORDS - 1)) / 2);
  // Both halves own keys, or the tests below would prove nothing.
  expect(Object.keys(expected).filter((k) => LOW.contains(keyGroupOf(k))).length).toBeGreaterThan(5);
  expect(Object.keys(expected).filter((k) => HIGH.contains(keyGroupOf(k))).length).toBeGreaterThan(5);
});
beforeEach(async () => {
  dir = await tempDirectory();
});
afterEach(() => dir.remove());

/** Writer LOW checkpoints at offset 120 of the shared source, writer HIGH at 100. */
async function twoWritersAtDifferentPositions(
  overrides: Options = {},
): Promise<{ low: number; high: number }> {
  const low = await runWriter(dir.path, LOW, 120, overrides);
  const high = await runWriter(dir.path, HIGH, 100, overrides);
  const positions = { low: resumeOffset(low.position), high: resumeOffset(high.position) };
  expect(positions.low).toBeGreaterThan(110);
  expect(positions.high).toBeLessThanOrEqual(100);
  return positions;
}

/** The merged range resumed from `from`, checkpointing every 3 records, stopped at record `stop`. */
async function mergedStoppedAt(from: number, stop: number) {
  const controller = new AbortController();
  const merged = writer(dir.path, ALL, { checkpoint: { everyRecords: 3 } });
  await merged.start();
  async function* abortingAt(): AsyncGenerator<Rec> {
    for await (const r of records(from, RECORDS, KEYS)) {
      if (r.seq === stop) controller.abort();
      yield r;
    }
  }
  const stopped = await merged.run(abortingAt(), { signal: controller.signal });
  await merged.backend.dispose();
  return stopped;
}

describe('ProcessorDriver across rescaling', () => {
  it('merging two writers resumes from the smaller position and applies each record once', async () => {
    const { high } = await twoWritersAtDifferentPositions();
    const merged = writer(dir.path, ALL);
    // The first writer (LOW) is ahead: resuming from its position would lose HIGH's records.
    expect(await merged.start()).toMatchObject({ checkpointId: 1, position: high });
    await merged.run(records(high, RECORDS, KEYS));
    expect(await sums(merged)).toEqual(expected);
    await merged.backend.dispose();
  });

  it('a checkpoint taken while catching up keeps the positions of the key groups still ahead', async () => {
    const { low, high } = await twoWritersAtDifferentPositions();
    const stopped = await mergedStoppedAt(high, 110);
    expect(stopped.reason).toBe('aborted');
    expect(stopped.position as number).toBeLessThan(low);

    const again = writer(dir.path, ALL);
    const resumed = await again.start();
    expect(resumed).toMatchObject({ checkpointId: stopped.lastCheckpointId, position: stopped.position });
    const ahead = again.backend.restored?.userMetadata[0]?.metadata as { version: number; ahead: unknown };
    expect(ahead).toMatchObject({ version: 2, ahead: [{ start: 0, end: 63, position: low }] });
    await again.run(records(stopped.position as number, RECORDS, KEYS));
    expect(await sums(again)).toEqual(expected);
    await again.backend.dispose();
  });

  it('splitting a checkpoint taken while catching up gives each writer the position of its key groups', async () => {
    const { low, high } = await twoWritersAtDifferentPositions();
    const stopped = await mergedStoppedAt(high, 105);
    expect(stopped.position as number).toBeLessThan(low);

    const lowHalf = await runWriter(dir.path, LOW, RECORDS);
    const highHalf = await runWriter(dir.path, HIGH, RECORDS);
    expect(lowHalf.started.position).toBe(low);
    expect(highHalf.started.position).toBe(stopped.position);
    expect({ ...lowHalf.state, ...highHalf.state }).toEqual(expected);
  });

  it('splitting one writer gives both halves its position', async () => {
    const single = await runWriter(dir.path, ALL, 100);
    expect(single.position).toBe(100);
    const lowHalf = await runWriter(dir.path, LOW, RECORDS);
    const highHalf = await runWriter(dir.path, HIGH, RECORDS);
    expect(lowHalf.started).toMatchObject({ checkpointId: 1, position: 100, offset: 100 });
    expect(highHalf.started).toMatchObject({ checkpointId: 1, position: 100, offset: 100 });
    expect({ ...lowHalf.state, ...highHalf.state }).toEqual(expected);
  });

  it('orders positions that are not numbers with comparePositions, and asks for it when missing', async () => {
    const positionOf = (r: Rec) => ({ next: r.seq + 1 });
    const { high } = await twoWritersAtDifferentPositions({ positionOf });
    const unordered = writer(dir.path, ALL, { positionOf });
    const error = await unordered.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessorDriverError);
    expect((error as Error).message).toMatch(/positions \{"next":\d+\} and \{"next":\d+\}.*comparePositions/);
    await unordered.backend.dispose();

    const merged = await runWriter(dir.path, ALL, RECORDS, {
      positionOf,
      comparePositions: (a, b) => (a as { next: number }).next - (b as { next: number }).next,
    });
    expect(merged.started.position).toEqual({ next: high });
    expect(merged.state).toEqual(expected);
  });

  it('one writer per range resumes exactly as before: its own position, no key group ahead', async () => {
    const first = await runWriter(dir.path, ALL, 100);
    const restarted = writer(dir.path, ALL);
    expect(await restarted.start()).toEqual({
      checkpointId: 1,
      nextCheckpointId: 2,
      position: 100,
      offset: 100,
      timers: 0,
    });
    const stored = restarted.backend.restored?.userMetadata ?? [];
    expect(stored).toHaveLength(1);
    expect(stored[0]?.metadata).toEqual({
      format: 'statebackend-driver',
      version: 1,
      offset: 100,
      position: 100,
      watermark: null,
      dataWatermark: null,
      maxTimestamp: null,
    });
    await restarted.run(records(100, RECORDS, KEYS));
    expect(await sums(restarted)).toEqual(expected);
    expect(first.position).toBe(100);
    await restarted.backend.dispose();
  });
});
