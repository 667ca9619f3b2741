import {
  CheckpointSource,
  KeyGroupRange,
  LocalCheckpointStorage,
  SnapshotAbortedError,
} from '../../../src/index.js';
import {
  type ByteRange,
  ForwardingCheckpointStorage,
  loadCheckpoint,
  type WriterLease,
} from '../../../src/spi.js';
import {
  ArrayView,
  describeTestEntry,
  spreadEntries,
  type TestEntry,
  temporaryDirectory,
} from './fixtures.js';
import { restoreLatest, snapshotter } from './helpers.js';

describe('CheckpointSnapshotter', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let storage: LocalCheckpointStorage;
  const all = KeyGroupRange.of(0, 127);

  beforeEach(async () => {
    dir = await temporaryDirectory();
    storage = new LocalCheckpointStorage({ directory: dir.path, jobId: 'job-1', operatorId: 'op' });
  });
  afterEach(() => dir.remove());

  const expected = (entries: readonly TestEntry[], range = all) =>
    entries
      .filter((e) => range.contains(e.keyGroup))
      .map(describeTestEntry)
      .sort();

  it('commits a full checkpoint that restores exactly, with the caller metadata', async () => {
    const entries: TestEntry[] = [
      ...spreadEntries(300),
      { keyGroup: 9, state: 1, key: 'u', userKey: 'page', value: 'x', ttl: 5 },
      { keyGroup: 9, state: 0, key: 'w', namespace: 'window-1', value: '3' },
    ];
    const view = new ArrayView(entries);
    const done = await snapshotter(storage, await storage.claim(all)).snapshot(1, view, { offset: 42 });
    expect(done).toMatchObject({ checkpointId: 1, snapshotType: 'full', entriesWritten: 302 });
    expect(view.released).toBe(1);
    const restored = await restoreLatest(storage, all);
    expect(restored.checkpointId).toBe(1);
    expect(restored.entries).toEqual(expected(entries));
    expect(restored.source?.userMetadata).toEqual([{ keyGroupRange: all, metadata: { offset: 42 } }]);
  });

  it('restores a subset of key groups without opening files that do not hold them', async () => {
    const entries = spreadEntries(2000);
    await snapshotter(storage, await storage.claim(all), { targetFileSize: 4096 }).snapshot(
      1,
      new ArrayView(entries),
    );
    const part = KeyGroupRange.of(10, 20);
    const selection = await loadCheckpoint(storage, 1, part);
    const source = new CheckpointSource(storage, selection);
    const allFiles = selection.parts.flatMap((p) => p.metadata.files);
    expect(allFiles.length).toBeGreaterThan(4);
    expect(source.filesFor(part).length).toBeLessThanOrEqual(2);
    // What a restore of the part reads from storage: only those files, and not all of them.
    const reads: { path: string; length: number }[] = [];
    const recording = new (class extends ForwardingCheckpointStorage {
      override readFile(path: string, range?: ByteRange) {
        reads.push({ path, length: range?.length ?? Number.POSITIVE_INFINITY });
        return super.readFile(path, range);
      }
    })(storage);
    expect((await restoreLatest(recording, part)).entries).toEqual(expected(entries, part));
    const dataReads = reads.filter((r) => r.path.endsWith('.sbkg'));
    expect(new Set(dataReads.map((r) => r.path))).toEqual(new Set(source.filesFor(part).map((f) => f.path)));
    const bytesRead = dataReads.reduce((sum, r) => sum + r.length, 0);
    expect(bytesRead).toBeLessThanOrEqual(source.filesFor(part).reduce((sum, f) => sum + f.size, 0));
  });

  it('drops entries whose TTL expired when the snapshot asks for cleanup', async () => {
    const entries: TestEntry[] = [
      { keyGroup: 1, state: 1, key: 'a', userKey: 'old', value: 'x', ttl: 10 },
      { keyGroup: 1, state: 1, key: 'a', userKey: 'new', value: 'y', ttl: 500 },
    ];
    await snapshotter(storage, await storage.claim(all)).snapshot(
      1,
      new ArrayView(entries, { expiredBefore: 100 }),
    );
    expect((await restoreLatest(storage, all)).entries).toEqual([describeTestEntry(entries[1] as TestEntry)]);
  });

  it('writes only changed key groups incrementally and restores the whole state', async () => {
    const lease = await storage.claim(all);
    const writer = snapshotter(storage, lease, { incremental: true });
    const first = spreadEntries(1000);
    const full = await writer.snapshot(1, new ArrayView(first, { changed: [] }));
    expect(full.snapshotType).toBe('full');
    const second = first.map((e) => (e.keyGroup === 7 ? { ...e, value: `${e.value}-changed` } : e));
    const incremental = await writer.snapshot(2, new ArrayView(second, { changed: [7] }));
    expect(incremental.snapshotType).toBe('incremental');
    expect(incremental.bytesWritten).toBeLessThan(full.bytesWritten / 20);
    expect(incremental.metadata.files.some((f) => f.checkpointId === 1)).toBe(true);
    expect((await restoreLatest(storage, all)).entries).toEqual(expected(second));
  });

  it('keeps the changes of a failed incremental snapshot for the next one', async () => {
    const lease = await storage.claim(all);
    let fail = false;
    const failing = new (class extends ForwardingCheckpointStorage {
      override commit(l: WriterLease, id: number, m: Uint8Array) {
        return fail ? Promise.reject(new Error('disk full')) : super.commit(l, id, m);
      }
    })(storage);
    const writer = snapshotter(failing, lease, { incremental: true });
    const v1 = spreadEntries(200);
    await writer.snapshot(1, new ArrayView(v1, { changed: [] }));
    const v2 = v1.map((e) => (e.keyGroup === 3 ? { ...e, value: 'changed-in-2' } : e));
    fail = true;
    await expect(writer.snapshot(2, new ArrayView(v2, { changed: [3] }))).rejects.toThrow('disk full');
    fail = false;
    const v3 = v2.map((e) => (e.keyGroup === 4 ? { ...e, value: 'changed-in-3' } : e));
    await writer.snapshot(3, new ArrayView(v3, { changed: [4] }));
    expect((await restoreLatest(storage, all)).entries).toEqual(expected(v3));
  });

  it('removes the files of a snapshot aborted while in flight', async () => {
    const lease = await storage.claim(all);
    const writer = snapshotter(storage, lease);
    await writer.snapshot(1, new ArrayView(spreadEntries(10)));
    const filesBefore = (await storage.listFiles()).map((f) => f.path).sort();
    const pending = writer.snapshot(2, new ArrayView(spreadEntries(5000)));
    const aborted = writer.abort(2);
    await expect(pending).rejects.toThrow(SnapshotAbortedError);
    await aborted;
    expect((await storage.listFiles()).map((f) => f.path).sort()).toEqual(filesBefore);
    expect((await restoreLatest(storage, all)).checkpointId).toBe(1);
  });

  it('removes its part of a committed checkpoint aborted before every writer committed it', async () => {
    const left = KeyGroupRange.of(0, 63);
    const half = (entries: TestEntry[]) =>
      new ArrayView(
        entries.filter((e) => left.contains(e.keyGroup)),
        { range: left },
      );
    const writer = snapshotter(storage, await storage.claim(left));
    await writer.snapshot(1, half(spreadEntries(20)));
    await writer.snapshot(2, half(spreadEntries(20, 128, 'two')));
    await writer.abort(2);
    expect((await storage.listCommitted()).map((c) => c.checkpointId)).toEqual([1]);
    expect((await storage.listFiles()).every((f) => f.origin?.checkpointId === 1)).toBe(true);
  });

  it('keeps a checkpoint every writer committed when it is aborted afterwards', async () => {
    const writer = snapshotter(storage, await storage.claim(all), { retained: 1 });
    await writer.snapshot(1, new ArrayView(spreadEntries(10)));
    await writer.snapshot(2, new ArrayView(spreadEntries(10, 128, 'two')));
    await writer.abort(2);
    expect((await storage.listCommitted()).map((c) => c.checkpointId)).toEqual([2]);
    expect((await restoreLatest(storage, all)).checkpointId).toBe(2);
  });

  it('combines the parts of several writers and restores them at another parallelism', async () => {
    const entries = spreadEntries(600);
    const ranges = [KeyGroupRange.of(0, 63), KeyGroupRange.of(64, 127)];
    for (const [i, range] of ranges.entries()) {
      const view = new ArrayView(
        entries.filter((e) => range.contains(e.keyGroup)),
        { range },
      );
      await snapshotter(storage, await storage.claim(range)).snapshot(5, view, { subtask: i });
    }
    const whole = await restoreLatest(storage, all);
    expect(whole.entries).toEqual(expected(entries));
    expect(whole.source?.userMetadata.map((m) => m.metadata)).toEqual([{ subtask: 0 }, { subtask: 1 }]);
    const thirds = [KeyGroupRange.of(0, 42), KeyGroupRange.of(43, 85), KeyGroupRange.of(86, 127)];
    const union: string[] = [];
    for (const third of thirds) union.push(...(await restoreLatest(storage, third)).entries);
    expect(union.sort()).toEqual(expected(entries));
  });

  it('passes over a checkpoint that a writer of part of the range never committed', async () => {
    const left = KeyGroupRange.of(0, 63);
    const right = KeyGroupRange.of(64, 127);
    const leftWriter = snapshotter(storage, await storage.claim(left));
    const rightWriter = snapshotter(storage, await storage.claim(right));
    await leftWriter.snapshot(1, new ArrayView([], { range: left }));
    await rightWriter.snapshot(1, new ArrayView([], { range: right }));
    await leftWriter.snapshot(2, new ArrayView([], { range: left }));
    expect((await restoreLatest(storage, all)).checkpointId).toBe(1);
    expect((await restoreLatest(storage, left)).checkpointId).toBe(2);
    await expect(loadCheckpoint(storage, 2, all)).rejects.toThrow(
      /checkpoint 2 holds key groups \[0, 63\], not all of/,
    );
  });
});
