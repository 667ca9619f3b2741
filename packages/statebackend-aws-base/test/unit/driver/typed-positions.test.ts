import { ProcessorDriver } from '../../../src/index.js';
import { heapBackendIn, type Rec, records, sumState, tempDirectory } from './driver-fixtures.js';

let dir: Awaited<ReturnType<typeof tempDirectory>>;
beforeEach(async () => {
  dir = await tempDirectory();
});
afterEach(() => dir.remove());

// A type alias: an interface has no index signature, so it is not a JsonValue for TypeScript.
type Position = { readonly partition: number; readonly next: number };

function driverOf(directory: string): ProcessorDriver<Rec, string, Position> {
  return new ProcessorDriver<Rec, string, Position>({
    createBackend: heapBackendIn(directory),
    keyOf: (r) => r.key,
    process: async (r, ctx) => ctx.getState(sumState).update((await ctx.getState(sumState).value()) + r.seq),
    positionOf: (r) => ({ partition: 0, next: r.seq + 1 }),
    comparePositions: (a, b) => a.next - b.next, // typed: no casts
    checkpoint: { everyRecords: 10 },
  });
}

describe('ProcessorDriver generic in its source position', () => {
  it('returns the position as the type positionOf gives, and the next checkpoint id, after a restore', async () => {
    const first = driverOf(dir.path);
    const fresh = await first.start();
    expect(fresh).toMatchObject({ checkpointId: undefined, nextCheckpointId: 1, position: undefined });
    const ended = await first.run(records(0, 25));
    expect(ended.position?.next).toBe(25);
    expect(ended.lastCheckpointId).toBe(3); // after 10, 20 and at the end
    expect(first.nextCheckpointId).toBe(4);
    await first.backend.dispose();

    const second = driverOf(dir.path);
    const resumed = await second.start();
    expect(resumed).toMatchObject({
      checkpointId: 3,
      nextCheckpointId: 4,
      position: { partition: 0, next: 25 },
    });
    // `position.next` type-checks: the position is a Position, not JsonValue.
    const again = await second.run(records(resumed.position?.next ?? 0, 30));
    expect(again).toMatchObject({ lastCheckpointId: 4, position: { next: 30 } });
    await second.backend.dispose();
  });
});
