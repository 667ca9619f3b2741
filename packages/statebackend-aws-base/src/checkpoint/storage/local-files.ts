import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { CheckpointStorageError } from '../../errors.js';
import { isCode } from './local-lock.js';

/** File-system steps of the local storage, each turning a failure into a typed error. */

/** Flushes a directory's entries (new or renamed files) to disk. */
export async function fsyncDirectory(path: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(path, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms cannot fsync a directory; the data files themselves are synced.
    if (!isCode(error, 'EISDIR') && !isCode(error, 'EINVAL') && !isCode(error, 'EPERM')) {
      throw new CheckpointStorageError('sync the directory', path, { cause: error });
    }
  } finally {
    await handle?.close();
  }
}

/** Writes chunks to a new file (never an existing one), syncs it and returns its size. */
export async function writeNewFile(
  path: string,
  content: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
): Promise<number> {
  let handle: fs.FileHandle | undefined;
  let size = 0;
  try {
    try {
      handle = await fs.open(path, 'wx');
    } catch (error) {
      // Retention removes an empty chk-N directory; recreate it when that raced with this write.
      if (!isCode(error, 'ENOENT')) throw error;
      await fs.mkdir(dirname(path), { recursive: true });
      handle = await fs.open(path, 'wx');
    }
    const chunks = content instanceof Uint8Array ? [content] : content;
    for await (const chunk of producing(chunks)) {
      let written = 0;
      while (written < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, written, chunk.length - written);
        written += bytesWritten;
      }
      size += chunk.length;
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    return size;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(path, { force: true }).catch(() => undefined);
    if (error instanceof ProducerError) throw error.cause;
    if (error instanceof CheckpointStorageError) throw error;
    throw new CheckpointStorageError('write', path, { cause: error, retryable: isCode(error, 'EAGAIN') });
  }
}

/** An error of whatever produced the content (encoding, an abort), not of the file system. */
class ProducerError {
  readonly cause: unknown;
  constructor(cause: unknown) {
    this.cause = cause;
  }
}

async function* producing(
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  const iterator =
    Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]();
  for (;;) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await iterator.next();
    } catch (error) {
      throw new ProducerError(error);
    }
    if (next.done === true) return;
    yield next.value;
  }
}

/** Reads `length` bytes at `offset` (or the whole file); shorter only at end of file. */
export async function readRange(path: string, offset?: number, length?: number): Promise<Uint8Array> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(path, 'r');
    const start = offset ?? 0;
    const wanted = length ?? (await handle.stat()).size - start;
    const buffer = new Uint8Array(Math.max(0, wanted));
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, start + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === buffer.length ? buffer : buffer.subarray(0, filled);
  } catch (error) {
    throw new CheckpointStorageError('read', path, { cause: error, notFound: isCode(error, 'ENOENT') });
  } finally {
    await handle?.close();
  }
}

/** Directory entries, or none when the directory does not exist. */
export async function listDirectory(path: string): Promise<string[]> {
  try {
    return await fs.readdir(path);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return [];
    throw new CheckpointStorageError('list', path, { cause: error });
  }
}

export async function statOrUndefined(path: string): Promise<{ size: number; mtimeMs: number } | undefined> {
  try {
    return await fs.stat(path);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw new CheckpointStorageError('inspect', path, { cause: error });
  }
}

export async function makeDirectory(path: string): Promise<void> {
  try {
    await fs.mkdir(path, { recursive: true });
  } catch (error) {
    throw new CheckpointStorageError('create the directory', path, { cause: error });
  }
}
