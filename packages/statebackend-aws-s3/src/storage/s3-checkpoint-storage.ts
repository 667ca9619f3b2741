import {
  assertNotFenced,
  type ByteRange,
  CheckpointAlreadyExistsError,
  type CheckpointStorage,
  type CommittedCheckpoint,
  checkpointDirectoryName,
  decodeCheckpointMetadata,
  type FileContent,
  type FileScope,
  fencingClaim,
  type KeyGroupRange,
  type Logger,
  metadataFileName,
  newDataFileLocation,
  noopLogger,
  parseCheckpointDirectoryName,
  parseFileOrigin,
  parseMetadataFileName,
  SHARED_DIRECTORY,
  type StoredFile,
  type WriterLease,
  type WrittenFile,
} from '@statebackend/aws-base';
import { S3StorageMetrics } from '../metrics/s3-storage-metrics.js';
import {
  DEFAULT_ENTROPY_LENGTH,
  DEFAULT_PART_SIZE,
  DEFAULT_UPLOAD_CONCURRENCY,
  type S3CheckpointStorageOptions,
  validateStorageOptions,
} from './s3-checkpoint-storage-options.js';
import { S3Claims } from './s3-claims.js';
import { S3CommitChecks } from './s3-commit-checks.js';
import { S3Layout } from './s3-layout.js';
import { S3Requests } from './s3-requests.js';

/**
 * Checkpoints of one operator of one job in S3, under `s3://<bucket>/<prefix>/<jobId>/<operatorId>/`
 * with the object names every store shares (`chk-N/`, `shared/`, `_fencing/`).
 *
 * - Data files stream in a multipart upload as they are encoded, each part the encoded chunks
 *   themselves with their CRC-32 (parts in parallel, aborted on failure; see `uploadStreamed`),
 *   and are invisible until a commit record references them.
 * - {@link commit} writes the commit record last, in one PutObject with `If-None-Match: *`: a
 *   checkpoint exists only once complete, and the same record is never written twice.
 * - Claims reserve their epoch with `If-None-Match: *` (see `S3Claims`), so epochs are unique
 *   without a lock; a commit checks the claims before and after its record is stored, and
 *   removes the record and fails with `FencedError` when a newer claim appeared meanwhile. The
 *   checks before (claims, and records of the same checkpoint id) start with the checkpoint's
 *   first data file and run while it uploads (see `S3CommitChecks`).
 * - Reads are ranged GETs, listings page through ListObjectsV2, deletions go 1,000 keys per
 *   DeleteObjects request. Failures are `S3RequestError`s (`CheckpointStorageError`s):
 *   `notFound` for a missing key, retryable for throttling (503 SlowDown), 5xx and network errors.
 *
 * @example
 * ```ts
 * const storage = new S3CheckpointStorage({ client: s3, bucket: 'my-state', prefix: 'ckpt', jobId: 'clicks', operatorId: 'count' });
 * const lease = await storage.claim(KeyGroupRange.of(0, 127));
 * ```
 */
export class S3CheckpointStorage implements CheckpointStorage {
  /** An upload settles only after every request reading the chunks has (retries included). */
  readonly releasesChunks = true;
  readonly location: string;
  readonly bucket: string;
  readonly layout: S3Layout;
  readonly metrics: S3StorageMetrics;
  private readonly requests: S3Requests;
  private readonly claims: S3Claims;
  private readonly commitChecks: S3CommitChecks;
  private readonly logger: Logger;
  /** Data bytes written per checkpoint id, for the incremental-ratio metric. */
  private readonly written = new Map<number, number>();

  constructor(options: S3CheckpointStorageOptions) {
    validateStorageOptions(options);
    const entropyMarker = options.entropyMarker;
    this.layout = new S3Layout(
      options.prefix ?? '',
      options.jobId,
      options.operatorId,
      entropyMarker === undefined
        ? undefined
        : { marker: entropyMarker, length: options.entropyLength ?? DEFAULT_ENTROPY_LENGTH },
    );
    this.bucket = options.bucket;
    this.location = `s3://${options.bucket}/${this.layout.baseKey.replace(/\/$/, '')}`;
    this.logger = options.logger ?? noopLogger;
    this.metrics = new S3StorageMetrics(options.metricGroup);
    this.requests = new S3Requests({
      client: options.client,
      bucket: options.bucket,
      encryption: options.encryption,
      expectedBucketOwner: options.expectedBucketOwner,
      partSize: options.partSize ?? DEFAULT_PART_SIZE,
      queueSize: options.uploadConcurrency ?? DEFAULT_UPLOAD_CONCURRENCY,
      metrics: this.metrics,
    });
    this.claims = new S3Claims(this.requests, this.layout, this.location, this.logger);
    this.commitChecks = new S3CommitChecks(
      { listClaims: () => this.listClaims(), listCommittedIn: (id) => this.listCommittedIn(id) },
      this.location,
    );
  }

  describe(relative: string): string {
    return `s3://${this.bucket}/${this.layout.keyOf(relative)}`;
  }

  claim(keyGroupRange: KeyGroupRange): Promise<WriterLease> {
    return this.claims.claim(keyGroupRange);
  }

