import type { CheckpointStorage } from '@statebackend/aws-base';
import { type ByteRange, ForwardingCheckpointStorage } from '@statebackend/aws-base/spi';

/**
 * The checkpoint storage a keyed backend is built with, made to restore in parallel. aws-base's
 * restore reads the data files of a checkpoint one after another, in ranged reads, and names them
 * first (`prefetch`: the files its plan reads for the backend's key groups, in order); here each
 * of them starts downloading whole, `concurrency` at a time, and the restore's reads are served
 * from those downloads. Files the plan does not name are never fetched.
 *
 * Only while restoring: {@link endRestore} drops the downloads and turns it into a plain
 * pass-through for the life of the backend (checkpoints, retention).
 */
export class ParallelRestoreStorage extends ForwardingCheckpointStorage {
  readonly #concurrency: number;
  #downloads: Map<string, Promise<Uint8Array>> | undefined = new Map();
  readonly #queue: string[] = [];
  readonly #waiting = new Map<string, { resolve: (b: Uint8Array) => void; reject: (e: unknown) => void }>();
  #active = 0;

  constructor(storage: CheckpointStorage, concurrency: number) {
    super(storage);
    this.#concurrency = Math.max(1, concurrency);
  }

  /** The restore is over: later reads go to the storage, downloaded bytes are released. */
  endRestore(): void {
    this.#downloads = undefined;
    this.#queue.length = 0;
    this.#waiting.clear();
  }

  /** Starts downloading each file not downloaded yet, in the order given. */
  override prefetch(paths: readonly string[]): void {
    const downloads = this.#downloads;
    if (downloads === undefined) return;
    for (const path of paths) {
      if (downloads.has(path)) continue;
      const download = new Promise<Uint8Array>((resolve, reject) => {
        this.#queue.push(path);
        this.#waiting.set(path, { resolve, reject });
      });
      // A download nobody reads (the restore stopped early) must not be an unhandled rejection.
      download.catch(() => undefined);
      downloads.set(path, download);
    }
    this.#pump();
  }

  override async readFile(path: string, range?: ByteRange): Promise<Uint8Array> {
    const pending = this.#downloads?.get(path);
    if (pending === undefined) return this.inner.readFile(path, range);
    const bytes = await pending;
    return range === undefined ? bytes : bytes.subarray(range.offset, range.offset + range.length);
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
