import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { CheckpointStorageError } from '../../errors.js';

const WAIT_LIMIT_MS = 30_000;
/** How long an empty lock file may stand before it counts as left by a crash. */
const EMPTY_LOCK_GRACE_MS = 2_000;

/**
 * Runs `action` holding an exclusive lock file, so that a commit's fencing check and its
 * publication, and a claim's epoch choice and its record, happen without another process on the
 * host interleaving. The file holds `pid@host`; a lock left by a process that no longer runs on
 * this host (killed while committing) is broken, by renaming it aside first and checking that
 * what was moved is the stale lock.
 *
 * The lock is created with its owner already inside (written to a private temporary file, then
 * hard-linked into place, which fails when the lock exists), so a process killed while taking
 * the lock never leaves an empty lock behind.
 */
export async function withLockFile<T>(path: string, action: () => Promise<T>): Promise<T> {
  const owner = `${process.pid}@${hostname()}`;
  const started = Date.now();
  let delay = 2;
  for (;;) {
    if (await tryCreate(path, owner)) break;
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

/** Creates the lock holding `owner`; false when a lock already exists. */
async function tryCreate(path: string, owner: string): Promise<boolean> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.writeFile(temporary, owner, { flag: 'wx' });
    await fs.link(temporary, path);
    return true;
  } catch (error) {
    if (isCode(error, 'EEXIST')) return false;
    throw new CheckpointStorageError('create the lock file', path, { cause: error });
  } finally {
    await fs.rm(temporary, { force: true });
  }
}

async function breakIfStale(path: string): Promise<boolean> {
  let content: string;
  let modifiedAt: number;
  try {
    [content, modifiedAt] = await Promise.all([
      fs.readFile(path, 'utf8'),
      fs.stat(path).then((stats) => stats.mtimeMs),
    ]);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return true;
    throw new CheckpointStorageError('read the lock file', path, { cause: error });
  }
  const [pid, host] = content.split('@');
  // This code never writes an empty lock, but an earlier version could when killed between
  // creating and writing it: such a lock is stale once it has stood for a moment.
  const empty = pid === undefined || pid === '';
  if (empty && Date.now() - modifiedAt < EMPTY_LOCK_GRACE_MS) return false;
  // A lock of another host cannot be judged.
  if (!empty && (host !== hostname() || isAlive(Number(pid)))) return false;
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
