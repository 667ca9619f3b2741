import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { FencedError, KeyGroupRange, LocalCheckpointStorage, listCheckpoints } from '../../../src/index.js';
import { applyRetention } from '../../../src/spi.js';
import { ArrayView, bytes, spreadEntries, temporaryDirectory } from './fixtures.js';
import { restoreLatest, snapshotter } from './helpers.js';

async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.push(relative(root, path));
    }
  };
  await walk(root);
  return out.sort();
}

describe('retention', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let storage: LocalCheckpointStorage;
  let base: string;
  const all = KeyGroupRange.of(0, 127);

  beforeEach(async () => {
    dir = await temporaryDirectory();
    storage = new LocalCheckpointStorage({ directory: dir.path, jobId: 'job-1', operatorId: 'op' });
    base = join(dir.path, 'job-1', 'op');
  });
  afterEach(() => dir.remove());

  /** What the retained checkpoints reference, plus their metadata and the claims. */
  async function referencedTree(): Promise<string[]> {
    const summaries = await listCheckpoints(storage);
    const paths = new Set<string>();
    for (const summary of summaries) {
      for (const part of summary.parts) {
        paths.add(part.committed.path);
        for (const file of part.metadata.files) paths.add(file.path);
      }
    }
    for (const claim of await storage.listClaims()) {
      paths.add(
        `_fencing/epoch-${String(claim.epoch).padStart(10, '0')}.kg-${claim.keyGroupRange.startKeyGroup}-${claim.keyGroupRange.endKeyGroup}`,
      );
    }
    return [...paths].sort();
  }

  it('keeps the last N checkpoints and leaves no file they do not reference, leftovers included', async () => {
    const crashed = await storage.claim(all);
    // A writer that crashed mid-checkpoint: a data file and a temporary metadata file, never committed.
    await storage.writeFile(crashed, 3, 'exclusive', bytes('half a file'));
    await storage.writeFile(crashed, 3, 'shared', bytes('half a shared file'));
    const lease = await storage.claim(all);
    const writer = snapshotter(storage, lease, { retained: 2 });
    for (let id = 1; id <= 5; id++) {
      await writer.snapshot(id, new ArrayView(spreadEntries(50, 128, `v${id}-`)));
      await writer.complete(id);
    }
    // Our own failed attempt at checkpoint 6.
    await storage.writeFile(lease, 6, 'exclusive', bytes('never committed'));
    await applyRetention(storage, lease, { retainedCheckpoints: 2 });

    expect((await storage.listCommitted()).map((c) => c.checkpointId)).toEqual([4, 5]);
    expect(await listTree(base)).toEqual(await referencedTree());
    expect(await readdir(base)).not.toContain('chk-3');
    expect((await restoreLatest(storage, all)).checkpointId).toBe(5);
  });

  it('keeps shared files an incremental checkpoint still references and deletes the rest', async () => {
    const lease = await storage.claim(all);
    const writer = snapshotter(storage, lease, { incremental: true, retained: 1 });
    let entries = spreadEntries(400);
    await writer.snapshot(1, new ArrayView(entries, { changed: [] }));
    for (let id = 2; id <= 6; id++) {
      const changedGroup = id * 3;
      entries = entries.map((e) => (e.keyGroup === changedGroup ? { ...e, value: `${e.value}+${id}` } : e));
      await writer.snapshot(id, new ArrayView(entries, { changed: [changedGroup] }));
      await writer.complete(id);
    }
    expect((await storage.listCommitted()).map((c) => c.checkpointId)).toEqual([6]);
    const latest = (await listCheckpoints(storage))[0];
    expect(new Set(latest?.parts[0]?.metadata.files.map((f) => f.checkpointId))).toEqual(
      new Set([1, 2, 3, 4, 5, 6]),
    );
    expect(await listTree(base)).toEqual(await referencedTree());
    expect((await restoreLatest(storage, all)).entries).toHaveLength(400);
  });

  it('keeps the checkpoints before one that not every writer committed yet', async () => {
    const left = KeyGroupRange.of(0, 63);
    const right = KeyGroupRange.of(64, 127);
    const view = (range: KeyGroupRange, prefix: string) =>
      new ArrayView(
        spreadEntries(40, 128, prefix).filter((e) => range.contains(e.keyGroup)),
        { range },
      );
    const leftWriter = snapshotter(storage, await storage.claim(left), { retained: 1 });
    const rightWriter = snapshotter(storage, await storage.claim(right), { retained: 1 });
    await leftWriter.snapshot(1, view(left, 'one'));
    await rightWriter.snapshot(1, view(right, 'one'));
    await leftWriter.snapshot(2, view(left, 'two'));
    await leftWriter.snapshot(3, view(left, 'three'));
    // Only the left writer committed 2 and 3: checkpoint 1 is the latest complete one and stays.
    expect((await storage.listCommitted()).map((c) => c.checkpointId)).toEqual([1, 1, 2, 3]);
    await leftWriter.abort(3);
    await leftWriter.abort(2);
    expect((await restoreLatest(storage, all)).checkpointId).toBe(1);
    await leftWriter.snapshot(4, view(left, 'four'));
    await rightWriter.snapshot(4, view(right, 'four'));
    await leftWriter.retain();
    await rightWriter.retain();
    expect((await storage.listCommitted()).map((c) => c.checkpointId)).toEqual([4, 4]);
    expect(await listTree(base)).toEqual(await referencedTree());
  });

  it('counts a checkpoint as complete once confirmed, even when its parts do not cover every key group', async () => {
    const left = KeyGroupRange.of(0, 63);
    const writer = snapshotter(storage, await storage.claim(left), { retained: 1 });
    const view = (prefix: string) =>
      new ArrayView(
        spreadEntries(40, 128, prefix).filter((e) => left.contains(e.keyGroup)),
        { range: left },
      );
    await writer.snapshot(1, view('one'));
    await writer.snapshot(2, view('two'));
    expect((await storage.listCommitted()).map((c) => c.checkpointId)).toEqual([1, 2]);
    await writer.complete(2);
    expect((await storage.listCommitted()).map((c) => c.checkpointId)).toEqual([2]);
  });

  it('leaves the in-flight files of a live writer of another range alone', async () => {
    const left = await storage.claim(KeyGroupRange.of(0, 63));
    const right = await storage.claim(KeyGroupRange.of(64, 127));
    const inFlight = await storage.writeFile(right, 9, 'exclusive', bytes('being written'));
    const ownInFlight = await storage.writeFile(left, 9, 'shared', bytes('mine, being written'));
    await applyRetention(storage, left, { retainedCheckpoints: 1, inFlightCheckpointIds: new Set([9]) });
    expect((await storage.listFiles()).map((f) => f.path).sort()).toEqual(
      [inFlight.path, ownInFlight.path].sort(),
    );
  });

  it('deletes nothing for a fenced writer', async () => {
    const old = await storage.claim(all);
    await storage.writeFile(old, 1, 'exclusive', bytes('leftover'));
    await storage.claim(all);
    await expect(applyRetention(storage, old, { retainedCheckpoints: 1 })).rejects.toThrow(FencedError);
    expect(await storage.listFiles()).toHaveLength(1);
  });
});
