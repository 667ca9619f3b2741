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

/**
 * A checkpoint storage that passes every call to `inner`: the base of a decorator, which
 * overrides only the calls it changes (parallel downloads, timing, fault injection).
 *
 * @example
 * ```ts
 * class CountingStorage extends ForwardingCheckpointStorage {
 *   reads = 0;
 *   override readFile(path: string, range?: ByteRange) { this.reads++; return super.readFile(path, range); }
 * }
 * ```
 */
export class ForwardingCheckpointStorage implements CheckpointStorage {
  readonly location: string;
  protected readonly inner: CheckpointStorage;

  constructor(inner: CheckpointStorage) {
    this.inner = inner;
    this.location = inner.location;
  }

  /** The inner storage's: a decorator whose `writeFile` keeps chunks must override it. */
  get releasesChunks(): boolean | undefined {
    return this.inner.releasesChunks;
  }

  claim(keyGroupRange: KeyGroupRange): Promise<WriterLease> {
    return this.inner.claim(keyGroupRange);
  }
  listClaims(): Promise<WriterLease[]> {
    return this.inner.listClaims();
  }
  checkNotFenced(lease: WriterLease): Promise<void> {
    return this.inner.checkNotFenced(lease);
  }
  writeFile(
    lease: WriterLease,
    checkpointId: number,
    scope: FileScope,
    content: FileContent,
  ): Promise<WrittenFile> {
    return this.inner.writeFile(lease, checkpointId, scope, content);
  }
  commit(lease: WriterLease, checkpointId: number, metadata: Uint8Array): Promise<CommittedCheckpoint> {
    return this.inner.commit(lease, checkpointId, metadata);
  }
  listCommitted(): Promise<CommittedCheckpoint[]> {
    return this.inner.listCommitted();
  }
  readFile(path: string, range?: ByteRange): Promise<Uint8Array> {
    return this.inner.readFile(path, range);
  }
  prefetch(paths: readonly string[]): void {
    this.inner.prefetch?.(paths);
  }
  listFiles(): Promise<StoredFile[]> {
    return this.inner.listFiles();
  }
  delete(paths: readonly string[]): Promise<void> {
    return this.inner.delete(paths);
  }
  describe(path: string): string {
    return this.inner.describe(path);
  }
}
