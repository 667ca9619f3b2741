import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withLockFile } from '../../../src/checkpoint/storage/local-lock.js';

describe('withLockFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'lock-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('holds the owner in the lock while the action runs and removes it afterwards', async () => {
    const lock = join(dir, 'lock');
    const seen = await withLockFile(lock, () => fs.readFile(lock, 'utf8'));
    expect(seen).toMatch(new RegExp(`^${process.pid}@`));
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('runs actions one at a time', async () => {
    const lock = join(dir, 'lock');
    const events: string[] = [];
    const step = (name: string) =>
      withLockFile(lock, async () => {
        events.push(`${name}:in`);
        await new Promise<void>((resolve) => setImmediate(resolve));
        events.push(`${name}:out`);
      });
    await Promise.all([step('a'), step('b')]);
    // Either may take the lock first (the file system decides); they never interleave.
    expect([
      ['a:in', 'a:out', 'b:in', 'b:out'],
      ['b:in', 'b:out', 'a:in', 'a:out'],
    ]).toContainEqual(events);
  });

  it('breaks an empty lock left by a process killed while taking it (as older versions could)', async () => {
    const lock = join(dir, 'lock');
    await fs.writeFile(lock, '');
    const old = new Date(Date.now() - 60_000);
    await fs.utimes(lock, old, old);
    await expect(withLockFile(lock, async () => 'acquired')).resolves.toBe('acquired');
  });

  it('breaks a lock whose owner process no longer runs on this host', async () => {
    const lock = join(dir, 'lock');
    const { hostname } = await import('node:os');
    await fs.writeFile(lock, `2147483646@${hostname()}`);
    await expect(withLockFile(lock, async () => 'acquired')).resolves.toBe('acquired');
  });
});
