import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CheckpointAlreadyExistsError,
  ConfigurationError,
  FencedError,
  KeyGroupRange,
  LocalCheckpointStorage,
} from '../../../src/index.js';
import { bytes, temporaryDirectory } from './fixtures.js';

describe('LocalCheckpointStorage', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let storage: LocalCheckpointStorage;
  const all = KeyGroupRange.of(0, 127);

  beforeEach(async () => {
    dir = await temporaryDirectory();
    storage = new LocalCheckpointStorage({ directory: dir.path, jobId: 'job-1', operatorId: 'op.count' });
  });
  afterEach(() => dir.remove());

  it('lays checkpoints out as Flink does: <job>/<operator>/{shared,chk-N}, metadata in chk-N', async () => {
    const lease = await storage.claim(all);
    const exclusive = await storage.writeFile(lease, 1, 'exclusive', bytes('data'));
    const shared = await storage.writeFile(lease, 1, 'shared', [bytes('sha'), bytes('red')]);
    const committed = await storage.commit(lease, 1, bytes('metadata'));
    expect(exclusive.path).toMatch(/^chk-1\/kg-0-127\.e1\.c1\.[0-9a-f]+\.sbkg$/);
    expect(shared).toEqual({ path: expect.stringMatching(/^shared\/kg-0-127\.e1\.c1\./), size: 6 });
    expect(committed.path).toBe('chk-1/_metadata.kg-0-127.e1');
    const base = join(dir.path, 'job-1', 'op.count');
    expect((await readdir(base)).sort()).toEqual(['_fencing', 'chk-1', 'shared']);
    expect((await readdir(join(base, 'chk-1'))).sort()).toEqual(
      [committed.path.slice(6), exclusive.path.slice(6)].sort(),
    );
    expect(await readFile(join(base, committed.path), 'utf8')).toBe('metadata');
    expect(storage.describe(committed.path)).toBe(`${storage.location}/chk-1/_metadata.kg-0-127.e1`);
    expect(storage.location.startsWith('file://')).toBe(true);
  });

  it('does not list a checkpoint whose metadata was never committed', async () => {
    const lease = await storage.claim(all);
    await storage.writeFile(lease, 1, 'exclusive', bytes('data'));
    expect(await storage.listCommitted()).toEqual([]);
    expect((await storage.listFiles()).map((f) => f.origin?.checkpointId)).toEqual([1]);
  });

  it('never replaces a committed checkpoint', async () => {
    const lease = await storage.claim(all);
    await storage.commit(lease, 4, bytes('first'));
    await expect(storage.commit(lease, 4, bytes('second'))).rejects.toThrow(CheckpointAlreadyExistsError);
    const [only] = await storage.listCommitted();
    expect(new TextDecoder().decode(await storage.readFile(only?.path ?? ''))).toBe('first');
    expect((await storage.listFiles()).filter((f) => f.path.includes('.tmp.'))).toEqual([]);
  });

  it('reads byte ranges of a file', async () => {
    const lease = await storage.claim(all);
    const file = await storage.writeFile(lease, 1, 'shared', bytes('0123456789'));
    expect(new TextDecoder().decode(await storage.readFile(file.path, { offset: 3, length: 4 }))).toBe(
      '3456',
    );
    expect((await storage.readFile(file.path, { offset: 8, length: 10 })).length).toBe(2);
    await expect(storage.readFile('shared/missing.sbkg')).rejects.toMatchObject({ notFound: true });
  });

  describe('fencing', () => {
    it('gives every claim a higher epoch, also across instances', async () => {
      const other = new LocalCheckpointStorage({
        directory: dir.path,
        jobId: 'job-1',
        operatorId: 'op.count',
      });
      const first = await storage.claim(KeyGroupRange.of(0, 63));
      const second = await other.claim(KeyGroupRange.of(64, 127));
      const third = await storage.claim(all);
      expect([first.epoch, second.epoch, third.epoch]).toEqual([1, 2, 3]);
    });

    it("fails the previous owner's next commit with FencedError and changes nothing", async () => {
      const oldOwner = await storage.claim(all);
      await storage.commit(oldOwner, 1, bytes('one'));
      const newOwner = await new LocalCheckpointStorage({
        directory: dir.path,
        jobId: 'job-1',
        operatorId: 'op.count',
      }).claim(KeyGroupRange.of(0, 63));
      const before = await storage.listCommitted();
      const error = await storage.commit(oldOwner, 2, bytes('two')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FencedError);
      expect(error).toMatchObject({ epoch: 1, newerEpoch: newOwner.epoch });
      expect((error as Error).message).toMatch(
        /epoch 1 of key groups \[0, 127\].*fenced by epoch 2 of key groups \[0, 63\]/,
      );
      expect(await storage.listCommitted()).toEqual(before);
      await expect(storage.checkNotFenced(oldOwner)).rejects.toThrow(FencedError);
      await expect(storage.checkNotFenced(newOwner)).resolves.toBeUndefined();
    });

    it('lets writers of disjoint ranges commit side by side', async () => {
      const left = await storage.claim(KeyGroupRange.of(0, 63));
      const right = await storage.claim(KeyGroupRange.of(64, 127));
      await storage.commit(left, 1, bytes('l'));
      await storage.commit(right, 1, bytes('r'));
      expect((await storage.listCommitted()).map((c) => String(c.keyGroupRange))).toEqual([
        'KeyGroupRange [0, 63]',
        'KeyGroupRange [64, 127]',
      ]);
    });

    it('drops claims wholly covered by newer ones', async () => {
      await storage.claim(KeyGroupRange.of(0, 63));
      await storage.claim(KeyGroupRange.of(64, 127));
      await storage.claim(all);
      expect((await storage.listClaims()).map((c) => c.epoch)).toEqual([3]);
    });

    it('breaks a lock left by a process that was killed while committing', async () => {
      const child = spawn(process.execPath, ['-e', '']);
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      const fencing = join(dir.path, 'job-1', 'op.count', '_fencing');
      await mkdir(fencing, { recursive: true });
      await writeFile(join(fencing, 'lock'), `${child.pid}@${(await import('node:os')).hostname()}`);
      const lease = await storage.claim(all);
      await expect(storage.commit(lease, 1, bytes('x'))).resolves.toMatchObject({ checkpointId: 1 });
    });
  });

  it('rejects job and operator ids that are not one safe path segment', () => {
    expect(
      () => new LocalCheckpointStorage({ directory: dir.path, jobId: '../etc', operatorId: 'op' }),
    ).toThrow(ConfigurationError);
    expect(
      () => new LocalCheckpointStorage({ directory: dir.path, jobId: 'job', operatorId: 'a/b' }),
    ).toThrow(/operatorId/);
  });
});
