import { subBlockOfKeyId } from '../../../src/checkpoint/format/sub-blocks.js';
import type { KeyGroupBlocks } from '../../../src/checkpoint/restore/key-group-blocks.js';
import type { VerifiedBlock } from '../../../src/checkpoint/restore/keyed-state-source.js';
import { LazyKeyGroupLoader } from '../../../src/heap/checkpointing/lazy-key-group-loader.js';
import { KeyGroupRange } from '../../../src/index.js';

const SUB_BLOCKS = 4;

/**
 * Key groups 0 and 1, each of `SUB_BLOCKS` sub-blocks (a block's bytes are its sub-block indexes),
 * whose reads answer only when the test says so.
 */
function controlledBlocks() {
  const reads: { what: string; answer: () => void; fail: (error: Error) => void }[] = [];
  const whole = (keyGroup: number): VerifiedBlock => ({
    keyGroup,
    bytes: Uint8Array.from({ length: SUB_BLOCKS }, (_, i) => i),
    entries: SUB_BLOCKS,
    states: [],
  });
  const sub = (keyGroup: number, index: number): VerifiedBlock => ({
    keyGroup,
    bytes: new Uint8Array([index]),
    entries: 1,
    states: [],
  });
  const blocks: KeyGroupBlocks = {
    keyGroups: [0, 1],
    entries: 2 * SUB_BLOCKS,
    bytesOf: () => 10,
    read: (range) =>
      new Promise((resolve, reject) => {
        reads.push({ what: `${[...range]}`, answer: () => resolve([...range].map(whole)), fail: reject });
      }),
    subBlockCount: () => SUB_BLOCKS,
    readSubBlock: (keyGroup, index) =>
      new Promise((resolve, reject) => {
        reads.push({
          what: `${keyGroup}/${index}`,
          answer: () => resolve(sub(keyGroup, index)),
          fail: reject,
        });
      }),
    subBlocksOf: (block) => [...block.bytes].map((index) => sub(block.keyGroup, index)),
  };
  return { blocks, reads };
}

/** A key of sub-block `index`. */
const keyOf = (index: number) =>
  Array.from({ length: 100 }, (_, i) => `key-${i}`).find(
    (k) => subBlockOfKeyId(k, SUB_BLOCKS) === index,
  ) as string;
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('LazyKeyGroupLoader with sub-blocks', () => {
  it("loads a key's sub-block alone, then the rest of its key group without it; the background waits for the first records", async () => {
    const { blocks, reads } = controlledBlocks();
    const loaded: string[] = [];
    const loader = new LazyKeyGroupLoader(blocks, KeyGroupRange.of(0, 1), {
      concurrency: 1,
      maxBytesInFlight: 1,
      load: (keyGroup, block) => loaded.push(`${keyGroup}/${[...(block?.bytes ?? [])]}`),
    });
    loader.startAfterFirstRecords();
    const record = loader.whenReady(1, keyOf(2));
    await turn();
    // Only the record's sub-block is read: the background waits until it is served.
    expect(reads.map((r) => r.what)).toEqual(['1/2']);
    reads[0]?.answer();
    await record;
    expect(loaded).toEqual(['1/2']);
    expect(loader.isReady(1)).toBe(false);
    expect(loader.loadedSubBlocks(1)).toEqual(new Set([2]));
    // Another key of that sub-block is served at once; one of another sub-block reads its own.
    await loader.whenReady(1, keyOf(2));
    await turn();
    expect(reads.map((r) => r.what)).toEqual(['1/2', '0']);
    reads[1]?.answer();
    await loader.whenReady(0);
    reads.splice(0);
    await turn();
    expect(reads.map((r) => r.what)).toEqual(['1']);
    reads[0]?.answer();
    await loader.whenAllLoaded();
    // The rest of key group 1, sub-block by sub-block, without the one loaded before.
    expect(loaded).toEqual(['1/2', '0/0,1,2,3', '1/0', '1/1', '1/3']);
    expect(loader.isReady(1)).toBe(true);
    await loader.close();
  });

  it('falls back to the whole key group when a sub-block cannot be read, and reports its failure', async () => {
    const { blocks, reads } = controlledBlocks();
    const loader = new LazyKeyGroupLoader(blocks, KeyGroupRange.of(0, 1), {
      concurrency: 1,
      maxBytesInFlight: 1,
      load: () => undefined,
    });
    const record = loader.whenReady(1, keyOf(1));
    reads[0]?.fail(new Error('sub-block unreadable'));
    await turn();
    expect(reads.map((r) => r.what)).toEqual(['1/1', '1']);
    reads[1]?.fail(new Error('block unreadable'));
    await expect(record).rejects.toThrow(/block unreadable/);
    await expect(loader.whenReady(1, keyOf(3))).rejects.toThrow(/block unreadable/);
    await loader.close();
  });
});
