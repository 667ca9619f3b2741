import type { KeyGroupRange } from '../../keygroup/key-group-range.js';

/**
 * A writer's claim on a key-group range, returned by {@link CheckpointStorage.claim}. Commits
 * carry it; a commit whose lease was superseded by a newer intersecting claim fails with a
 * `FencedError`.
 */
export interface WriterLease {
  /** Higher than the epoch of every claim made before it under the same location. */
  readonly epoch: number;
  readonly keyGroupRange: KeyGroupRange;
}

/**
 * Where a data file goes: `exclusive` files belong to one checkpoint (`chk-N/`); `shared` files
 * may be referenced by later incremental checkpoints (`shared/`).
 */
export type FileScope = 'exclusive' | 'shared';

/**
 * Bytes of a file: whole, or chunks written as they are produced. Checkpoint data files come as
 * `ChecksummedChunk`s, each carrying its CRC-32: storage that checksums what it writes takes it
 * from the chunk (`knownCrc32`) rather than reading the bytes again.
 */
export type FileContent = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** A data file as written. */
export interface WrittenFile {
  /** Path relative to the location; what metadata records and {@link CheckpointStorage.readFile} takes. */
  readonly path: string;
  readonly size: number;
}

/** A committed checkpoint of one key-group range: its commit record exists. */
export interface CommittedCheckpoint {
  readonly checkpointId: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly writerEpoch: number;
  /** Path of the metadata file (the commit record). */
  readonly path: string;
  /** Size of the metadata file. */
  readonly size: number;
  /** When the commit record was written, milliseconds since the epoch. */
  readonly committedAt: number;
}

/** Who wrote a data file, as recorded in its name. */
export interface FileOrigin {
  readonly keyGroupRange: KeyGroupRange;
  readonly epoch: number;
  readonly checkpointId: number;
}

/** A data or temporary file found by {@link CheckpointStorage.listFiles}. */
export interface StoredFile {
  readonly path: string;
  readonly size: number;
  /** Undefined for a file whose name this storage did not write. */
  readonly origin: FileOrigin | undefined;
}

/** A byte range for ranged reads. */
export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

/**
 * Where checkpoints of one operator of one job live: the SPI every store implements (a local
 * directory here; S3 and DynamoDB in their packages). Storage moves bytes and keeps the commit
 * rules; formats, retention and restore are built on top of it and are the same for every store.
 *
 * The rules an implementation keeps:
 * - A checkpoint exists only once {@link commit} has durably stored its metadata, atomically
 *   (rename, `If-None-Match: *`, a conditional put). Data files are never visible as a checkpoint.
 * - {@link commit} fails with `FencedError`, storing nothing, when a claim with a higher epoch
 *   intersects the lease's range; with `CheckpointAlreadyExistsError` when that checkpoint id
 *   is already committed for an intersecting range.
 * - Every failure is a typed `StateBackendError`; a missing file is a `CheckpointStorageError`
 *   with `notFound`.
 */
export interface CheckpointStorage {
  /** The location as a URL, for messages, e.g. `file:///var/ckpt/job-1/op-1`. */
  readonly location: string;
  /**
   * True when {@link writeFile} keeps no reference to the chunks it was given once it settled
   * (resolved or rejected), so the caller may write over their memory. Checkpoints then encode
   * into buffers used again (see `ChunkPool`). Leave it unset for storage that keeps chunks.
   */
  readonly releasesChunks?: boolean | undefined;

  /** Claims `keyGroupRange` with a new epoch, fencing every earlier intersecting claim. */
  claim(keyGroupRange: KeyGroupRange): Promise<WriterLease>;
  /** Every claim still recorded, in ascending epoch order. */
  listClaims(): Promise<WriterLease[]>;
  /** Throws `FencedError` when a newer claim intersects the lease's range. */
  checkNotFenced(lease: WriterLease): Promise<void>;

  /** Writes one durable data file of checkpoint `checkpointId`. */
  writeFile(
    lease: WriterLease,
    checkpointId: number,
    scope: FileScope,
    content: FileContent,
  ): Promise<WrittenFile>;
  /** Stores the metadata of checkpoint `checkpointId` last and atomically: the commit. */
  commit(lease: WriterLease, checkpointId: number, metadata: Uint8Array): Promise<CommittedCheckpoint>;

  /** Every committed checkpoint, ascending by id. */
  listCommitted(): Promise<CommittedCheckpoint[]>;
  /** The whole file, or `range` of it (fewer bytes only when the file is shorter). */
  readFile(path: string, range?: ByteRange): Promise<Uint8Array>;
  /**
   * Told by a restore which data files it reads next, in the order it reads them (ranged reads of
   * each, through {@link readFile}): storage that can fetch them ahead (whole, several at once)
   * may start now and serve those reads from what it fetched. Optional: without it, every read
   * goes to the store as asked.
   */
  prefetch?(paths: readonly string[]): void;
  /** Every data and temporary file (not metadata, not claims). */
  listFiles(): Promise<StoredFile[]>;
  /** Deletes the files (metadata, data or claims); paths already gone are ignored. */
  delete(paths: readonly string[]): Promise<void>;
  /** The full name of a path for messages, e.g. `file:///var/ckpt/job-1/op-1/chk-7/_metadata...`. */
  describe(path: string): string;
}
