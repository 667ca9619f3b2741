import {
  type ByteRange,
  type CheckpointStorage,
  decodeCheckpointMetadata,
  ForwardingCheckpointStorage,
  type KeyGroupRange,
  parseMetadataFileName,
} from '@statebackend/aws-base';

/**
 * The checkpoint storage a keyed backend is built with, made to restore in parallel. aws-base's
 * restore reads the data files of a checkpoint one after another, in ranged reads; here, as soon
 * as the restore reads a commit record, every data file it references that holds key groups of
 * the backend's range starts downloading, `concurrency` at a time, and the restore's reads are
 * served from those downloads. Files holding none of the range are never fetched.
 *
 * Only while restoring: {@link endRestore} drops the downloads and turns it into a plain
 * pass-through for the life of the backend (checkpoints, retention).
 */
export class ParallelRestoreStorage extends ForwardingCheckpointStorage {
  readonly #range: KeyGroupRange;
  readonly #concurrency: number;
  #downloads: Map<string, Promise<Uint8Array>> | undefined = new Map();
  readonly #queue: string[] = [];
  readonly #waiting = new Map<string, { resolve: (b: Uint8Array) => void; reject: (e: unknown) => void }>();
  #active = 0;

  constructor(storage: CheckpointStorage, range: KeyGroupRange, concurrency: number) {
    super(storage);
    this.#range = range;
    this.#concurrency = Math.max(1, concurrency);
  }

  /** The restore is over: later reads go to the storage, downloaded bytes are released. */
  endRestore(): void {
    this.#downloads = undefined;
    this.#queue.length = 0;
    this.#waiting.clear();
  }

  override async readFile(path: string, range?: ByteRange): Promise<Uint8Array> {
    const downloads = this.#downloads;
    const pending = downloads?.get(path);
    if (pending !== undefined) {
      const bytes = await pending;
      return range === undefined ? bytes : bytes.subarray(range.offset, range.offset + range.length);
    }
    const bytes = await this.inner.readFile(path, range);
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (downloads !== undefined && range === undefined && parseMetadataFileName(name) !== undefined) {
      this.#prefetchFilesOf(path, bytes, downloads);
    }
    return bytes;
  }

  #prefetchFilesOf(path: string, bytes: Uint8Array, downloads: Map<string, Promise<Uint8Array>>): void {
    let files: readonly { path: string; keyGroups: readonly KeyGroupRange[] }[];
    try {
      files = decodeCheckpointMetadata(this.inner.describe(path), bytes).files;
    } catch {
      return; // The restore decodes it too, and reports what is wrong.
    }
    for (const file of files) {
      if (downloads.has(file.path) || !file.keyGroups.some((r) => !r.intersect(this.#range).isEmpty))
        continue;
      const download = new Promise<Uint8Array>((resolve, reject) => {
        this.#queue.push(file.path);
        this.#waiting.set(file.path, { resolve, reject });
      });
      // A download nobody reads (the restore stopped early) must not be an unhandled rejection.
      download.catch(() => undefined);
      downloads.set(file.path, download);
    }
    this.#pump();
  }

  #pump(): void {
    while (this.#active < this.#concurrency && this.#queue.length > 0) {
      const path = this.#queue.shift() as string;
      const settle = this.#waiting.get(path);
      this.#waiting.delete(path);
      if (settle === undefined) continue;
      this.#active++;
      this.inner
        .readFile(path)
        .then(settle.resolve, settle.reject)
        .finally(() => {
          this.#active--;
          this.#pump();
        });
    }
  }
}
