import type {
  ByteRange,
  CheckpointStorage,
  CommittedCheckpoint,
  FileContent,
  FileScope,
  KeyGroupRange,
  StoredFile,
  WriterLease,
  WrittenFile,
} from '@statebackend/aws-base';

/**
 * A view of a storage whose data files a restore needs were downloaded up front, all at once
 * (`concurrency` at a time), instead of read one ranged GET after another by the restore code.
 * Reads of those files are served from memory; everything else goes to the storage.
 */
export class PrefetchedFiles implements CheckpointStorage {
  readonly location: string;
  private readonly storage: CheckpointStorage;
  private readonly files = new Map<string, Uint8Array>();

  private constructor(storage: CheckpointStorage) {
    this.storage = storage;
    this.location = storage.location;
  }

  /** Downloads `paths` in parallel, at most `concurrency` at a time. */
  static async download(
    storage: CheckpointStorage,
    paths: readonly string[],
    concurrency: number,
  ): Promise<PrefetchedFiles> {
    const prefetched = new PrefetchedFiles(storage);
    const queue = [...new Set(paths)];
    const worker = async (): Promise<void> => {
      for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
        prefetched.files.set(path, await storage.readFile(path));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
    return prefetched;
  }

  /** Bytes held in memory. */
  get size(): number {
    let size = 0;
    for (const bytes of this.files.values()) size += bytes.length;
    return size;
  }

  async readFile(path: string, range?: ByteRange): Promise<Uint8Array> {
    const bytes = this.files.get(path);
    if (bytes === undefined) return this.storage.readFile(path, range);
    if (range === undefined) return bytes;
    return bytes.subarray(range.offset, range.offset + range.length);
  }

  describe(path: string): string {
    return this.storage.describe(path);
  }
  claim(keyGroupRange: KeyGroupRange): Promise<WriterLease> {
    return this.storage.claim(keyGroupRange);
  }
  listClaims(): Promise<WriterLease[]> {
    return this.storage.listClaims();
  }
  checkNotFenced(lease: WriterLease): Promise<void> {
    return this.storage.checkNotFenced(lease);
  }
  writeFile(
    lease: WriterLease,
    checkpointId: number,
    scope: FileScope,
    content: FileContent,
  ): Promise<WrittenFile> {
    return this.storage.writeFile(lease, checkpointId, scope, content);
  }
  commit(lease: WriterLease, checkpointId: number, metadata: Uint8Array): Promise<CommittedCheckpoint> {
    return this.storage.commit(lease, checkpointId, metadata);
  }
  listCommitted(): Promise<CommittedCheckpoint[]> {
    return this.storage.listCommitted();
  }
  listFiles(): Promise<StoredFile[]> {
    return this.storage.listFiles();
  }
  delete(paths: readonly string[]): Promise<void> {
    return this.storage.delete(paths);
  }
}
