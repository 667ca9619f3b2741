import type { RestoredCheckpointInfo } from '../../../src/backend/checkpointing-keyed-state-backend.js';
import type { JsonValue } from '../../../src/checkpoint/json.js';
import {
  type DriverMetadata,
  decodeDriverMetadata,
  encodeDriverMetadata,
} from '../../../src/driver/driver-metadata.js';
import { PositionOrder } from '../../../src/driver/position-order.js';
import { resumePoint } from '../../../src/driver/resume-point.js';
import { KeyGroupRange, ProcessorDriver, ProcessorDriverError } from '../../../src/index.js';

const numeric = new PositionOrder(undefined);

function metadata(position: JsonValue | undefined, fields: Partial<DriverMetadata> = {}): JsonValue {
  return encodeDriverMetadata({
    offset: typeof position === 'number' ? position : 0,
    position,
    watermark: Number.NEGATIVE_INFINITY,
    dataWatermark: Number.NEGATIVE_INFINITY,
    maxTimestamp: Number.NEGATIVE_INFINITY,
    ...fields,
  });
}

function restored(...parts: [KeyGroupRange, JsonValue | undefined][]): RestoredCheckpointInfo {
  return {
    description: 'checkpoint 3',
    checkpointId: 3,
    userMetadata: parts.map(([keyGroupRange, m]) => ({ keyGroupRange, metadata: m })),
    entries: 0,
  };
}

describe('resumePoint', () => {
  it('resumes a part some other program wrote from the beginning, the driver parts skipping what they applied', () => {
    const point = resumePoint(
      restored(
        [KeyGroupRange.of(0, 63), { some: 'other format' }],
        [KeyGroupRange.of(64, 127), metadata(50)],
      ),
      KeyGroupRange.of(0, 127),
      numeric,
    );
    expect(point.progress).toMatchObject({ offset: 0, position: undefined });
    expect(point.ahead?.keyGroups).toBe(64);
    expect(point.ahead?.alreadyApplied(70, 50)).toBe(true);
    expect(point.ahead?.alreadyApplied(70, 51)).toBe(false);
    expect(point.ahead?.alreadyApplied(10, 1)).toBe(false);
  });

  it('takes the offset of the writer it resumes at and the smallest watermarks of all', () => {
    const point = resumePoint(
      restored(
        [KeyGroupRange.of(0, 63), metadata(120, { watermark: 900, dataWatermark: 900, maxTimestamp: 1000 })],
        [KeyGroupRange.of(64, 127), metadata(100, { watermark: 700, dataWatermark: 700, maxTimestamp: 800 })],
      ),
      KeyGroupRange.of(0, 127),
      numeric,
    );
    expect(point.progress).toEqual({
      offset: 100,
      position: 100,
      watermark: 700,
      dataWatermark: 700,
      maxTimestamp: 800,
    });
    expect(point.ahead?.aheadOf(110)).toEqual([{ keyGroupRange: KeyGroupRange.of(0, 63), position: 120 }]);
    expect(point.ahead?.aheadOf(120)).toEqual([]);
    expect(point.ahead?.passedBy(119)).toBe(false);
    expect(point.ahead?.passedBy(120)).toBe(true);
  });

  it('keeps only the key groups of the range restored, from the part and its key groups ahead', () => {
    const part = metadata(10, { ahead: [{ keyGroupRange: KeyGroupRange.of(0, 31), position: 20 }] });
    const half = resumePoint(restored([KeyGroupRange.of(0, 127), part]), KeyGroupRange.of(0, 63), numeric);
    expect(half.progress.position).toBe(10);
    expect(half.ahead?.aheadOf(10)).toEqual([{ keyGroupRange: KeyGroupRange.of(0, 31), position: 20 }]);
    const quarter = resumePoint(restored([KeyGroupRange.of(0, 127), part]), KeyGroupRange.of(8, 15), numeric);
    expect(quarter.progress.position).toBe(20);
    expect(quarter.ahead).toBeUndefined();
    const other = resumePoint(restored([KeyGroupRange.of(0, 127), part]), KeyGroupRange.of(64, 127), numeric);
    expect(other.progress.position).toBe(10);
    expect(other.ahead).toBeUndefined();
  });

  it('rejects a comparator that returns no number', () => {
    const broken = new PositionOrder(() => Number.NaN);
    expect(() =>
      resumePoint(
        restored([KeyGroupRange.of(0, 63), metadata('b')], [KeyGroupRange.of(64, 127), metadata('a')]),
        KeyGroupRange.of(0, 127),
        broken,
      ),
    ).toThrow(/Invalid comparePositions result for "[ab]" and "[ab]": received NaN/);
  });
});

describe('driver metadata', () => {
  it('writes version 2 only with key groups ahead, and reads both', () => {
    const base: DriverMetadata = {
      offset: 4,
      position: { next: 4 },
      watermark: 10,
      dataWatermark: 10,
      maxTimestamp: 12,
    };
    expect(encodeDriverMetadata(base)).toMatchObject({ version: 1 });
    expect(encodeDriverMetadata(base)).not.toHaveProperty('ahead');
    const ahead = { ...base, ahead: [{ keyGroupRange: KeyGroupRange.of(3, 9), position: { next: 7 } }] };
    const json = encodeDriverMetadata(ahead);
    expect(json).toMatchObject({ version: 2, ahead: [{ start: 3, end: 9, position: { next: 7 } }] });
    expect(decodeDriverMetadata(json)).toEqual(ahead);
    expect(decodeDriverMetadata(encodeDriverMetadata(base))).toEqual(base);
    const broken = { ...(json as Record<string, JsonValue>), ahead: [{ start: 9, end: 3, position: 1 }] };
    expect(decodeDriverMetadata(broken)).toBeUndefined();
  });

  it('rejects a comparePositions that is not a function', () => {
    const options = {
      createBackend: () => Promise.reject(new Error('unused')),
      keyOf: (r: string) => r,
      process: () => undefined,
      comparePositions: 'numeric',
    } as unknown as ConstructorParameters<typeof ProcessorDriver<string, string>>[0];
    expect(() => new ProcessorDriver(options)).toThrow(ProcessorDriverError);
    expect(() => new ProcessorDriver(options)).toThrow(/comparePositions: received string/);
  });
});
