import { FencedError } from '@statebackend/aws-base';
import type { CommitRecord } from '../checkpoint/lineage.js';
import { CheckpointOrderError, StoreFailedError } from '../errors.js';
import type { CellRef, EntryRef } from '../layout/item-key.js';
import type { StoreMetrics } from '../metrics/store-metrics.js';
import type { CacheEntry } from './cache-entry.js';
import { writeToCache } from './cache-write.js';
import { Checkpoints, type CompletedCheckpoint } from './checkpoints.js';
import { entryIdOf, mapCellOf } from './entry-keys.js';
import { flushEntries, freeze } from './flush.js';
import { listKeys } from './key-lister.js';
import { LineageCompactor, lineageDepth } from './lineage-compaction.js';
import { readMapCell } from './map-reader.js';
import { MissLoader } from './miss-loader.js';
import { openContext } from './open-context.js';
import { PredecessorSweep } from './predecessor-sweep.js';
import type { StoreContext } from './store-context.js';
import { type StoreHold, takeHold } from './store-hold.js';
import { DEFAULT_LINEAGE_COMPACTION_DEPTH, type DynamoDbStateStoreOptions } from './store-options.js';

/** Options of {@link DynamoDbStateStore.put}. */
export interface PutOptions {
  /** When the value expires (state TTL), ms since the epoch; DynamoDB's native TTL may delete it after. */
  readonly expiresAt?: number | undefined;
  /** The decoded value, kept for {@link DynamoDbStateStore.read}. */
  readonly decoded?: unknown;
}

export type { CompletedCheckpoint, StoreHold };

/**
 * Keyed state of one key-group range in DynamoDB behind a bounded cache, with exactly-once
 * checkpoints: a restore of checkpoint N sees exactly the writes made before `snapshot(N)`,
 * whatever reached DynamoDB after it (early flushes, a fenced previous owner).
 *
 * Values are serialized bytes: the state handles above serialize and deserialize.
 *
 * @example
 * ```ts
 * const store = await DynamoDbStateStore.open({
 *   client, table: { tableName: 'state' }, scope: 'job/op',
 *   keyGroupRange: KeyGroupRange.of(0, 127), maxParallelism: 128,
 *   startFrom: { kind: 'checkpoint' },
 * });
 * await store.put(ref, bytes);
 * await store.snapshot(8, metadata);
 * ```
 */
export class DynamoDbStateStore {
  readonly metrics: StoreMetrics;
  /** The checkpoint restored at open, or undefined when started empty. */
  readonly restored: readonly CommitRecord[];
  readonly #ctx: StoreContext;
  readonly #loader: MissLoader;
  readonly #checkpoints: Checkpoints;
  #lastCheckpointId: number;
  #tail: Promise<unknown> = Promise.resolve();
  #earlyFlush: Promise<void> | undefined;
  readonly #compactor: LineageCompactor;
  readonly #sweep: PredecessorSweep;
  /** Holds taken so far: an early flush queued before a hold must not write after it. */
  #holdsTaken = 0;
  readonly #activeHolds = new Set<StoreHold>();
  #failure: Error | undefined;
  #closed = false;

