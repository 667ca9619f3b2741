import {
  type ByteRange,
  type CommittedCheckpoint,
  type FileContent,
  type FileScope,
  ForwardingCheckpointStorage,
  type StoredFile,
  type WriterLease,
  type WrittenFile,
} from '@statebackend/aws-base/spi';

/** A data file a {@link RecordingCheckpointStorage} saw written. */
export interface RecordedWrite {
  readonly checkpointId: number;
  readonly scope: FileScope;
  readonly path: string;
  readonly size: number;
}

/**
 * A storage that records what goes through it: the data files written (what a checkpoint
 * uploads), the commits, and every read, so a test can tell what a checkpoint uploaded from
 * what it referenced, and count what retention reads. Every call goes to the inner storage as it
 * would.
 */
export class RecordingCheckpointStorage extends ForwardingCheckpointStorage {
  /** Data files written, in the order they were stored. */
  readonly writes: RecordedWrite[] = [];
  /** Paths of the commit records stored. */
  readonly commits: string[] = [];
  /** Every read: its path and whether it was ranged. */
  readonly reads: { readonly path: string; readonly ranged: boolean }[] = [];
  /** Storage calls by name (`readFile`, `listCommitted`, `listFiles`, `listClaims`, `delete`, ...). */
  readonly calls = new Map<string, number>();

  /** The data files written for checkpoint `checkpointId`. */
  writesOf(checkpointId: number): RecordedWrite[] {
    return this.writes.filter((w) => w.checkpointId === checkpointId);
  }

  /** Reads of paths that `matches`, ranged or whole. */
  readsOf(matches: (path: string) => boolean): number {
    return this.reads.filter((r) => matches(r.path)).length;
  }

  /** Forgets what was recorded so far. */
  reset(): void {
    this.writes.length = 0;
    this.commits.length = 0;
    this.reads.length = 0;
    this.calls.clear();
  }

  #count(name: string): void {
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
  }

  override async writeFile(
    lease: WriterLease,
    checkpointId: number,
    scope: FileScope,
    content: FileContent,
  ): Promise<WrittenFile> {
    this.#count('writeFile');
    const file = await super.writeFile(lease, checkpointId, scope, content);
    this.writes.push({ checkpointId, scope, path: file.path, size: file.size });
    return file;
  }

  override async commit(
    lease: WriterLease,
    checkpointId: number,
    metadata: Uint8Array,
  ): Promise<CommittedCheckpoint> {
    this.#count('commit');
    const committed = await super.commit(lease, checkpointId, metadata);
    this.commits.push(committed.path);
    return committed;
  }

  override readFile(path: string, range?: ByteRange): Promise<Uint8Array> {
    this.#count('readFile');
    this.reads.push({ path, ranged: range !== undefined });
    return super.readFile(path, range);
  }

  override listCommitted(): Promise<CommittedCheckpoint[]> {
    this.#count('listCommitted');
    return super.listCommitted();
  }

  override listFiles(): Promise<StoredFile[]> {
    this.#count('listFiles');
    return super.listFiles();
  }

  override listClaims(): Promise<WriterLease[]> {
    this.#count('listClaims');
    return super.listClaims();
  }

  override delete(paths: readonly string[]): Promise<void> {
    this.#count('delete');
    return super.delete(paths);
  }
}
