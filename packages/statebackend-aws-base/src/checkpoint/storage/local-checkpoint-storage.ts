import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CheckpointAlreadyExistsError,
  CheckpointStorageError,
  ConfigurationError,
  NotACheckpointError,
} from '../../errors.js';
import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import type {
  ByteRange,
  CheckpointStorage,
  CommittedCheckpoint,
  FileContent,
  FileScope,
  StoredFile,
  WriterLease,
  WrittenFile,
} from './checkpoint-storage.js';
import { assertNotFenced, describeRange, intersects, isSuperseded, nextEpoch } from './fencing.js';
import {
  fsyncDirectory,
  listDirectory,
  makeDirectory,
  readRange,
  statOrUndefined,
  writeNewFile,
} from './local-files.js';
import { isCode, withLockFile } from './local-lock.js';
import {
  checkpointDirectoryName,
  claimFileName,
  dataFileName,
  FENCING_DIRECTORY,
  metadataFileName,
  newDataFileLocation,
  parseCheckpointDirectoryName,
  parseClaimFileName,
  parseFileOrigin,
  parseMetadataFileName,
  SHARED_DIRECTORY,
} from './object-names.js';

/** Options of {@link LocalCheckpointStorage}. */
export interface LocalCheckpointStorageOptions {
  /** Root directory of all checkpoints; created when missing. */
  readonly directory: string;
  /** The job; one directory level. Letters, digits, `.`, `_` and `-`. */
  readonly jobId: string;
  /** The operator within the job; one directory level below the job. */
  readonly operatorId: string;
}

const SAFE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * Checkpoints in a local directory, laid out as Flink lays them out on a file system:
 * `<directory>/<jobId>/<operatorId>/{shared, chk-N, _fencing}/`.
 *
 * Data files are written and fsync'd under their final names; they are invisible until a
 * metadata file references them. A commit writes the metadata to a temporary file, fsyncs it,
 * links it to its final name (which, unlike rename, never replaces an existing checkpoint),
 * and fsyncs the directory: a crash at any point leaves either the previous checkpoints alone
 * or the new one complete. Fencing checks and commits run under a lock file, so one host's
 * processes cannot interleave them.
 *
 * @example
 * ```ts
 * const storage = new LocalCheckpointStorage({ directory: '/var/ckpt', jobId: 'clicks', operatorId: 'count' });
 * ```
 */
export class LocalCheckpointStorage implements CheckpointStorage {
  /** Chunks are written to the file and forgotten before `writeFile` settles. */
  readonly releasesChunks = true;
  readonly location: string;
  /** Absolute path of `<directory>/<jobId>/<operatorId>`. */
  readonly baseDirectory: string;

  constructor(options: LocalCheckpointStorageOptions) {
    const issues = (['jobId', 'operatorId'] as const)
      .filter((key) => !SAFE_SEGMENT.test(options[key]))
      .map((key) => ({
        key,
        received: JSON.stringify(options[key]),
        expected: 'letters, digits, ".", "_" and "-", not starting with "." or "-"',
      }));
    if (issues.length > 0) throw new ConfigurationError(issues);
    this.baseDirectory = path.resolve(options.directory, options.jobId, options.operatorId);
    this.location = pathToFileURL(this.baseDirectory).href;
  }

