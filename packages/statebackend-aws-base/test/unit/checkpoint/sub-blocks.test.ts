import { decodeVerifiedBlock } from '../../../src/checkpoint/format/block-decoder.js';
import {
  decodeSubBlockTables,
  SPLIT_FROM_BYTES,
  SUB_BLOCK_TARGET_BYTES,
  subBlockOfKey,
  subBlockOfKeyId,
} from '../../../src/checkpoint/format/sub-blocks.js';
import { CorruptCheckpointError, KeyGroupRange, Serializers } from '../../../src/index.js';
import { directEncodingOf } from '../../../src/serialization/direct-encoding.js';
import {
  bytesAsFile,
  KeyGroupFileReader,
  KeyGroupFileWriter,
  type KeyGroupFileWriterOptions,
} from '../../../src/spi.js';
import { bytes, text } from './fixtures.js';

/** Key group 3 of `keys` keys (`lists` elements each, in order), then key group 7 of one key. */
function encode(keys: number, lists = 1, options: Partial<KeyGroupFileWriterOptions> = {}): Uint8Array {
  const writer = new KeyGroupFileWriter({ kind: 'data', stateNames: ['v', 'l'], ...options });
  const chunks: Uint8Array[] = [];
  writer.beginKeyGroup(3);
  for (let i = 0; i < keys; i++) {
    writer.writeEntry(0, bytes(`key-${i}`), bytes(''), undefined, bytes(`value of key-${i}`), undefined);
    for (let e = 0; e < lists; e++)
      writer.writeEntry(1, bytes(`key-${i}`), bytes('ns'), undefined, bytes(`element ${e}`), undefined);
  }
  writer.endKeyGroup();
  const chunk = writer.takeChunk();
  if (chunk !== undefined) chunks.push(chunk);
  writer.beginKeyGroup(7);
  writer.writeEntry(0, bytes('alone'), bytes(''), undefined, bytes('x'), undefined);
  writer.endKeyGroup();
  chunks.push(writer.finish());
  return new Uint8Array(Buffer.concat(chunks));
}

const open = (data: Uint8Array) => KeyGroupFileReader.open(bytesAsFile('file.sbkg', data), 'data');

/** The entries of `bytes` as `state key namespace value` lines, in order. */
function linesOf(block: Uint8Array, entries: number): string[] {
  const lines: string[] = [];
  decodeVerifiedBlock(block, entries, 3, (_, e) =>
    lines.push(`${e.stateIndex} ${text(e.key)} ${text(e.namespace)} ${text(e.value)}`),
  );
  return lines;
}

