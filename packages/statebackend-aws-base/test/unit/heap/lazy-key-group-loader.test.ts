import type { KeyGroupBlocks } from '../../../src/checkpoint/restore/key-group-blocks.js';
import type { VerifiedBlock } from '../../../src/checkpoint/restore/keyed-state-source.js';
import { LazyKeyGroupLoader } from '../../../src/heap/checkpointing/lazy-key-group-loader.js';
import { KeyGroupRange } from '../../../src/index.js';

/** Blocks of key groups 0 to `count - 1` whose reads answer only when the test says so. */
function controlledBlocks(count = 4) {
  const reads: { range: KeyGroupRange; answer: () => void; fail: (error: Error) => void }[] = [];
  const blockOf = (keyGroup: number): VerifiedBlock => ({
    keyGroup,
    bytes: new Uint8Array([keyGroup]),
    entries: 1,
    states: [],
  });
  const blocks: KeyGroupBlocks = {
    keyGroups: Array.from({ length: count }, (_, keyGroup) => keyGroup),
    entries: count,
    bytesOf: () => 10,
    read: (range) =>
      new Promise((resolve, reject) => {
        const answer = () => resolve([...range].map(blockOf));
        reads.push({ range, answer, fail: reject });
      }),
  };
  return { blocks, reads };
}

describe('LazyKeyGroupLoader', () => {
  it('gives a snapshot the block of a key group read but still waiting for its turn to load', async () => {
    const { blocks, reads } = controlledBlocks();
    const loaded: number[] = [];
    const loader = new LazyKeyGroupLoader(blocks, KeyGroupRange.of(0, 3), {
      concurrency: 1,
      maxBytesInFlight: 1000,
      load: (keyGroup) => loaded.push(keyGroup),
    });
    loader.start();
    expect(reads.map((r) => [...r.range])).toEqual([[0, 1, 2, 3]]);
    const first = loader.whenReady(0);
    reads[0]?.answer();
    await first;
    // Key group 0 loaded at once; 1-3 were read in the same batch and load one per turn.
    expect(loaded).toEqual([0]);
    expect(loader.unloadedKeyGroups()).toEqual([1, 2, 3]);
    const seen = await Promise.all(loader.unloadedKeyGroups().map((kg) => loader.blockOf(kg)));
    expect(seen.map((b) => b?.keyGroup)).toEqual([1, 2, 3]);
    await loader.whenAllLoaded();
    expect(loaded).toEqual([0, 1, 2, 3]);
    await loader.close();
  });

  it('loads a read that answers right after the loading loop ran dry', async () => {
    const { blocks, reads } = controlledBlocks(2);
    const loaded: number[] = [];
    const loader = new LazyKeyGroupLoader(blocks, KeyGroupRange.of(0, 1), {
      concurrency: 1,
      maxBytesInFlight: 1,
      load: (keyGroup) => loaded.push(keyGroup),
    });
    loader.start();
    // Background reads key group 0; a record asks for 1, read at once beside it: the last read.
    const one = loader.whenReady(1);
    expect(reads.map((r) => [...r.range])).toEqual([[0], [1]]);
    // Both answer in the same turn: the loop ends, then 1 arrives, and no read comes after it.
    reads[0]?.answer();
    reads[1]?.answer();
    await one;
    await loader.whenAllLoaded();
    expect([...loaded].sort()).toEqual([0, 1]);
    await loader.close();
  });

  it('loads no background key group while a record waits for one not read yet, and resumes after it', async () => {
    const { blocks, reads } = controlledBlocks(3);
    const loaded: number[] = [];
    const loader = new LazyKeyGroupLoader(blocks, KeyGroupRange.of(0, 2), {
      concurrency: 2,
      maxBytesInFlight: 20,
      load: (keyGroup) => loaded.push(keyGroup),
    });
    loader.start();
    const two = loader.whenReady(2);
    expect(reads.map((r) => [...r.range])).toEqual([[0], [1], [2]]);
    reads[0]?.answer();
    reads[1]?.answer();
    await new Promise((resolve) => setImmediate(resolve));
    // Key groups 0 and 1 are read, but the thread is kept for the record waiting for 2.
    expect(loaded).toEqual([]);
    reads[2]?.answer();
    await two;
    expect(loaded[0]).toBe(2);
    await loader.whenAllLoaded();
    expect([...loaded].sort()).toEqual([0, 1, 2]);
    await loader.close();
  });

  it('resumes the background when the read a record waited for fails, and loads what another record waits for', async () => {
    const { blocks, reads } = controlledBlocks(3);
    const loaded: number[] = [];
    const loader = new LazyKeyGroupLoader(blocks, KeyGroupRange.of(0, 2), {
      concurrency: 2,
      maxBytesInFlight: 20,
      load: (keyGroup) => loaded.push(keyGroup),
    });
    loader.start();
    const two = loader.whenReady(2);
    reads[0]?.answer();
    await new Promise((resolve) => setImmediate(resolve));
    const zero = loader.whenReady(0);
    reads[2]?.fail(new Error('the GET failed'));
    await expect(two).rejects.toThrow(/the GET failed/);
    await zero;
    reads[1]?.answer();
    await expect(loader.whenAllLoaded()).rejects.toThrow(/the GET failed/);
    await new Promise((resolve) => setImmediate(resolve));
    expect([...loaded].sort()).toEqual([0, 1]);
    await loader.close();
  });

  it('reads no further batch beyond the bytes in flight while loading holds back for a record', async () => {
    const { blocks, reads } = controlledBlocks(4);
    const loaded: number[] = [];
    const loader = new LazyKeyGroupLoader(blocks, KeyGroupRange.of(0, 3), {
      concurrency: 1,
      maxBytesInFlight: 10,
      load: (keyGroup) => loaded.push(keyGroup),
    });
    loader.start();
    const three = loader.whenReady(3);
    reads[0]?.answer();
    await new Promise((resolve) => setImmediate(resolve));
    // Key group 0 read and held back; 3 still being read: nothing more is read meanwhile.
    expect(reads.map((r) => [...r.range])).toEqual([[0], [3]]);
    expect(loaded).toEqual([]);
    reads[1]?.answer();
    await three;
    for (let answered = 2; loader.remaining > 0 && answered < 10; answered++) {
      await new Promise((resolve) => setImmediate(resolve));
      reads[answered]?.answer();
    }
    await loader.whenAllLoaded();
    expect(loaded).toEqual([3, 0, 1, 2]);
    await loader.close();
  });
});
