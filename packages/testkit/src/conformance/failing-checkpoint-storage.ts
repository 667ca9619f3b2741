import type { CheckpointStorage, KeyGroupRange } from '@statebackend/aws-base';
import type {
  ByteRange,
  CommittedCheckpoint,
  FileContent,
  FileScope,
  StoredFile,
  WriterLease,
  WrittenFile,
} from '@statebackend/aws-base/spi';
import { TestkitError } from '../errors.js';

/**
 * When an injected failure strikes: `before` the call reaches the storage (the request never
 * left), or `after` it did (the response was lost: the storage changed, the caller sees an error).
 */
export type FailureMode = 'before' | 'after';

/** The error a {@link FailingCheckpointStorage} throws. */
export class InjectedStorageFailure extends TestkitError {
  override readonly name: string = 'InjectedStorageFailure';
}

/**
 * Wraps a {@link CheckpointStorage} and fails its `failAt`-th step (1-based) after {@link arm}:
 * every SPI call is a step, and so is every chunk a data file's content yields (a crash in the
 * middle of writing a file). Counting every step, a test can crash a checkpoint at each of them.
 *
 * @example
 * ```ts
 * const failing = new FailingCheckpointStorage(storage);
 * failing.arm(3, 'before');
 * await assert.rejects(backend.snapshot(2));
 * ```
 */
export class FailingCheckpointStorage implements CheckpointStorage {
  readonly location: string;
  readonly #inner: CheckpointStorage;
  #failAt = 0;
  #mode: FailureMode = 'before';
  #steps = 0;
  #failed = false;

  constructor(inner: CheckpointStorage) {
    this.#inner = inner;
    this.location = inner.location;
  }

  /** The inner storage's: a failed step settles only after the inner call did. */
  get releasesChunks(): boolean | undefined {
    return this.#inner.releasesChunks;
  }

  /** Fails the `failAt`-th step from now; 0 disarms. */
  arm(failAt: number, mode: FailureMode = 'before'): void {
    this.#failAt = failAt;
    this.#mode = mode;
    this.#steps = 0;
    this.#failed = false;
  }

  /** Steps counted since {@link arm}. */
  get steps(): number {
    return this.#steps;
  }

  /** Whether the armed failure struck. */
  get failed(): boolean {
    return this.#failed;
  }

  async #step<T>(what: string, call: () => Promise<T>): Promise<T> {
    this.#steps++;
    const strike = this.#failAt > 0 && this.#steps === this.#failAt;
    if (strike && this.#mode === 'before') this.#strike(what);
    const result = await call();
    if (strike) this.#strike(what);
    return result;
  }

  #strike(what: string): never {
    this.#failed = true;
    throw new InjectedStorageFailure(
      `Injected failure at step ${this.#steps} (${what}, ${this.#mode} the call)`,
    );
  }

  claim(keyGroupRange: KeyGroupRange): Promise<WriterLease> {
    return this.#step('claim', () => this.#inner.claim(keyGroupRange));
  }

  listClaims(): Promise<WriterLease[]> {
    return this.#step('listClaims', () => this.#inner.listClaims());
  }

  checkNotFenced(lease: WriterLease): Promise<void> {
    return this.#step('checkNotFenced', () => this.#inner.checkNotFenced(lease));
  }

  writeFile(
    lease: WriterLease,
    checkpointId: number,
    scope: FileScope,
    content: FileContent,
  ): Promise<WrittenFile> {
    return this.#step('writeFile', () =>
      this.#inner.writeFile(lease, checkpointId, scope, this.#chunks(content)),
    );
  }

  async *#chunks(content: FileContent): AsyncGenerator<Uint8Array> {
    const chunks = content instanceof Uint8Array ? [content] : content;
    for await (const chunk of chunks) {
      this.#steps++;
      if (this.#failAt > 0 && this.#steps === this.#failAt) {
        // Half the chunk reaches the file, then the writer dies.
        yield chunk.subarray(0, chunk.length >> 1);
        this.#strike('a chunk of writeFile');
      }
      yield chunk;
    }
  }

  commit(lease: WriterLease, checkpointId: number, metadata: Uint8Array): Promise<CommittedCheckpoint> {
    return this.#step('commit', () => this.#inner.commit(lease, checkpointId, metadata));
  }

  listCommitted(): Promise<CommittedCheckpoint[]> {
    return this.#step('listCommitted', () => this.#inner.listCommitted());
  }

  readFile(path: string, range?: ByteRange): Promise<Uint8Array> {
    return this.#step('readFile', () => this.#inner.readFile(path, range));
  }

  listFiles(): Promise<StoredFile[]> {
    return this.#step('listFiles', () => this.#inner.listFiles());
  }

  delete(paths: readonly string[]): Promise<void> {
    return this.#step('delete', () => this.#inner.delete(paths));
  }

  describe(path: string): string {
    return this.#inner.describe(path);
  }
}
