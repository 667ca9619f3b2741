import {
  CorruptCheckpointError,
  KeyGroupRange,
  NotACheckpointError,
  StateBackendError,
  UnsupportedCheckpointVersionError,
} from '../../../src/index.js';
import {
  bytesAsFile,
  crc32,
  KeyGroupFileReader,
  KeyGroupFileWriter,
  type RandomAccessFile,
} from '../../../src/spi.js';
import { bytes, text } from './fixtures.js';

function encode(keyGroups: readonly number[], entriesPerGroup = 3, chunkSize = 64): Uint8Array {
  const writer = new KeyGroupFileWriter({ kind: 'data', stateNames: ['a', 'b'], chunkSize });
  const chunks: Uint8Array[] = [];
  for (const keyGroup of keyGroups) {
    writer.beginKeyGroup(keyGroup);
    for (let i = 0; i < entriesPerGroup; i++) {
      writer.writeEntry(
        i % 2,
        bytes(`k${keyGroup}-${i}`),
        bytes(i === 2 ? 'ns' : ''),
        i === 1 ? bytes(`uk${i}`) : undefined,
        bytes(`value ${keyGroup}/${i}`),
        i === 2 ? 1_700_000_000_123 : undefined,
      );
    }
    writer.endKeyGroup();
    const chunk = writer.takeChunk();
    if (chunk !== undefined) chunks.push(chunk);
  }
  chunks.push(writer.finish());
  return new Uint8Array(Buffer.concat(chunks));
}

describe('KeyGroupFileWriter checksum', () => {
  it('gives the CRC-32 of every byte of the file, for small and large key-group blocks alike', () => {
    // Blocks of a few bytes, and of 20 KB and more (whose checksums the writer combines).
    for (const valueSize of [0, 10, 5_000, 40_000]) {
      const writer = new KeyGroupFileWriter({ kind: 'data', stateNames: ['a'], chunkSize: 30_000 });
      const chunks: Uint8Array[] = [];
      for (const keyGroup of [0, 1, 2, 5, 9]) {
        writer.beginKeyGroup(keyGroup);
        const entries = keyGroup === 2 ? 0 : keyGroup + 1;
        for (let i = 0; i < entries; i++) {
          const value = Uint8Array.from({ length: valueSize }, (_, j) => (j * 31 + keyGroup + i) & 0xff);
          writer.writeEntry(0, bytes(`k${keyGroup}-${i}`), bytes(''), undefined, value, undefined);
        }
        writer.endKeyGroup();
        const chunk = writer.takeChunk();
        if (chunk !== undefined) chunks.push(chunk);
      }
      chunks.push(writer.finish());
      const file = new Uint8Array(Buffer.concat(chunks));
      expect({ valueSize, crc: writer.summary().crc32 }).toEqual({ valueSize, crc: crc32(file) });
      expect(writer.summary().size).toBe(file.length);
    }
  });
});

async function readAll(file: RandomAccessFile, range = KeyGroupRange.of(0, 1000)): Promise<string[]> {
  const reader = await KeyGroupFileReader.open(file, 'data');
  const out: string[] = [];
  await reader.forEachEntry(range, (keyGroup, e) => {
    out.push(
      `${keyGroup}:${reader.stateNames[e.stateIndex]}:${text(e.key)}:${text(e.namespace)}:${e.userKey === undefined ? '-' : text(e.userKey)}:${text(e.value)}:${e.ttlTimestamp ?? '-'}`,
    );
  });
  return out;
}

/** A file that records which byte ranges were read. */
function recording(data: Uint8Array): { file: RandomAccessFile; reads: [number, number][] } {
  const reads: [number, number][] = [];
  const inner = bytesAsFile('test.sbkg', data);
  return {
    reads,
    file: {
      name: inner.name,
      size: inner.size,
      read: (offset, length) => {
        reads.push([offset, length]);
        return inner.read(offset, length);
      },
    },
  };
}