  async listClaims(): Promise<WriterLease[]> {
    return (await this.claims.read()).claims;
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
    // The checks before the commit run while the data uploads; a refusal known already stops here.
    this.commitChecks.start(lease, checkpointId);
    this.commitChecks.throwIfRefused(lease, checkpointId);
    const { directory, name } = newDataFileLocation(lease, checkpointId, scope);
    const relative = this.layout.newDataPath(directory, name);
    const size = await this.requests.upload(this.layout.keyOf(relative), content, this.describe(relative));
    this.written.set(checkpointId, (this.written.get(checkpointId) ?? 0) + size);
    return { path: relative, size };
  }

  async commit(lease: WriterLease, checkpointId: number, metadata: Uint8Array): Promise<CommittedCheckpoint> {
    const relative = `${checkpointDirectoryName(checkpointId)}/${metadataFileName(lease.keyGroupRange, lease.epoch)}`;
    await this.commitChecks.beforeCommit(lease, checkpointId);
    const stored = await this.requests.putIfAbsent(
      this.layout.keyOf(relative),
      metadata,
      this.describe(relative),
    );
    if (stored === 'exists') {
      throw new CheckpointAlreadyExistsError(
        this.location,
        checkpointId,
        `by ${relative}, written concurrently`,
      );
    }
    const committedAt = Date.now();
    // A claim that landed between the first check and the put fences this commit: take it back.
    const claimsAfter = await this.listClaims();
    if (fencingClaim(claimsAfter, lease) !== undefined) {
      await this.requests.deleteKeys([this.layout.keyOf(relative)], this.location);
      this.logger.warn('Withdrew a commit record written while a newer claim fenced this writer', {
        checkpointId,
        path: relative,
      });
      assertNotFenced(this.location, claimsAfter, lease);
    }
    this.recordCommit(checkpointId, relative, metadata);
    return {
      checkpointId,
      keyGroupRange: lease.keyGroupRange,
      writerEpoch: lease.epoch,
      path: relative,
      size: metadata.length,
      committedAt,
    };
  }

  private recordCommit(checkpointId: number, relative: string, metadata: Uint8Array): void {
    let referenced = 0;
    try {
      for (const file of decodeCheckpointMetadata(this.describe(relative), metadata).files)
        referenced += file.size;
    } catch {
      return; // Not a checkpoint this package's writers produce: no ratio to tell.
    }
    this.metrics.recordCommit(this.written.get(checkpointId) ?? 0, referenced);
    for (const id of this.written.keys()) if (id <= checkpointId) this.written.delete(id);
  }

  async listCommitted(): Promise<CommittedCheckpoint[]> {
    return this.listCommittedUnder(`${this.layout.baseKey}chk-`);
  }

  private listCommittedIn(checkpointId: number): Promise<CommittedCheckpoint[]> {
    return this.listCommittedUnder(`${this.layout.baseKey}${checkpointDirectoryName(checkpointId)}/`);
  }

  private async listCommittedUnder(prefix: string): Promise<CommittedCheckpoint[]> {
    const committed: CommittedCheckpoint[] = [];
    for await (const object of this.requests.list(prefix, this.location)) {
      const relative = object.key.slice(this.layout.baseKey.length);
      const [directory, name, ...rest] = relative.split('/');
      if (directory === undefined || name === undefined || rest.length > 0) continue;
      const checkpointId = parseCheckpointDirectoryName(directory);
      const parsed = parseMetadataFileName(name);
      if (checkpointId === undefined || parsed === undefined) continue;
      committed.push({
        checkpointId,
        keyGroupRange: parsed.keyGroupRange,
        writerEpoch: parsed.epoch,
        path: relative,
        size: object.size,
        committedAt: object.lastModified,
      });
    }
    return committed.sort(
      (a, b) =>
        a.checkpointId - b.checkpointId || a.keyGroupRange.startKeyGroup - b.keyGroupRange.startKeyGroup,
    );
  }

  readFile(relative: string, range?: ByteRange): Promise<Uint8Array> {
    return this.requests.get(this.layout.keyOf(relative), this.describe(relative), range);
  }

  async listFiles(): Promise<StoredFile[]> {
    const files: StoredFile[] = [];
    for await (const object of this.requests.list(this.layout.dataListPrefix, this.location)) {
      const relative = this.layout.pathOf(object.key);
      if (relative === undefined) continue;
      const segments = relative.split('/');
      const name = segments[segments.length - 1] ?? '';
      const directory = segments[segments.length - 2] ?? '';
      const isDataDirectory =
        directory === SHARED_DIRECTORY || parseCheckpointDirectoryName(directory) !== undefined;
      const depth = relative.startsWith('~') ? 3 : 2;
      if (!isDataDirectory || segments.length !== depth || parseMetadataFileName(name) !== undefined)
        continue;
      files.push({ path: relative, size: object.size, origin: parseFileOrigin(name) });
    }
    return files;
  }

  async delete(paths: readonly string[]): Promise<void> {
    await this.requests.deleteKeys(
      paths.map((p) => this.layout.keyOf(p)),
      this.location,
    );
  }
}