  /**
   * The storage and checkpoint id of a `chk-N` directory, to restore exactly that checkpoint:
   * `restoreFrom: LocalCheckpointStorage.openCheckpointDirectory(path)`. Throws
   * {@link NotACheckpointError} when `path` is not a `<directory>/<job>/<operator>/chk-N`
   * directory holding a committed metadata file.
   */
  static async openCheckpointDirectory(
    checkpointDirectory: string,
  ): Promise<{ storage: LocalCheckpointStorage; checkpointId: number }> {
    const absolute = path.resolve(checkpointDirectory);
    const checkpointId = parseCheckpointDirectoryName(path.basename(absolute));
    if (checkpointId === undefined) {
      throw new NotACheckpointError(absolute, "its name is not 'chk-<checkpoint id>'");
    }
    const operatorDirectory = path.dirname(absolute);
    const jobDirectory = path.dirname(operatorDirectory);
    const names = await fs.readdir(absolute).catch((error: unknown) => {
      throw new NotACheckpointError(
        absolute,
        'it cannot be listed (it does not exist or is not a directory)',
        {
          cause: error,
        },
      );
    });
    if (!names.some((name) => parseMetadataFileName(name) !== undefined)) {
      throw new NotACheckpointError(absolute, 'it holds no metadata file, so the checkpoint never completed');
    }
    const storage = new LocalCheckpointStorage({
      directory: path.dirname(jobDirectory),
      jobId: path.basename(jobDirectory),
      operatorId: path.basename(operatorDirectory),
    });
    return { storage, checkpointId };
  }

  describe(relative: string): string {
    return `${this.location}/${relative}`;
  }