  private constructor(ctx: StoreContext, restored: readonly CommitRecord[], lastCheckpointId: number) {
    this.#ctx = ctx;
    this.metrics = ctx.metrics;
    this.restored = restored;
    this.#lastCheckpointId = lastCheckpointId;
    this.#loader = new MissLoader(ctx);
    this.#checkpoints = new Checkpoints(ctx, (task) => this.#enqueue(task));
    this.#compactor = new LineageCompactor(ctx, {
      write: (ref, value, expiresAt) => this.#write(ref, value, expiresAt, undefined),
      load: (ref) => this.#entry(ref),
      makeRoom: () => this.#makeRoom(),
      closed: () => this.#closed,
    });
    this.#sweep = new PredecessorSweep(ctx, (task) => this.#enqueue(task));
  }

  /**
   * Opens a store: checks or creates the table, claims the key-group range with a new epoch
   * (fencing every earlier owner of these key groups) and, if asked, restores the newest
   * complete checkpoint. Restoring reads only commit records: data is read on demand.
   */
  static async open(options: DynamoDbStateStoreOptions): Promise<DynamoDbStateStore> {
    const { ctx, restored, lastCheckpointId } = await openContext(options);
    const store = new DynamoDbStateStore(ctx, restored, lastCheckpointId);
    store.#compactor.startWhenDeeperThan(options.lineageCompactionDepth ?? DEFAULT_LINEAGE_COMPACTION_DEPTH);
    return store;
  }

  /** The most ancestor slots a cache miss reads besides its own (0 after a compaction committed). */
  get lineageDepth(): number {
    return lineageDepth(this.#ctx);
  }

  /**
   * Compacts the lineage: copies every entry this writer sees only through an ancestor into its
   * own slot (as changes of the open generation: the cache flushes them as it flushes writes), so
   * that the next checkpoint begun after this resolves commits without ancestors, and the one
   * after it that is the oldest restorable deletes the ancestors' items. Reads every partition of
   * the writer's key groups once (Query, no Scan). Started by {@link open} when a restore leaves a
   * deep lineage. Resolves with the number of entries copied.
   */
  compactLineage(): Promise<number> {
    return this.#compactor.run();
  }

  /** Where claims and commit records are, for messages. */
  get location(): string {
    return this.#ctx.log.location;
  }

  /** This writer's epoch. */
  get epoch(): number {
    return this.#ctx.epoch;
  }

  /**
   * How many versions an item holds at most: the newest, one per retained checkpoint, and one for
   * the newest committed checkpoint while it is not complete (with completion by notification, or
   * at commit by a writer of only some key groups, until every key group committed it).
   */
  get versionsPerItem(): number {
    return this.#ctx.tracker.versionsPerItem;
  }

  /** Bytes the cache holds now. */
  get cacheBytes(): number {
    return this.#ctx.cache.bytes;
  }

  /** The value of an entry, or undefined; from the cache, or read through on a miss. */
  async get(ref: EntryRef): Promise<Uint8Array | undefined> {
    return (await this.#entry(ref)).value;
  }

  /** The value and its expiry (ms since the epoch), or undefined. */
  async getWithExpiry(
    ref: EntryRef,
  ): Promise<{ value: Uint8Array; expiresAt: number | undefined } | undefined> {
    const entry = await this.#entry(ref);
    return entry.value === undefined ? undefined : { value: entry.value, expiresAt: entry.expiresAt };
  }

  /**
   * The value of an entry decoded by `decode`, or undefined. The decoded value is kept with the
   * cached entry, so repeated reads of a cached entry decode nothing: `decode` must be the same
   * function for an entry every time, and what it returns must not be changed by the caller.
   */
  async read<T>(ref: EntryRef, decode: (bytes: Uint8Array) => T): Promise<T | undefined> {
    const entry = await this.#entry(ref);
    if (entry.value === undefined) return undefined;
    if (entry.memo === undefined) entry.memo = decode(entry.value);
    return entry.memo as T;
  }

  /**
   * Sets an entry; written to DynamoDB at the next flush. The bytes are copied. `options.decoded`
   * is what {@link read} will return for them (it must equal decoding the bytes).
   */
  put(ref: EntryRef, value: Uint8Array, options: PutOptions = {}): Promise<void> {
    return this.#write(ref, value.slice(), options.expiresAt, options.decoded);
  }

  /** Removes an entry. */
  delete(ref: EntryRef): Promise<void> {
    return this.#write(ref, undefined, undefined, undefined);
  }

  /** Every entry of a map cell (one Query, laid under the cached entries), ordered by map key bytes. */
  async entries(cell: CellRef): Promise<[mapKey: Uint8Array, value: Uint8Array][]> {
    this.#checkUsable();
    return readMapCell(this.#ctx, cell);
  }

  /** The keys holding any entry of `state` in `namespace`, each once (a Query per partition, no Scan). */
  async keys(state: string, namespace: Uint8Array): Promise<Uint8Array[]> {
    this.#checkUsable();
    return listKeys(this.#ctx, state, namespace);
  }

  /** Removes every entry of a map cell. */
  async clearMap(cell: CellRef): Promise<void> {
    for (const [mapKey] of await this.entries(cell)) await this.delete({ ...cell, mapKey });
  }

  /** The id above the checkpoint restored and every one snapshotted since: the next one to take. */
  get nextCheckpointId(): number {
    return this.#lastCheckpointId + 1;
  }

  /**
   * Checkpoint `checkpointId`: captures the state at this call (later writes go to the next
   * generation and never into it), writes what changed, then the commit record. Resolves when
   * the checkpoint is complete.
   *
   * @throws FencedError when a newer owner claimed these key groups; nothing is committed.
   */
  snapshot(
    checkpointId: number,
    metadata: Uint8Array = new Uint8Array(0),
    states?: string,
  ): Promise<CompletedCheckpoint> {
    try {
      this.#checkUsable();
    } catch (error) {
      return Promise.reject(error);
    }
    if (!Number.isSafeInteger(checkpointId) || checkpointId <= this.#lastCheckpointId) {
      return Promise.reject(new CheckpointOrderError(checkpointId, this.#lastCheckpointId));
    }
    this.#lastCheckpointId = checkpointId;
    return this.#enqueue(this.#checkpoints.begin(checkpointId, metadata, states)).then((completed) => {
      // What earlier owners left goes once this owner committed: a restore that fails leaves it.
      if (!this.#closed) this.#sweep.start();
      return completed;
    });
  }

  /**
   * Holds the store's state as it is at this call, for a reader of all of it (a savepoint):
   * what changed is written now as uncommitted versions (no checkpoint covers them), then no
   * further write reaches DynamoDB — checkpoints and early flushes wait — until
   * {@link StoreHold.release}. Records keep being processed from the cache meanwhile; the cache
   * may grow past its budget while the hold lasts.
   */
  hold(): StoreHold {
    this.#checkUsable();
    this.#holdsTaken++;
    const hold = takeHold(
      this.#ctx,
      (task) => this.#enqueue(task),
      () => this.#activeHolds.delete(hold),
    );
    this.#activeHolds.add(hold);
    return hold;
  }

  /**
   * Checkpoint `checkpointId` completed everywhere (in `notify` completion mode): earlier ones
   * beyond the retained count stop being restorable, and what only they needed is deleted.
   */
  notifyCheckpointComplete(checkpointId: number): Promise<void> {
    return this.#enqueue(this.#checkpoints.complete(checkpointId));
  }

  /**
   * Checkpoint `checkpointId` was aborted: a snapshot still writing it fails with
   * `SnapshotAbortedError`, and a committed one is removed, so no restore picks it.
   */
  notifyCheckpointAborted(checkpointId: number): Promise<void> {
    return this.#enqueue(this.#checkpoints.abort(checkpointId));
  }

  /**
   * Waits for running flushes and checkpoints, and for the pass deleting what earlier owners left
   * (started by the first checkpoint after a restore), then refuses further use. Unflushed changes
   * are dropped.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const hold of [...this.#activeHolds]) hold.release();
    await this.#compactor.settled();
    await this.#sweep.settled();
    await this.#tail.catch(() => undefined);
  }

  async #entry(ref: EntryRef): Promise<CacheEntry> {
    this.#checkUsable();
    const id = entryIdOf(ref);
    const cached = this.#ctx.cache.touch(id);
    if (cached !== undefined) {
      this.metrics.cacheHits.inc();
      return cached;
    }
    this.metrics.cacheMisses.inc();
    return this.#loader.load(ref, id);
  }

  async #write(
    ref: EntryRef,
    value: Uint8Array | undefined,
    expiresAt: number | undefined,
    decoded: unknown,
  ): Promise<void> {
    this.#checkUsable();
    const ctx = this.#ctx;
    writeToCache(ctx, ref, value, expiresAt, decoded);
    if (ctx.cache.overBudget) await this.#makeRoom();
  }

  /** Drops clean entries; when dirty ones alone exceed the budget, flushes them early and waits. */
  async #makeRoom(): Promise<void> {
    const ctx = this.#ctx;
    const cellOf = (entry: CacheEntry): string | undefined => mapCellOf(entry.ref);
    ctx.cache.evictClean(cellOf);
    // While a hold lasts nothing may be written: the cache grows past its budget instead.
    if (!ctx.cache.overBudget || this.#activeHolds.size > 0) return;
    const holds = this.#holdsTaken;
    this.#earlyFlush ??= this.#enqueue(async () => {
      // A hold taken since this was queued reads the state as it was then: writing newer values
      // now would overwrite it. The hold's own flush made room; later writes try again.
      if (this.#holdsTaken !== holds) return;
      // Taken when it runs: it writes the newest values, as the open generation.
      await flushEntries(ctx, freeze(ctx.cache.dirty()), ctx.gen);
    }).finally(() => {
      this.#earlyFlush = undefined;
      ctx.cache.evictClean(cellOf);
    });
    await this.#earlyFlush;
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(() => {
      if (this.#failure !== undefined) throw this.#failure;
      return task();
    });
    this.#tail = run.catch((error: unknown) => {
      if (error instanceof FencedError || error instanceof StoreFailedError) this.#failure = error;
    });
    return run;
  }

  #checkUsable(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#closed) throw new StoreFailedError('it is closed');
  }
}