describe('key-group files', () => {
  it('round-trips entries with user keys, namespaces and TTL timestamps, by key group', async () => {
    const data = encode([3, 5, 90]);
    const entries = await readAll(bytesAsFile('f', data));
    expect(entries).toHaveLength(9);
    expect(entries[0]).toBe('3:a:k3-0::-:value 3/0:-');
    expect(entries[1]).toBe('3:b:k3-1::uk1:value 3/1:-');
    expect(entries[2]).toBe('3:a:k3-2:ns:-:value 3/2:1700000000123');
    expect(entries.slice(6).every((e) => e.startsWith('90:'))).toBe(true);
  });

  it('reads only the blocks of the key groups asked for', async () => {
    const keyGroups = Array.from({ length: 100 }, (_, i) => i);
    const data = encode(keyGroups, 50);
    const { file, reads } = recording(data);
    const reader = await KeyGroupFileReader.open(file, 'data');
    reads.length = 0;
    const seen = new Set<number>();
    await reader.forEachEntry(KeyGroupRange.of(40, 44), (keyGroup) => seen.add(keyGroup));
    expect([...seen]).toEqual([40, 41, 42, 43, 44]);
    const bytesRead = reads.reduce((sum, [, length]) => sum + length, 0);
    expect(reads).toHaveLength(1); // adjacent blocks in one read
    expect(bytesRead).toBeLessThan(data.length / 15);
  });

  it('rejects a flipped byte anywhere in the file with a typed error, before handing out any entry', async () => {
    const data = encode([1, 2, 7], 2);
    for (let position = 0; position < data.length; position++) {
      const corrupt = data.slice();
      corrupt[position] = (corrupt[position] as number) ^ 0x10;
      const handedOut: string[] = [];
      const attempt = async () => {
        const reader = await KeyGroupFileReader.open(bytesAsFile('flipped.sbkg', corrupt), 'data');
        await reader.forEachEntry(KeyGroupRange.of(0, 10), (keyGroup) => handedOut.push(String(keyGroup)));
      };
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StateBackendError);
      expect(
        [CorruptCheckpointError, UnsupportedCheckpointVersionError].some((c) => error instanceof c),
      ).toBe(true);
      expect((error as Error).message).toContain('flipped.sbkg');
      // A block is checked before any of its entries goes out; earlier blocks may have been read.
      expect(handedOut.every((kg) => Number(kg) < 7)).toBe(true);
    }
  });

  it('rejects a file truncated at any length', async () => {
    const data = encode([1, 2], 2);
    for (let length = 0; length < data.length; length++) {
      const truncated = data.subarray(0, length);
      await expect(readAll(bytesAsFile('cut.sbkg', truncated))).rejects.toThrow(CorruptCheckpointError);
    }
  });

  it('rejects a file shorter than the size recorded for it', async () => {
    const data = encode([1, 2], 2);
    const shortened: RandomAccessFile = {
      name: 'short.sbkg',
      size: data.length,
      read: (o, l) => Promise.resolve(data.subarray(o, Math.min(o + l, data.length - 10))),
    };
    await expect(readAll(shortened)).rejects.toThrow(/truncated/);
  });

  it('names a future format version instead of misreading it', async () => {
    const data = encode([1], 1);
    const future = data.slice();
    new DataView(future.buffer, future.byteOffset).setUint16(future.length - 8, 4, true);
    const error = await readAll(bytesAsFile('future.sbkg', future)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedCheckpointVersionError);
    expect((error as UnsupportedCheckpointVersionError).version).toBe(4);
    expect((error as Error).message).toMatch(/future\.sbkg.*version 4.*upgrade/);
  });

  it('writes delta files as version 2 with tombstones, and reads version 1 and 2 files alike', async () => {
    const writer = new KeyGroupFileWriter({ kind: 'data', stateNames: ['a'], delta: true });
    writer.beginKeyGroup(5);
    writer.writeEntryWithIds(0, 'changed', '', undefined, bytes('new'), undefined);
    writer.writeTombstoneWithIds(0, 'removed', 'ns');
    writer.endKeyGroup();
    const delta = writer.finish();
    const view = new DataView(delta.buffer, delta.byteOffset);
    expect([view.getUint16(4, true), view.getUint16(6, true)]).toEqual([2, 1]);
    const reader = await KeyGroupFileReader.open(bytesAsFile('delta.sbkg', delta), 'data');
    expect([reader.version, reader.isDelta]).toEqual([2, true]);
    const seen: string[] = [];
    await reader.forEachEntry(KeyGroupRange.of(0, 9), (keyGroup, e) =>
      seen.push(
        `${keyGroup} ${text(e.key)}/${text(e.namespace)} ${e.tombstone === true ? 'gone' : text(e.value)}`,
      ),
    );
    expect(seen).toEqual(['5 changed/ new', '5 removed/ns gone']);

    const full = await KeyGroupFileReader.open(bytesAsFile('full.sbkg', encode([1], 1)), 'data');
    expect([full.version, full.isDelta]).toEqual([1, false]);
  });

  it('refuses a tombstone outside a delta file, and delta flags on a savepoint', async () => {
    const full = new KeyGroupFileWriter({ kind: 'data', stateNames: ['a'] });
    full.beginKeyGroup(0);
    expect(() => full.writeTombstoneWithIds(0, 'k', '')).toThrow(/only be written to a delta file/);
    expect(() => new KeyGroupFileWriter({ kind: 'savepoint', stateNames: [], delta: true })).toThrow(
      StateBackendError,
    );

    const writer = new KeyGroupFileWriter({ kind: 'data', stateNames: ['a'], delta: true });
    writer.beginKeyGroup(0);
    writer.writeTombstoneWithIds(0, 'k', '');
    writer.endKeyGroup();
    const data = writer.finish().slice();
    // The same bytes claiming to be a full file: the tombstone is then an unknown entry flag.
    const header = new DataView(data.buffer, data.byteOffset);
    header.setUint16(6, 0, true);
    header.setUint16(data.length - 6, 0, true);
    await expect(readAll(bytesAsFile('not-delta.sbkg', data))).rejects.toThrow(/unknown flags 0x00000004/);
  });

  it('tells a savepoint reader that a data file is not a savepoint', async () => {
    const data = encode([1], 1);
    await expect(KeyGroupFileReader.open(bytesAsFile('x.sbkg', data), 'savepoint')).rejects.toThrow(
      NotACheckpointError,
    );
  });
});
