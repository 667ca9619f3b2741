import { encodeJsonEnvelope } from '../../../src/checkpoint/format/json-envelope.js';
import {
  encodeCheckpointMetadata,
  METADATA_MAGIC,
} from '../../../src/checkpoint/metadata/checkpoint-metadata.js';
import {
  CorruptCheckpointError,
  KeyGroupRange,
  NotACheckpointError,
  UnsupportedCheckpointVersionError,
} from '../../../src/index.js';
import { type CheckpointMetadata, decodeCheckpointMetadata } from '../../../src/spi.js';
import { TEST_STATES } from './fixtures.js';

const metadata: CheckpointMetadata = {
  checkpointId: 7,
  jobId: 'clicks',
  operatorId: 'count',
  timestamp: 1_700_000_000_000,
  maxParallelism: 128,
  keyGroupRange: KeyGroupRange.of(0, 63),
  writerEpoch: 3,
  snapshotType: 'incremental',
  userMetadata: { kafka: { partition: 2, offset: 4711 } },
  states: TEST_STATES,
  files: [
    {
      path: 'shared/a.sbkg',
      size: 100,
      crc32: 1,
      checkpointId: 5,
      keyGroups: [KeyGroupRange.of(0, 9), KeyGroupRange.of(20, 63)],
      entries: 4,
    },
    {
      path: 'shared/b.sbkg',
      size: 50,
      crc32: 2,
      checkpointId: 7,
      keyGroups: [KeyGroupRange.of(10, 19)],
      entries: 2,
    },
  ],
};

describe('checkpoint metadata', () => {
  it('round-trips every field, including the caller metadata, serializer snapshots and TTL', () => {
    const decoded = decodeCheckpointMetadata('m', encodeCheckpointMetadata(metadata));
    expect(decoded.checkpointId).toBe(7);
    expect(decoded.keyGroupRange.equals(KeyGroupRange.of(0, 63))).toBe(true);
    expect(decoded.userMetadata).toEqual({ kafka: { partition: 2, offset: 4711 } });
    expect(decoded.states).toEqual(TEST_STATES);
    expect(decoded.files.map((f) => f.keyGroups.map(String))).toEqual([
      ['KeyGroupRange [0, 9]', 'KeyGroupRange [20, 63]'],
      ['KeyGroupRange [10, 19]'],
    ]);
    expect({ ...decoded, keyGroupRange: 0, files: 0 }).toEqual({ ...metadata, keyGroupRange: 0, files: 0 });
  });

  it('rejects every flipped byte with a typed error naming the file', () => {
    const bytes = encodeCheckpointMetadata(metadata);
    for (let position = 0; position < bytes.length; position++) {
      const corrupt = bytes.slice();
      corrupt[position] = (corrupt[position] as number) ^ 0x01;
      let error: unknown;
      try {
        decodeCheckpointMetadata('chk-7/_metadata', corrupt);
      } catch (e) {
        error = e;
      }
      expect(
        error instanceof CorruptCheckpointError ||
          error instanceof NotACheckpointError ||
          error instanceof UnsupportedCheckpointVersionError,
      ).toBe(true);
      expect((error as Error).message).toContain('chk-7/_metadata');
    }
  });

  it('rejects a truncated metadata file', () => {
    const bytes = encodeCheckpointMetadata(metadata);
    for (const length of [0, 3, 8, 12, bytes.length - 5, bytes.length - 1]) {
      expect(() => decodeCheckpointMetadata('m', bytes.subarray(0, length))).toThrow(
        length < 4 ? NotACheckpointError : CorruptCheckpointError,
      );
    }
  });

  it('names a future format version', () => {
    const future = encodeJsonEnvelope(METADATA_MAGIC, 3, { checkpointId: 1 });
    expect(() => decodeCheckpointMetadata('chk-1/_metadata', future)).toThrow(
      /chk-1\/_metadata' has format version 3; this release of @statebackend\/aws-base reads versions? 1(, | and | to )2/,
    );
  });

  it('says which field is wrong in a well-formed but inconsistent document', () => {
    const missing = encodeJsonEnvelope(METADATA_MAGIC, 1, {
      ...JSON.parse(JSON.stringify({ checkpointId: 1 })),
      snapshotType: 'full',
    });
    expect(() => decodeCheckpointMetadata('m', missing)).toThrow(/keyGroupRange is not a JSON object/);
    const overlapping = decodeToJson(metadata);
    (overlapping.files as { keyGroups: number[][] }[])[1] = {
      ...(overlapping.files as object[])[1],
      keyGroups: [[5, 19]],
    } as never;
    expect(() =>
      decodeCheckpointMetadata('m', encodeJsonEnvelope(METADATA_MAGIC, 1, overlapping as never)),
    ).toThrow(/both provide key group/);
  });

  it('writes version 2 for delta chains, and checks each key group has one full file and newer deltas', () => {
    const delta = {
      path: 'shared/d.sbkg',
      size: 9,
      crc32: 3,
      checkpointId: 8,
      entries: 1,
      delta: true as const,
    };
    const chained: CheckpointMetadata = {
      ...metadata,
      checkpointId: 8,
      files: [...metadata.files, { ...delta, keyGroups: [KeyGroupRange.of(0, 15)] }],
    };
    const bytes = encodeCheckpointMetadata(chained);
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint16(4, true)).toBe(2);
    expect(decodeCheckpointMetadata('m', bytes).files.map((f) => f.delta === true)).toEqual([
      false,
      false,
      true,
    ]);
    expect(new DataView(encodeCheckpointMetadata(metadata).buffer).getUint16(4, true)).toBe(1);

    const reencode = (files: CheckpointMetadata['files'], version = 2) => {
      const json = decodeToJson({ ...chained, files });
      return () => decodeCheckpointMetadata('m', encodeJsonEnvelope(METADATA_MAGIC, version, json as never));
    };
    const older = { ...delta, checkpointId: 5, keyGroups: [KeyGroupRange.of(0, 3)] };
    expect(reencode([...metadata.files, older])).toThrow(
      /delta file 'shared\/d.sbkg' of checkpoint 5 is not newer/,
    );
    const twice = [
      ...metadata.files,
      { ...delta, keyGroups: [KeyGroupRange.of(0, 3)] },
      { ...delta, path: 'shared/e.sbkg', keyGroups: [KeyGroupRange.of(2, 5)] },
    ];
    expect(reencode(twice)).toThrow(/both provide key group 2/);
    expect(reencode(chained.files, 1)).toThrow(/only version 2 defines it/);
  });

  it('is not fooled by another kind of file', () => {
    expect(() =>
      decodeCheckpointMetadata('notes.txt', new TextEncoder().encode('hello world, not metadata')),
    ).toThrow(NotACheckpointError);
  });
});

function decodeToJson(m: CheckpointMetadata): Record<string, unknown> {
  const bytes = encodeCheckpointMetadata(m);
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) as Record<string, unknown>;
}
