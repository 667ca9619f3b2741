import { encodeSavepoint } from '../../../src/checkpoint/savepoint/write-savepoint.js';
import {
  CorruptSavepointError,
  KeyGroupRange,
  NotACheckpointError,
  SavepointSource,
  StateBackendError,
} from '../../../src/index.js';
import {
  ArrayView,
  describeEntry,
  describeTestEntry,
  spreadEntries,
  TEST_STATES,
  type TestEntry,
} from './fixtures.js';

async function collect(content: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of content) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

async function entriesOf(source: SavepointSource, range: KeyGroupRange): Promise<string[]> {
  const out: string[] = [];
  await source.forEachEntry(range, (keyGroup, state, entry) =>
    out.push(describeEntry(keyGroup, state.name, entry)),
  );
  return out.sort();
}

describe('canonical savepoints', () => {
  const entries: TestEntry[] = [
    ...spreadEntries(500),
    { keyGroup: 4, state: 1, key: 'k', userKey: 'u', value: 'v', ttl: 123 },
  ];

  it('export states, serializer snapshots, caller metadata and every entry, and read them back', async () => {
    const encoded = encodeSavepoint(new ArrayView(entries), {
      userMetadata: { offset: 7 },
      origin: { backend: 'test' },
    });
    const bytes = await collect(encoded.content);
    expect(encoded.result()).toMatchObject({ size: bytes.length, entries: entries.length });
    const source = await SavepointSource.fromBytes(bytes);
    expect(source.maxParallelism).toBe(128);
    expect(source.checkpointId).toBeUndefined();
    expect(source.states).toEqual(TEST_STATES);
    expect(source.userMetadata).toEqual([
      { keyGroupRange: KeyGroupRange.of(0, 127), metadata: { offset: 7 } },
    ]);
    expect(await entriesOf(source, KeyGroupRange.of(0, 127))).toEqual(entries.map(describeTestEntry).sort());
    const part = KeyGroupRange.of(0, 9);
    expect(await entriesOf(source, part)).toEqual(
      entries
        .filter((e) => part.contains(e.keyGroup))
        .map(describeTestEntry)
        .sort(),
    );
  });

  it('reads the savepoints of several subtasks as one', async () => {
    const left = KeyGroupRange.of(0, 63);
    const right = KeyGroupRange.of(64, 127);
    const files = await Promise.all(
      [left, right].map((range) =>
        collect(
          encodeSavepoint(
            new ArrayView(
              entries.filter((e) => range.contains(e.keyGroup)),
              { range },
            ),
          ).content,
        ),
      ),
    );
    const source = await SavepointSource.fromBytes(...files);
    expect(await entriesOf(source, KeyGroupRange.of(0, 127))).toEqual(entries.map(describeTestEntry).sort());
    await expect(SavepointSource.fromBytes(files[0] as Uint8Array, files[0] as Uint8Array)).rejects.toThrow(
      /overlaps/,
    );
  });

  it('rejects a corrupted or truncated savepoint with a typed error', async () => {
    const bytes = await collect(encodeSavepoint(new ArrayView(entries.slice(0, 20))).content);
    for (let position = 0; position < bytes.length; position += 7) {
      const corrupt = bytes.slice();
      corrupt[position] = (corrupt[position] as number) ^ 0x40;
      const error = await SavepointSource.fromBytes(corrupt)
        .then((s) => entriesOf(s, KeyGroupRange.of(0, 127)))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(StateBackendError);
    }
    await expect(
      SavepointSource.fromBytes(bytes.subarray(0, bytes.length - 3)).then((s) =>
        entriesOf(s, KeyGroupRange.of(0, 127)),
      ),
    ).rejects.toThrow(NotACheckpointError);
    const flippedIndex = bytes.slice();
    flippedIndex[bytes.length - 30] = (flippedIndex[bytes.length - 30] as number) ^ 1;
    await expect(SavepointSource.fromBytes(flippedIndex)).rejects.toThrow(CorruptSavepointError);
  });

  it('is not a checkpoint data file and not arbitrary bytes', async () => {
    await expect(
      SavepointSource.fromBytes(new TextEncoder().encode('{"not": "a savepoint"}'.repeat(3))),
    ).rejects.toThrow(/is not a checkpoint or savepoint|not a savepoint/);
  });
});
