import { randomBytes } from 'node:crypto';
import {
  assignToKeyGroup,
  CorruptCheckpointError,
  KeyGroupRange,
  LocalCheckpointStorage,
  Serializers,
  type SnapshotCompression,
  StateBackendError,
  UnsupportedCheckpointVersionError,
  ValueStateDescriptor,
} from '../../../src/index.js';
import {
  bytesAsFile,
  crc32,
  KeyGroupFileReader,
  KeyGroupFileWriter,
  knownCrc32,
  type RandomAccessFile,
} from '../../../src/spi.js';
import { bytes, temporaryDirectory, text } from './fixtures.js';
import { buildCheckpointing } from './helpers.js';

type Values = (keyGroup: number, i: number) => Uint8Array;
const compressible: Values = (keyGroup, i) =>
  bytes(`value of entry ${i} in key group ${keyGroup} `.repeat(4));
const random: Values = () => randomBytes(200);

interface Encoded {
  readonly data: Uint8Array;
  readonly chunks: readonly Uint8Array[];
  readonly writer: KeyGroupFileWriter;
}

function encode(
  keyGroups: readonly number[],
  values: Values,
  options: { compression?: SnapshotCompression; entries?: number; chunkSize?: number; delta?: boolean } = {},
): Encoded {
  const writer = new KeyGroupFileWriter({
    kind: 'data',
    stateNames: ['a', 'b'],
    chunkSize: options.chunkSize ?? 4096,
    compression: options.compression ?? 'zstd',
    ...(options.delta === true ? { delta: true } : {}),
  });
  const chunks: Uint8Array[] = [];
  for (const keyGroup of keyGroups) {
    writer.beginKeyGroup(keyGroup);
    for (let i = 0; i < (options.entries ?? 20); i++) {
      if (options.delta === true && i % 5 === 4) {
        writer.writeTombstoneWithIds(0, `gone-${keyGroup}-${i}`, '');
        continue;
      }
      writer.writeEntry(
        i % 2,
        bytes(`k${keyGroup}-${i}`),
        bytes(i % 3 === 0 ? 'ns' : ''),
        i % 2 === 1 ? bytes(`uk${i}`) : undefined,
        values(keyGroup, i),
        i % 4 === 0 ? 1_700_000_000_000 + i : undefined,
      );
    }
    writer.endKeyGroup();
    const chunk = writer.takeChunk();
    if (chunk !== undefined) chunks.push(chunk);
  }
  chunks.push(writer.finish());
  return { data: new Uint8Array(Buffer.concat(chunks)), chunks, writer };
}

async function readAll(file: RandomAccessFile, range = KeyGroupRange.of(0, 1000)): Promise<string[]> {
  const reader = await KeyGroupFileReader.open(file, 'data');
  const out: string[] = [];
  await reader.forEachEntry(range, (keyGroup, e) => {
    out.push(
      `${keyGroup}:${e.stateIndex}:${text(e.key)}:${text(e.namespace)}:${e.userKey === undefined ? '-' : text(e.userKey)}:${e.tombstone === true ? 'gone' : Buffer.from(e.value).toString('hex')}:${e.ttlTimestamp ?? '-'}`,
    );
  });
  return out;
}

const keyGroups = Array.from({ length: 40 }, (_, i) => i * 3);