  #absolute(relative: string): string {
    return path.join(this.baseDirectory, ...relative.split('/'));
  }

  get #lockPath(): string {
    return path.join(this.baseDirectory, FENCING_DIRECTORY, 'lock');
  }

  async claim(keyGroupRange: KeyGroupRange): Promise<WriterLease> {
    const directory = path.join(this.baseDirectory, FENCING_DIRECTORY);
    await makeDirectory(directory);
    return withLockFile(this.#lockPath, async () => {
      const epoch = nextEpoch(await this.listClaims());
      const name = claimFileName(epoch, keyGroupRange);
      await writeNewFile(
        path.join(directory, name),
        new TextEncoder().encode(`${describeRange(keyGroupRange)}\n`),
      );
      await fsyncDirectory(directory);
      // Claims wholly covered by newer ones fence nothing any more: the newer ones fence more.
      const claims = await this.listClaims();
      for (const old of claims.filter((c) => isSuperseded(c, claims))) {
        await fs.rm(path.join(directory, claimFileName(old.epoch, old.keyGroupRange)), { force: true });
      }
      return { epoch, keyGroupRange };
    });
  }

  async listClaims(): Promise<WriterLease[]> {
    const names = await listDirectory(path.join(this.baseDirectory, FENCING_DIRECTORY));
    const claims: WriterLease[] = [];
    for (const name of names) {
      const claim = parseClaimFileName(name);
      if (claim !== undefined) claims.push(claim);
    }
    return claims.sort((a, b) => a.epoch - b.epoch);
  }

  async checkNotFenced(lease: WriterLease): Promise<void> {
    assertNotFenced(this.location, await this.listClaims(), lease);
  }

  async writeFile(
    lease: WriterLease,
    checkpointId: number,
    scope: FileScope,
    content: FileContent,
  ): Promise<WrittenFile> {
    const { directory, name } = newDataFileLocation(lease, checkpointId, scope);
    const relative = `${directory}/${name}`;
    const size = await writeNewFile(this.#absolute(relative), content);
    return { path: relative, size };
  }

  async commit(lease: WriterLease, checkpointId: number, metadata: Uint8Array): Promise<CommittedCheckpoint> {
    const directory = checkpointDirectoryName(checkpointId);
    const absoluteDirectory = this.#absolute(directory);
    await makeDirectory(path.join(this.baseDirectory, FENCING_DIRECTORY));
    const writer = { keyGroupRange: lease.keyGroupRange, epoch: lease.epoch, checkpointId };
    const temporary = path.join(absoluteDirectory, `.tmp.${dataFileName(writer, random())}`);
    const finalName = metadataFileName(lease.keyGroupRange, lease.epoch);
    const relative = `${directory}/${finalName}`;
    try {
      await writeNewFile(temporary, metadata);
      // The data files this metadata references must be durable before the metadata is.
      await fsyncDirectory(absoluteDirectory);
      await fsyncDirectory(this.#absolute(SHARED_DIRECTORY)).catch(() => undefined);
      await withLockFile(this.#lockPath, async () => {
        await this.checkNotFenced(lease);
        const existing = (await this.#listCommittedIn(checkpointId)).find((c) =>
          intersects(c.keyGroupRange, lease.keyGroupRange),
        );
        if (existing !== undefined) {
          throw new CheckpointAlreadyExistsError(this.location, checkpointId, `by ${existing.path}`);
        }
        try {
          await fs.link(temporary, this.#absolute(relative));
        } catch (error) {
          if (isCode(error, 'EEXIST')) {
            throw new CheckpointAlreadyExistsError(this.location, checkpointId, `by ${relative}`);
          }
          throw new CheckpointStorageError('publish the metadata', this.describe(relative), { cause: error });
        }
        await fsyncDirectory(absoluteDirectory);
      });
    } finally {
      await fs.rm(temporary, { force: true });
    }
    const stat = await statOrUndefined(this.#absolute(relative));
    return {
      checkpointId,
      keyGroupRange: lease.keyGroupRange,
      writerEpoch: lease.epoch,
      path: relative,
      size: metadata.length,
      committedAt: stat?.mtimeMs ?? Date.now(),
    };
  }

  async listCommitted(): Promise<CommittedCheckpoint[]> {
    const ids = (await listDirectory(this.baseDirectory))
      .map(parseCheckpointDirectoryName)
      .filter((id): id is number => id !== undefined)
      .sort((a, b) => a - b);
    const committed: CommittedCheckpoint[] = [];
    for (const id of ids) committed.push(...(await this.#listCommittedIn(id)));
    return committed;
  }

  async #listCommittedIn(checkpointId: number): Promise<CommittedCheckpoint[]> {
    const directory = checkpointDirectoryName(checkpointId);
    const committed: CommittedCheckpoint[] = [];
    for (const name of await listDirectory(this.#absolute(directory))) {
      const parsed = parseMetadataFileName(name);
      if (parsed === undefined) continue;
      const relative = `${directory}/${name}`;
      const stat = await statOrUndefined(this.#absolute(relative));
      if (stat === undefined) continue;
      committed.push({
        checkpointId,
        keyGroupRange: parsed.keyGroupRange,
        writerEpoch: parsed.epoch,
        path: relative,
        size: stat.size,
        committedAt: stat.mtimeMs,
      });
    }
    return committed.sort((a, b) => a.keyGroupRange.startKeyGroup - b.keyGroupRange.startKeyGroup);
  }

  readFile(relative: string, range?: ByteRange): Promise<Uint8Array> {
    return readRange(this.#absolute(relative), range?.offset, range?.length);
  }

  async listFiles(): Promise<StoredFile[]> {
    const directories = (await listDirectory(this.baseDirectory)).filter(
      (name) => name === SHARED_DIRECTORY || parseCheckpointDirectoryName(name) !== undefined,
    );
    const files: StoredFile[] = [];
    for (const directory of directories.sort()) {
      for (const name of await listDirectory(this.#absolute(directory))) {
        if (parseMetadataFileName(name) !== undefined) continue;
        const relative = `${directory}/${name}`;
        const stat = await statOrUndefined(this.#absolute(relative));
        if (stat !== undefined)
          files.push({ path: relative, size: stat.size, origin: parseFileOrigin(name) });
      }
    }
    return files;
  }

  async delete(paths: readonly string[]): Promise<void> {
    const directories = new Set<string>();
    for (const relative of paths) {
      try {
        await fs.rm(this.#absolute(relative), { force: true });
      } catch (error) {
        throw new CheckpointStorageError('delete', this.describe(relative), { cause: error });
      }
      const directory = relative.split('/')[0];
      if (directory !== undefined && parseCheckpointDirectoryName(directory) !== undefined)
        directories.add(directory);
    }
    for (const directory of directories) {
      // Only an empty chk-N directory goes; a writer may be adding a file to it right now.
      await fs.rmdir(this.#absolute(directory)).catch(() => undefined);
    }
  }
}

function random(): string {
  return randomBytes(6).toString('hex');
}
