import {
  CheckpointAlreadyExistsError,
  type CheckpointStorage,
  FencedError,
  type KeyGroupRange,
  type Logger,
  noopLogger,
} from '@statebackend/aws-base';
import {
  assertNotFenced,
  type ByteRange,
  type CommittedCheckpoint,
  checkpointDirectoryName,
  decodeCheckpointMetadata,
  type FileContent,
  type FileScope,
  fencingClaim,
  metadataFileName,
  newDataFileLocation,
  parseCheckpointDirectoryName,
  parseFileOrigin,
  parseMetadataFileName,
  SHARED_DIRECTORY,
  type StoredFile,
  type WriterLease,
  type WrittenFile,
} from '@statebackend/aws-base/spi';
import { S3StorageMetrics } from '../metrics/s3-storage-metrics.js';
import {
  DEFAULT_ENTROPY_LENGTH,
  DEFAULT_PART_SIZE,
  DEFAULT_UPLOAD_CONCURRENCY,
  type S3CheckpointStorageOptions,
  validateStorageOptions,
} from './s3-checkpoint-storage-options.js';
import { type FencingState, S3Claims } from './s3-claims.js';
import { S3CommitChecks } from './s3-commit-checks.js';
import { S3CommitCuts } from './s3-commit-cuts.js';
import { describeRange } from './s3-fencing.js';
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
 *   without a lock; a commit checks the claims before and after its record is stored. When a
 *   newer claim appeared meanwhile, the cut of the writer's epoch (see `S3CommitCuts`) decides
 *   once and for all whether the record counts: it stays when a new owner may have read it, and
 *   is otherwise removed and the commit fails with `FencedError`. No record another owner may
 *   have read is ever withdrawn. The checks before (claims, and records of the same checkpoint
 *   id) start with the checkpoint's first data file and run while it uploads (see `S3CommitChecks`).
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
  readonly #requests: S3Requests;
  readonly #claims: S3Claims;
  readonly #commitChecks: S3CommitChecks;
  readonly #cuts: S3CommitCuts;
  /** Per writer epoch, the commits whose check after the put saw no fence (see `decideOwnCut`). */
  readonly #acknowledged = new Map<number, Set<number>>();
  /** Per writer epoch, the checks after a put still running. */
  readonly #checksAfterPut = new Map<number, Set<Promise<unknown>>>();
  readonly #logger: Logger;
  /** Data bytes written per checkpoint id, for the incremental-ratio metric. */
  readonly #written = new Map<number, number>();

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
    this.#logger = options.logger ?? noopLogger;
    this.metrics = new S3StorageMetrics(options.metricGroup);
    this.#requests = new S3Requests({
      client: options.client,
      bucket: options.bucket,
      encryption: options.encryption,
      expectedBucketOwner: options.expectedBucketOwner,
      partSize: options.partSize ?? DEFAULT_PART_SIZE,
      queueSize: options.uploadConcurrency ?? DEFAULT_UPLOAD_CONCURRENCY,
      metrics: this.metrics,
    });
    this.#claims = new S3Claims(this.#requests, this.layout, this.location, this.#logger);
    this.#cuts = new S3CommitCuts(this.#requests, this.layout, this.location);
    this.#commitChecks = new S3CommitChecks(
      {
        readFencing: () => this.#claims.read(),
        listCommittedIn: (id, fencing) => this.#listCommittedIn(id, fencing),
      },
      this.location,
    );
  }

  describe(relative: string): string {
    return `s3://${this.bucket}/${this.layout.keyOf(relative)}`;
  }

  claim(keyGroupRange: KeyGroupRange): Promise<WriterLease> {
    return this.#claims.claim(keyGroupRange);
  }

  async listClaims(): Promise<WriterLease[]> {
    return (await this.#claims.read()).claims;
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
    this.#commitChecks.start(lease, checkpointId);
    this.#commitChecks.throwIfRefused(lease, checkpointId);
    const { directory, name } = newDataFileLocation(lease, checkpointId, scope);
    const relative = this.layout.newDataPath(directory, name);
    const size = await this.#requests.upload(this.layout.keyOf(relative), content, this.describe(relative));
    this.#written.set(checkpointId, (this.#written.get(checkpointId) ?? 0) + size);
    return { path: relative, size };
  }

  async commit(lease: WriterLease, checkpointId: number, metadata: Uint8Array): Promise<CommittedCheckpoint> {
    const relative = `${checkpointDirectoryName(checkpointId)}/${metadataFileName(lease.keyGroupRange, lease.epoch)}`;
    await this.#commitChecks.beforeCommit(lease, checkpointId);
    const stored = await this.#requests.putIfAbsent(
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
    // The check after the put: with no fence and no cut in sight the put came before any newer
    // claim, and the commit is acknowledged in the same turn as the answer (see `decideOwnCut`).
    const check = this.#claims.read().then((fencing) => {
      const fenced = fencing.cutEpochs.has(lease.epoch) || fencingClaim(fencing.claims, lease) !== undefined;
      if (!fenced) this.#acknowledge(lease.epoch, checkpointId);
      return { fencing, fenced };
    });
    const checks = this.#checksAfterPut.get(lease.epoch) ?? new Set<Promise<unknown>>();
    this.#checksAfterPut.set(lease.epoch, checks.add(check));
    const { fencing, fenced } = await check.finally(() => checks.delete(check));
    if (fenced) {
      // A claim landed between the first check and the put: the cut decides whether this record
      // came before it (it stays, a new owner may have read it) or after it (it never counts).
      const cut = fencing.cutEpochs.has(lease.epoch)
        ? await this.#cuts.read(lease.epoch)
        : await this.#decideOwnCut(lease.epoch);
      if (!cut.has(checkpointId)) {
        await this.#requests.deleteKeys([this.layout.keyOf(relative)], this.location);
        this.#logger.warn('Withdrew a commit record written after a newer claim fenced this writer', {
          checkpointId,
          path: relative,
        });
        const newer = fencingClaim(fencing.claims, lease);
        throw new FencedError(
          this.location,
          lease.epoch,
          describeRange(lease.keyGroupRange),
          newer?.epoch ?? lease.epoch + 1,
          newer === undefined ? 'a newer claim' : describeRange(newer.keyGroupRange),
        );
      }
      this.#logger.warn('Checkpoint committed just before a newer claim fenced this writer; it stays', {
        checkpointId,
        path: relative,
      });
    }
    this.#recordCommit(checkpointId, relative, metadata);
    return {
      checkpointId,
      keyGroupRange: lease.keyGroupRange,
      writerEpoch: lease.epoch,
      path: relative,
      size: metadata.length,
      committedAt,
    };
  }

  #acknowledge(epoch: number, checkpointId: number): void {
    const ids = this.#acknowledged.get(epoch) ?? new Set<number>();
    this.#acknowledged.set(epoch, ids.add(checkpointId));
  }

  /**
   * Proposes the cut of this writer's own fenced epoch: the commits acknowledged, once every
   * check after a put still running has answered (one of them may acknowledge its commit yet).
   */
  async #decideOwnCut(epoch: number): Promise<ReadonlySet<number>> {
    await Promise.allSettled([...(this.#checksAfterPut.get(epoch) ?? [])]);
    return this.#cuts.decide(epoch, this.#acknowledged.get(epoch) ?? []);
  }

  #recordCommit(checkpointId: number, relative: string, metadata: Uint8Array): void {
    let referenced = 0;
    try {
      for (const file of decodeCheckpointMetadata(this.describe(relative), metadata).files)
        referenced += file.size;
    } catch {
      return; // Not a checkpoint this package's writers produce: no ratio to tell.
    }
    this.metrics.recordCommit(this.#written.get(checkpointId) ?? 0, referenced);
    for (const id of this.#written.keys()) if (id <= checkpointId) this.#written.delete(id);
  }

  /**
   * Every commit record that counts, ascending by id. A record of a fenced writer counts only when
   * its epoch's cut holds it; when that cut is not decided yet, this listing decides it (see
   * `S3CommitCuts`): whoever lists after seeing the fence gets the same answer, forever.
   */
  async listCommitted(): Promise<CommittedCheckpoint[]> {
    const fencing = await this.#claims.read();
    return this.#counted(fencing, await this.#listAllRecords(), this.#listAllRecords);
  }

  async #listCommittedIn(
    checkpointId: number,
    fencing?: Promise<FencingState>,
  ): Promise<CommittedCheckpoint[]> {
    const listIn = (): Promise<CommittedCheckpoint[]> =>
      this.#listCommittedUnder(`${this.layout.baseKey}${checkpointDirectoryName(checkpointId)}/`);
    const [seen, records] = await Promise.all([fencing ?? this.#claims.read(), listIn()]);
    return this.#counted(seen, records, listIn);
  }

  /**
   * The records that count, given the fencing state read before (or with) them. When a fenced
   * epoch has no cut yet (whether or not it shows a record), the records are listed again (after
   * the fence was seen: every acknowledged commit of the epoch is in that listing), the cut is
   * decided from it, and that newer listing is the answer.
   */
  async #counted(
    fencing: FencingState,
    listed: readonly CommittedCheckpoint[],
    relist: () => Promise<CommittedCheckpoint[]>,
  ): Promise<CommittedCheckpoint[]> {
    const isUndecidedLease = (lease: WriterLease): boolean =>
      !fencing.cutEpochs.has(lease.epoch) && fencingClaim(fencing.claims, lease) !== undefined;
    const isUndecided = (record: CommittedCheckpoint): boolean =>
      isUndecidedLease({ epoch: record.writerEpoch, keyGroupRange: record.keyGroupRange });
    // A fenced writer that shows no record yet is undecided too: its record may land after this
    // listing, and the cut must then say it never counts, or a later reader would count it after
    // this owner restored something older.
    const undecided = new Set([
      ...listed.filter(isUndecided).map((r) => r.writerEpoch),
      ...fencing.claims.filter(isUndecidedLease).map((claim) => claim.epoch),
    ]);
    const records = undecided.size === 0 ? listed : await relist();
    const cuts = new Map<number, ReadonlySet<number> | 'all'>();
    for (const epoch of undecided) {
      const ids = records.filter((c) => c.writerEpoch === epoch).map((c) => c.checkpointId);
      cuts.set(epoch, await this.#cuts.decide(epoch, await this.#idsOfEpoch(epoch, ids, relist)));
    }
    for (const record of records) {
      const epoch = record.writerEpoch;
      if (cuts.has(epoch)) continue;
      if (fencing.cutEpochs.has(epoch)) {
        cuts.set(epoch, await this.#cuts.read(epoch));
      } else if (isUndecided(record)) {
        // Fenced in the fencing state but listed only on the relisting.
        const ids = records.filter((c) => c.writerEpoch === epoch).map((c) => c.checkpointId);
        cuts.set(epoch, await this.#cuts.decide(epoch, await this.#idsOfEpoch(epoch, ids, relist)));
      } else {
        cuts.set(epoch, 'all');
      }
    }
    return records.filter((record) => {
      const cut = cuts.get(record.writerEpoch);
      return cut === 'all' || cut?.has(record.checkpointId) === true;
    });
  }

  /** Every checkpoint id of `epoch`'s records, listed after its fence was seen. */
  async #idsOfEpoch(
    epoch: number,
    fromRelisting: readonly number[],
    relist: () => Promise<CommittedCheckpoint[]>,
  ): Promise<number[]> {
    // A listing of one checkpoint id does not show the epoch's other records: list them all.
    if (relist === this.#listAllRecords) return [...fromRelisting];
    return (await this.#listAllRecords()).filter((c) => c.writerEpoch === epoch).map((c) => c.checkpointId);
  }

  readonly #listAllRecords = (): Promise<CommittedCheckpoint[]> =>
    this.#listCommittedUnder(`${this.layout.baseKey}chk-`);

  async #listCommittedUnder(prefix: string): Promise<CommittedCheckpoint[]> {
    const committed: CommittedCheckpoint[] = [];
    for await (const object of this.#requests.list(prefix, this.location)) {
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
    return this.#requests.get(this.layout.keyOf(relative), this.describe(relative), range);
  }

  async listFiles(): Promise<StoredFile[]> {
    const files: StoredFile[] = [];
    for await (const object of this.#requests.list(this.layout.dataListPrefix, this.location)) {
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
    for (const path of paths) {
      const [directory, name] = path.split('/');
      const checkpointId = parseCheckpointDirectoryName(directory ?? '');
      const record = parseMetadataFileName(name ?? '');
      if (checkpointId !== undefined && record !== undefined)
        this.#acknowledged.get(record.epoch)?.delete(checkpointId);
    }
    await this.#requests.deleteKeys(
      paths.map((p) => this.layout.keyOf(p)),
      this.location,
    );
  }
}