describe('compressed key-group files (version 3)', () => {
  it('read back entry for entry what an uncompressed file holds, in a fraction of its size', async () => {
    const plain = encode(keyGroups, compressible, { compression: 'none' });
    const compressed = encode(keyGroups, compressible);
    expect(await readAll(bytesAsFile('c.sbkg', compressed.data))).toEqual(
      await readAll(bytesAsFile('p.sbkg', plain.data)),
    );
    expect(compressed.data.length).toBeLessThan(plain.data.length / 4);
    const reader = await KeyGroupFileReader.open(bytesAsFile('c.sbkg', compressed.data), 'data');
    expect([reader.version, reader.isCompressed, reader.isDelta]).toEqual([3, true, false]);
    expect(reader.frames.length).toBeGreaterThan(5);
    expect(reader.frames.every((frame) => frame.codec === 1)).toBe(true);
    // Blocks keep the offsets of the raw stream: the same as in the uncompressed file.
    expect(reader.blocks).toEqual(
      (await KeyGroupFileReader.open(bytesAsFile('p', plain.data), 'data')).blocks,
    );
  });

  it('give the size and CRC-32 of the stored bytes, and the checksum of every chunk beside it', () => {
    for (const values of [compressible, random]) {
      for (const compression of ['zstd', 'none'] as const) {
        const { data, chunks, writer } = encode(keyGroups, values, { compression });
        expect(writer.summary().size).toBe(data.length);
        expect(writer.summary().crc32).toBe(crc32(data));
        for (const chunk of chunks) expect(knownCrc32(chunk)).toBe(crc32(chunk));
      }
    }
  });

  it('store frames that do not compress as they are, trying again less and less often', async () => {
    const { data, writer } = encode(keyGroups, random, { entries: 40 });
    const frames = writer.summary().frames;
    expect(frames.length).toBeGreaterThan(30);
    expect(frames.every((frame) => frame.codec === 0 && frame.storedLength === frame.rawLength)).toBe(true);
    const plain = encode(keyGroups, () => new Uint8Array(200), { compression: 'none', entries: 40 });
    // Only the frame table is added to the uncompressed size.
    expect(data.length - plain.data.length).toBeLessThan(frames.length * 12);
    const entries = await readAll(bytesAsFile('r.sbkg', data));
    expect(entries).toHaveLength(keyGroups.length * 40);
  });

  it('compress again once the values do', () => {
    // A frame per key group: 10 that do not compress, then 90 that do.
    const switching: Values = (keyGroup, i) =>
      keyGroup < 10 ? random(keyGroup, i) : compressible(keyGroup, i);
    const hundred = Array.from({ length: 100 }, (_, i) => i);
    const frames = encode(hundred, switching, { chunkSize: 1024 }).writer.summary().frames;
    expect(frames).toHaveLength(100);
    expect(frames[0]?.codec).toBe(0);
    expect(frames[frames.length - 1]?.codec).toBe(1);
  });

  it('read only the frames holding the key groups asked for', async () => {
    const { data } = encode(keyGroups, compressible, { entries: 60 });
    const reads: [number, number][] = [];
    const inner = bytesAsFile('c.sbkg', data);
    const file: RandomAccessFile = {
      name: inner.name,
      size: inner.size,
      read: (offset, length) => {
        reads.push([offset, length]);
        return inner.read(offset, length);
      },
    };
    const reader = await KeyGroupFileReader.open(file, 'data');
    reads.length = 0;
    const seen = new Set<number>();
    // Key groups 60 to 66 lie in a few frames of the middle.
    await reader.forEachEntry(KeyGroupRange.of(60, 66), (keyGroup) => seen.add(keyGroup));
    expect([...seen]).toEqual([60, 63, 66]);
    expect(reads.length).toBeLessThanOrEqual(1);
    const read = reads.reduce((sum, [, length]) => sum + length, 0);
    expect(read).toBeLessThan(data.length / 5);
    const all = await readAll(bytesAsFile('c.sbkg', data));
    expect(await readAll(bytesAsFile('c.sbkg', data), KeyGroupRange.of(60, 66))).toEqual(
      all.filter((line) => ['60', '63', '66'].includes(line.split(':')[0] as string)),
    );
  });

  it('hold delta files with tombstones', async () => {
    const plain = encode(keyGroups, compressible, { compression: 'none', delta: true });
    const compressed = encode(keyGroups, compressible, { delta: true });
    const reader = await KeyGroupFileReader.open(bytesAsFile('d.sbkg', compressed.data), 'data');
    expect([reader.version, reader.isDelta, reader.isCompressed]).toEqual([3, true, true]);
    const entries = await readAll(bytesAsFile('d.sbkg', compressed.data));
    expect(entries.filter((line) => line.includes(':gone:'))).toHaveLength(keyGroups.length * 4);
    expect(entries).toEqual(await readAll(bytesAsFile('p.sbkg', plain.data)));
  });

  it('hold a file without entries, and a single large key group', async () => {
    const empty = encode([], compressible);
    expect(await readAll(bytesAsFile('e.sbkg', empty.data))).toEqual([]);
    expect(empty.writer.summary().frames).toEqual([]);
    const large = encode([7], compressible, { entries: 2000 });
    expect(large.writer.summary().frames).toHaveLength(1);
    expect(await readAll(bytesAsFile('l.sbkg', large.data))).toHaveLength(2000);
  });

  it('reject a flipped byte anywhere with a typed error, before a corrupt key group goes out', async () => {
    const { data } = encode([1, 2, 7], compressible, { entries: 30, chunkSize: 512 });
    for (let position = 0; position < data.length; position++) {
      const corrupt = data.slice();
      corrupt[position] = (corrupt[position] as number) ^ 0x10;
      const error = await readAll(bytesAsFile('flipped.sbkg', corrupt)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(
        [CorruptCheckpointError, UnsupportedCheckpointVersionError].some((c) => error instanceof c),
      ).toBe(true);
      expect((error as Error).message).toContain('flipped.sbkg');
    }
  });

  it('reject a file truncated at any length', async () => {
    const { data } = encode([1, 2], compressible, { entries: 10, chunkSize: 256 });
    for (let length = 0; length < data.length; length++) {
      await expect(readAll(bytesAsFile('cut.sbkg', data.subarray(0, length)))).rejects.toThrow(
        CorruptCheckpointError,
      );
    }
  });

  it('are for checkpoint data only: a savepoint stays canonical', () => {
    expect(() => new KeyGroupFileWriter({ kind: 'savepoint', stateNames: [], compression: 'zstd' })).toThrow(
      StateBackendError,
    );
  });
});

describe('checkpoints with compressed data files', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await temporaryDirectory();
  });
  afterEach(() => dir.remove());

  const values = new ValueStateDescriptor('values', Serializers.bytes);
  const build = () =>
    buildCheckpointing(dir.path, {
      compression: 'zstd',
      incremental: true,
      restoreFrom: 'latest',
      retainedCheckpoints: 2,
    });
  // Keys of the first 64 key groups hold values that compress, the others values that do not.
  const valueFor = (i: number, round: number): Uint8Array =>
    assignToKeyGroup(Serializers.string.serialize(`key-${i}`), 128) < 64
      ? bytes(`round ${round} of key ${i % 100} `.repeat(8))
      : randomBytes(120);

  it('restore what was checkpointed, frames compressed on the thread pool while encoding went on', async () => {
    const expected = new Map<string, Uint8Array>();
    const writer = await build();
    const write = (keys: number[], round: number) =>
      Promise.all(
        keys.map((i) => {
          const value = valueFor(i, round);
          expected.set(`key-${i}`, value);
          return writer.withKey(`key-${i}`, (ctx) => ctx.getState(values).update(value));
        }),
      );
    await write(
      Array.from({ length: 20_000 }, (_, i) => i),
      1,
    );
    const full = await writer.snapshot(1);
    await write([1, 2, 3, 15_000, 15_001], 2);
    const incremental = await writer.snapshot(2);
    await writer.dispose();
    expect(incremental.snapshotType).toBe('incremental');

    const storage = new LocalCheckpointStorage({ directory: dir.path, jobId: 'job', operatorId: 'op' });
    const codecs = new Set<number>();
    for (const file of full.metadata.files) {
      const reader = await KeyGroupFileReader.open(
        bytesAsFile(file.path, await storage.readFile(file.path)),
        'data',
      );
      for (const frame of reader.frames) codecs.add(frame.codec);
    }
    expect([...codecs].sort()).toEqual([0, 1]);

    const restored = await build();
    expect(restored.restored?.checkpointId).toBe(2);
    for (const [key, value] of expected) {
      const actual = await restored.withKey(key, (ctx) => ctx.getState(values).value());
      expect(Buffer.from(actual as Uint8Array).equals(Buffer.from(value))).toBe(true);
    }
    await restored.dispose();
  });
});