describe('sub-blocks', () => {
  it('splits the block of a large key group by key, every key of a sub-block hashing to it, lists in order', async () => {
    const data = encode(4000, 3);
    const reader = await open(data);
    const subBlocks = reader.subBlocksOf(3) ?? [];
    const block = reader.blocksIn(3, 3)[0];
    expect(block?.length).toBeGreaterThanOrEqual(SPLIT_FROM_BYTES);
    expect(subBlocks.length).toBe(Math.floor((block?.length ?? 0) / SUB_BLOCK_TARGET_BYTES));
    expect(reader.subBlocksOf(7)).toBeUndefined();
    const whole: string[] = [];
    await reader.forEachBlock(KeyGroupRange.of(3, 3), (b, blockBytes) =>
      whole.push(...linesOf(blockBytes, b.entries)),
    );
    const parts: string[] = [];
    for (let index = 0; index < subBlocks.length; index++) {
      const sub = await reader.readSubBlock(3, index);
      const lines = linesOf(sub, subBlocks[index]?.entries ?? -1);
      for (const line of lines)
        expect(subBlockOfKeyId(line.split(' ')[1] as string, subBlocks.length)).toBe(index);
      parts.push(...lines);
    }
    // Read whole (as readers that know nothing of sub-blocks do) or in parts: the same entries.
    expect(parts).toEqual(whole);
    expect([...whole].sort()).toEqual(
      Array.from({ length: 4000 }, (_, i) => [
        `0 key-${i}  value of key-${i}`,
        ...[0, 1, 2].map((e) => `1 key-${i} ns element ${e}`),
      ])
        .flat()
        .sort(),
    );
    // A key's entries keep their order: its value, then its list's elements in order.
    const ofKey = whole.filter((line) => line.split(' ')[1] === 'key-17');
    expect(ofKey).toEqual([
      '0 key-17  value of key-17',
      '1 key-17 ns element 0',
      '1 key-17 ns element 1',
      '1 key-17 ns element 2',
    ]);
  });

  it('writes the same split file whichever way its entries come, its key group closed at once or in bounded steps', async () => {
    const int = directEncodingOf(Serializers.int);
    if (int === undefined) throw new Error('no direct encoding of ints');
    const value = (i: number) => Serializers.int.serialize(i);
    // Keys of every length class: short, and longer than a one-byte length prefix.
    const keyOf = (i: number) => `key-${i}${i % 101 === 0 ? '-'.repeat(150) : ''}`;
    const keys = 40_000;
    type Write = (writer: KeyGroupFileWriter) => void;
    const ways: Record<string, Write> = {
      bytes: (writer) => {
        for (let i = 0; i < keys; i++)
          writer.writeEntry(0, bytes(keyOf(i)), bytes(''), undefined, value(i), undefined);
      },
      ids: (writer) => {
        for (let i = 0; i < keys; i++)
          writer.writeEntryWithIds(0, latin1(keyOf(i)), '', undefined, value(i), undefined);
      },
      direct: (writer) => {
        for (let i = 0; i < keys; i++)
          writer.writeEntryWithIdsDirect(0, latin1(keyOf(i)), '', undefined, i, int, undefined);
      },
      values: (writer) => {
        const ids = Array.from({ length: keys }, (_, i) => latin1(keyOf(i)));
        const values = Array.from({ length: keys }, (_, i) => i);
        writer.writeValueEntriesDirect(0, ids, values, 0, keys, int);
      },
    };
    const files: Record<string, Uint8Array> = {};
    for (const [way, write] of Object.entries(ways)) {
      for (const sliced of [false, true]) {
        const writer = new KeyGroupFileWriter({ kind: 'data', stateNames: ['v'] });
        writer.beginKeyGroup(5);
        write(writer);
        let steps = 0;
        if (sliced) {
          const closing = writer.endKeyGroupInSlices();
          while (closing.next().done !== true) steps++;
          // Hashes, copy, moves and checksums of 40,000 entries: several steps, none of them all.
          expect(steps).toBeGreaterThan(3);
        } else {
          writer.endKeyGroup();
        }
        const chunks: Uint8Array[] = [];
        const chunk = writer.takeChunk();
        if (chunk !== undefined) chunks.push(chunk);
        chunks.push(writer.finish());
        files[`${way}${sliced ? ' in steps' : ''}`] = new Uint8Array(Buffer.concat(chunks));
      }
    }
    const reference = files.bytes as Uint8Array;
    const reader = await open(reference);
    expect(reader.subBlocksOf(5)?.length).toBeGreaterThan(1);
    for (const [way, file] of Object.entries(files))
      expect([way, Buffer.compare(file, reference)]).toEqual([way, 0]);
  });

  it('hashes ids and bytes alike', () => {
    for (const key of ['', 'a', 'key-1', 'ünïcödé', 'x'.repeat(300)]) {
      const encoded = bytes(key);
      const id = Buffer.from(encoded).toString('latin1');
      for (const count of [2, 7, 64, 4096])
        expect(subBlockOfKeyId(id, count)).toBe(subBlockOfKey(encoded, 0, encoded.length, count));
    }
  });

  it('leaves small blocks, delta files, savepoints and files written without them unsplit, with no table', async () => {
    for (const [keys, options] of [
      [10, {}],
      [4000, {}],
      [4000, { delta: true }],
      [4000, { subBlocks: false }],
      [4000, { kind: 'savepoint' }],
    ] as const) {
      const data = encode(keys, 1, options);
      const reader =
        'kind' in options
          ? await KeyGroupFileReader.open(bytesAsFile('file', data), 'savepoint')
          : await open(data);
      expect(reader.subBlocksOf(3)).toBeUndefined();
      expect(reader.properties).toBeUndefined();
    }
  });

  it('finds a corrupt sub-block when it is read alone, and when its block is read whole', async () => {
    const data = encode(8000);
    const reader = await open(data);
    const block = reader.blocksIn(3, 3)[0];
    const sub = reader.subBlocksOf(3)?.[2];
    if (block === undefined || sub === undefined) throw new Error('not split');
    const corrupt = data.slice();
    const at = block.offset + sub.offset + 5;
    corrupt[at] = (corrupt[at] as number) ^ 0xff;
    const damaged = await open(corrupt);
    await expect(damaged.readSubBlock(3, 2)).rejects.toBeInstanceOf(CorruptCheckpointError);
    await expect(damaged.readSubBlock(3, 1)).resolves.toBeDefined();
    await expect(
      damaged.forEachBlock(
        () => true,
        () => undefined,
      ),
    ).rejects.toBeInstanceOf(CorruptCheckpointError);
  });

  it('rejects a table that does not make up its block, or names a key group without one', () => {
    const fail = (reason: string): never => {
      throw new CorruptCheckpointError('file.sbkg', reason);
    };
    const table = (...values: number[]) => ({ subBlocks: Buffer.from(values).toString('base64') });
    const blocks = [{ keyGroup: 3, length: 10, entries: 2, crc: 0 }];
    // One table, key group 3, two sub-blocks: 4 bytes / 1 entry and 6 bytes / 1 entry (checksums 0).
    expect(
      decodeSubBlockTables(table(1, 3, 2, 4, 1, 0, 0, 0, 0, 6, 1, 0, 0, 0, 0), blocks, fail).get(3),
    ).toEqual([
      { offset: 0, length: 4, entries: 1, crc: 0 },
      { offset: 4, length: 6, entries: 1, crc: 0 },
    ]);
    expect(() =>
      decodeSubBlockTables(table(1, 3, 2, 4, 1, 0, 0, 0, 0, 5, 1, 0, 0, 0, 0), blocks, fail),
    ).toThrow(CorruptCheckpointError);
    expect(() => decodeSubBlockTables(table(1, 4, 1, 10, 2, 0, 0, 0, 0), blocks, fail)).toThrow(
      /key group 4/,
    );
    expect(decodeSubBlockTables(undefined, blocks, fail).size).toBe(0);
  });
});

/** The id of a string's UTF-8 bytes: one character per byte. */
function latin1(value: string): string {
  return Buffer.from(bytes(value)).toString('latin1');
}
