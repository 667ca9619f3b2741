import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { CheckpointStorageError } from '../../errors.js';

const WAIT_LIMIT_MS = 30_000;

/**
 * Runs `action` holding an exclusive lock file, so that a commit's fencing check and its
 * publication, and a claim's epoch choice and its record, happen without another process on the
 * host interleaving. The file holds `pid@host`; a lock left by a process that no longer runs on
 * this host (killed while committing) is broken, by renaming it aside first and checking that
 * what was moved is the stale lock.
 */
export async function withLockFile<T>(path: string, action: () => Promise<T>): Promise<T> {
  const owner = `${process.pid}@${hostname()}`;
  const started = Date.now();
  let delay = 2;
  for (;;) {
    try {
      await fs.writeFile(path, owner, { flag: 'wx' });
      break;
    } catch (error) {
      if (!isCode(error, 'EEXIST'))
        throw new CheckpointStorageError('create the lock file', path, { cause: error });
    }
    if (await breakIfStale(path)) continue;
    if (Date.now() - started > WAIT_LIMIT_MS) {
      throw new CheckpointStorageError(`acquire the lock within ${WAIT_LIMIT_MS} ms`, path, {
        retryable: true,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 100);
  }
  try {
    return await action();
  } finally {
    await fs.rm(path, { force: true });
  }
}

async function breakIfStale(path: string): Promise<boolean> {
  let content: string;
  try {
    content = await fs.readFile(path, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return true;
    throw new CheckpointStorageError('read the lock file', path, { cause: error });
  }
  const [pid, host] = content.split('@');
  // An empty file is a lock being written right now; a lock of another host cannot be judged.
  if (pid === undefined || pid === '' || host !== hostname() || isAlive(Number(pid))) return false;
  const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
  try {
    await fs.rename(path, aside);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return true;
    throw new CheckpointStorageError('break the stale lock file', path, { cause: error });
  }
  // Another process may have broken the stale lock and taken a fresh one between our read and
  // the rename: then put the fresh lock back (link never overwrites) and keep waiting.
  const moved = await fs.readFile(aside, 'utf8').catch(() => content);
  if (moved !== content) await fs.link(aside, path).catch(() => undefined);
  await fs.rm(aside, { force: true });
  return moved === content;
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isCode(error, 'EPERM');
  }
}

export function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
