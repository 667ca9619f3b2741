import { decodeValueCellsDirect } from '../../../src/checkpoint/format/block-decoder.js';
import { KeyGroupRange } from '../../../src/index.js';
import {
  bytesAsFile,
  bytesToId,
  decodeVerifiedBlock,
  KeyGroupFileReader,
  KeyGroupFileWriter,
} from '../../../src/spi.js';

// decodeValueCellsDirect finds the plain cells of one state in a verified block as the general
// decoder does (key and value bytes), skipping the entries of other states, and gives up (false)
// at a cell of its state it does not read, leaving that block to the general decoder.

type Entry = {
  state: number;
  key: Uint8Array;
  namespace?: string;
  userKey?: string;
  value: Uint8Array;
  ttl?: number;
};

async function blockOf(
  entries: readonly Entry[],
  delta = false,
  tombstone?: { state: number; key: string },
): Promise<{ bytes: Uint8Array; entries: number }> {
  const writer = new KeyGroupFileWriter({ kind: 'data', stateNames: ['a', 'b'], chunkSize: 256, delta });
  writer.beginKeyGroup(3);
  for (const e of entries) {
    writer.writeEntryWithIds(e.state, bytesToId(e.key), e.namespace ?? '', e.userKey, e.value, e.ttl);
  }
  if (tombstone !== undefined) writer.writeTombstoneWithIds(tombstone.state, tombstone.key, '');
  writer.endKeyGroup();
  const chunks: Uint8Array[] = [];
  for (let c = writer.takeChunk(); c !== undefined; c = writer.takeChunk()) chunks.push(c);
  chunks.push(writer.finish());
  const reader = await KeyGroupFileReader.open(
    bytesAsFile('f', new Uint8Array(Buffer.concat(chunks))),
    'data',
  );
  let found: { bytes: Uint8Array; entries: number } | undefined;
  await reader.forEachBlock(KeyGroupRange.of(0, 7), (block, bytes) => {
    found = { bytes, entries: block.entries };
  });
  if (found === undefined) throw new Error('no block');
  return found;
}

function direct(block: { bytes: Uint8Array; entries: number }, state: number) {
  const cells: [string, Uint8Array][] = [];
  const b = block.bytes;
  const done = decodeValueCellsDirect(
    b,
    block.entries,
    state,
    (keyStart, keyLength, valueStart, valueLength) =>
      cells.push([
        bytesToId(b.subarray(keyStart, keyStart + keyLength)),
        b.slice(valueStart, valueStart + valueLength),
      ]),
  );
  return { done, cells };
}

function general(block: { bytes: Uint8Array; entries: number }, state: number): [string, Uint8Array][] {
  const cells: [string, Uint8Array][] = [];
  decodeVerifiedBlock(block.bytes, block.entries, 3, (_, entry) => {
    if (entry.stateIndex === state) cells.push([bytesToId(entry.key), entry.value.slice()]);
  });
  return cells;
}

const bytes = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);

describe('decodeValueCellsDirect', () => {
  it('reads the cells of its state as the general decoder does, whatever their lengths', async () => {
    const entries: Entry[] = [];
    for (const [i, keyLength] of [0, 1, 10, 24, 25, 127, 128, 300].entries()) {
      for (const valueLength of [0, 4, 127, 128, 20_000]) {
        // State 0's keys are all shorter than 128 bytes; state 1's are skipped whatever they are.
        const state = keyLength < 128 ? i % 2 : 1;
        entries.push({ state, key: bytes(keyLength, i + valueLength), value: bytes(valueLength, i) });
      }
    }
    const block = await blockOf(entries);
    const { done, cells } = direct(block, 0);
    expect(done).toBe(true);
    expect(cells).toEqual(general(block, 0));
    expect(cells.length).toBeGreaterThan(10);
  });

  it('leaves a key of 128 bytes or more to the general decoder', async () => {
    const block = await blockOf([{ state: 0, key: bytes(128, 1), value: bytes(4, 1) }]);
    expect(direct(block, 0).done).toBe(false);
  });

  it('skips entries of other states with namespaces, map keys and TTLs', async () => {
    const block = await blockOf([
      {
        state: 1,
        key: bytes(5, 1),
        namespace: 'window',
        userKey: 'mk',
        value: bytes(3, 1),
        ttl: 1_767_225_600_123,
      },
      { state: 0, key: bytes(6, 2), value: bytes(4, 2) },
      { state: 1, key: bytes(200, 3), value: bytes(300, 3), ttl: 5 },
      { state: 0, key: bytes(7, 4), value: bytes(8, 4) },
    ]);
    const { done, cells } = direct(block, 0);
    expect(done).toBe(true);
    expect(cells).toEqual(general(block, 0));
    expect(cells).toHaveLength(2);
  });

  it('skips a namespace: the state is read as one without (its cells are keyed by key alone)', async () => {
    const block = await blockOf([{ state: 0, key: bytes(6, 2), namespace: 'window', value: bytes(4, 2) }]);
    expect(direct(block, 0)).toEqual({ done: true, cells: general(block, 0) });
  });

  it('gives up at a cell of its state with a map key, a TTL or a tombstone', async () => {
    const plain: Entry = { state: 0, key: bytes(6, 2), value: bytes(4, 2) };
    for (const odd of [
      { ...plain, key: bytes(5, 9), userKey: 'mk' },
      { ...plain, key: bytes(5, 9), ttl: 7 },
    ]) {
      expect(direct(await blockOf([plain, odd]), 0).done).toBe(false);
      // Another state's odd entry is only skipped.
      expect(direct(await blockOf([plain, { ...odd, state: 1 }]), 0)).toEqual({
        done: true,
        cells: general(await blockOf([plain]), 0),
      });
    }
    expect(direct(await blockOf([plain], true, { state: 0, key: 'gone' }), 0).done).toBe(false);
    expect(direct(await blockOf([plain], true, { state: 1, key: 'gone' }), 0).done).toBe(true);
  });
});
