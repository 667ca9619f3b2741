import { CheckpointIdTooLowError } from '@statebackend/aws-base';
import { type CommitRecord, cutLineage, type LineageEntry } from '../checkpoint/lineage.js';
import { CheckpointOrderError, StoreFailedError } from '../errors.js';
import { type CellRef, type EntryRef, entryAddress } from '../layout/item-key.js';
import type { StoreMetrics } from '../metrics/store-metrics.js';
import { Checkpoints, type CompletedCheckpoint } from './checkpoints.js';
import { type CacheEntry, EntryCache, entryIdOf, newEntry } from './entry-cache.js';
import { type FrozenEntry, flushEntries, freeze } from './flush.js';
import { Garbage } from './garbage.js';
import { listKeys } from './key-lister.js';
import { type CopiedEntry, LineageCompactor, lineageDepth } from './lineage-compaction.js';
import { readMapCell } from './map-reader.js';
import { MissLoader } from './miss-loader.js';
import { type OpenedStore, openStore } from './open-store.js';
import { PredecessorSweep } from './predecessor-sweep.js';
import { type StoreHold, takeHold } from './store-hold.js';
import type { DynamoDbStateStoreOptions } from './store-options.js';
import { TaskQueue } from './task-queue.js';
import type { WriterScope } from './writer-scope.js';
import { WrittenFilter } from './written-filter.js';

/** Options of {@link DynamoDbStateStore.put}. */
export interface PutOptions {
  /** When the value expires (state TTL), ms since the epoch; DynamoDB's native TTL may delete it after. */
  readonly expiresAt?: number | undefined;
  /** The decoded value, kept for {@link DynamoDbStateStore.read}. */
  readonly decoded?: unknown;
}

/**
 * An entry as a caller that knows its cache id addresses it: the id (see `entryId`), and its
 * {@link EntryRef}, which the store asks for only when the cache does not hold the entry.
 */
export interface EntryKey {
  readonly id: string;
  ref(): EntryRef;
  /**
   * For a value cell of the empty namespace (no map key): its state's name and its key id, by
   * which the cache finds it without its id (see `EntryCache.touchPlain`). Undefined otherwise.
   */
  readonly plainState?: string | undefined;
  readonly plainKeyId?: string | undefined;
}

const RESOLVED: Promise<void> = Promise.resolve();

export type { CompletedCheckpoint, StoreHold };

/**
 * Keyed state of one key-group range in DynamoDB behind a bounded cache, with exactly-once
 * checkpoints: a restore of checkpoint N sees exactly the writes made before `snapshot(N)`,
 * whatever reached DynamoDB after it (early flushes, a fenced previous owner).
 *
 * Values are serialized bytes: the state handles above serialize and deserialize.
 *
 * The store owns its state: the cache, the open generation, the lineage it reads through, what
 * its flushes made garbage. Only its methods change them; its parts (loads, flushes,
 * checkpoints, holds, compactions, sweeps) get what they need as arguments.
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
  readonly #scope: WriterScope;
  readonly #cache: EntryCache;
  /** Entries this writer may have put in its own slot: the others need no read before a blind write. */
  readonly #written = new WrittenFilter();
  readonly #garbage = new Garbage();
  /** The generation new writes belong to; a snapshot or a hold closes it. */
  #gen = 1;
  /**
   * Ancestor writers whose committed versions this writer sees. Replaced (never changed in place)
   * when a checkpoint commits key groups a lineage compaction copied forward.
   */
  #lineage: readonly LineageEntry[];
  /**
   * Key groups a lineage compaction copied forward: every checkpoint begun since commits them
   * without ancestors. Only grows.
   */
  readonly #copiedKeyGroups = new Set<number>();
  readonly #loader: MissLoader;
  readonly #checkpoints: Checkpoints;
  readonly #compactor: LineageCompactor;
  readonly #sweep: PredecessorSweep;
  /** Compact in the background the key groups with more ancestors than this (0: never). */
  readonly #compactionDepth: number;
  /** The newest id restored or snapshotted by this writer. */
  #lastCheckpointId: number;
  /** The newest id committed for any key group of the range, by any writer; -1 when none. */
  #latestCommitted: number;
  readonly #queue = new TaskQueue();
  #earlyFlush: Promise<void> | undefined;
  /** Holds taken so far: an early flush queued before a hold must not write after it. */
  #holdsTaken = 0;
  readonly #activeHolds = new Set<StoreHold>();
  #closed = false;

  private constructor(opened: OpenedStore) {
    const scope = opened.scope;
    this.#scope = scope;
    this.metrics = scope.metrics;
    this.restored = opened.restored;
    this.#lastCheckpointId = opened.lastCheckpointId;
    this.#latestCommitted = opened.latestCommittedId;
    this.#lineage = opened.lineage;
    this.#cache = new EntryCache(opened.cacheBytes);
    this.#loader = new MissLoader({
      scope,
      cache: this.#cache,
      written: this.#written,
      lineage: () => this.#lineage,
    });
    this.#checkpoints = new Checkpoints(scope, opened.tracker, {
      garbage: this.#garbage,
      flush: (frozen, gen) => this.#flush(frozen, gen),
      lineage: () => this.#lineage,
      adoptLineage: (lineage) => {
        this.#lineage = lineage;
      },
      forgetOwnItems: (ids) => this.#forgetOwnItems(ids),
      enqueue: (task) => this.#enqueue(task),
    });
    this.#compactor = new LineageCompactor({
      scope,
      logger: scope.logger,
      lineage: () => this.#lineage,
      isCopied: (keyGroup) => this.#copiedKeyGroups.has(keyGroup),
      copy: (entry) => this.#copyForward(entry),
      copied: (keyGroups) => {
        for (const kg of keyGroups) this.#copiedKeyGroups.add(kg);
      },
      closed: () => this.#closed,
    });
    this.#compactionDepth = opened.lineageCompactionDepth;
    this.#sweep = new PredecessorSweep(scope, opened.restored.length > 0, (task) => this.#enqueue(task));
  }

  /**
   * Opens a store: checks or creates the table, claims the key-group range with a new epoch
   * (fencing every earlier owner of these key groups) and, if asked, restores the newest
   * complete checkpoint. Restoring reads only commit records: data is read on demand.
   */
  static async open(options: DynamoDbStateStoreOptions): Promise<DynamoDbStateStore> {
    return new DynamoDbStateStore(await openStore(options));
  }

  /** The most ancestor slots a cache miss reads besides its own (0 after a compaction committed). */
  get lineageDepth(): number {
    return lineageDepth(this.#scope.keyGroupRange, this.#lineage);
  }

  /**
   * Compacts the lineage: copies every entry this writer sees only through an ancestor into its
   * own slot (as changes of the open generation: the cache flushes them as it flushes writes), so
   * that the next checkpoint begun after this resolves commits without ancestors, and the one
   * after it that is the oldest restorable deletes the ancestors' items. Reads every partition of
   * the writer's key groups once (Query, no Scan), a few key groups at a time; each checkpoint
   * commits without ancestors the key groups copied before it began, so the progress survives the
   * owner. Started in the background after a commit (for the key groups deeper than
   * `lineageCompactionDepth`) when a restore left a deep lineage. Resolves with the number of entries copied.
   */
  compactLineage(): Promise<number> {
    return this.#compactor.run();
  }

  /** Where claims and commit records are, for messages. */
  get location(): string {
    return this.#scope.log.location;
  }

  /** This writer's epoch. */
  get epoch(): number {
    return this.#scope.epoch;
  }

  /**
   * How many versions an item holds at most: the newest, one per retained checkpoint, and one for
   * the newest committed checkpoint while it is not complete (with completion by notification, or
   * at commit by a writer of only some key groups, until every key group committed it).
   */
  get versionsPerItem(): number {
    return this.#checkpoints.versionsPerItem;
  }

  /** Bytes the cache holds now. */
  get cacheBytes(): number {
    return this.#cache.bytes;
  }

  /** The value of an entry, or undefined; from the cache, or read through on a miss. */
  async get(ref: EntryRef): Promise<Uint8Array | undefined> {
    return (await this.#entry(keyOf(ref))).value;
  }

  /** The value and its expiry (ms since the epoch), or undefined. */
  async getWithExpiry(
    ref: EntryRef,
  ): Promise<{ value: Uint8Array; expiresAt: number | undefined } | undefined> {
    const entry = await this.#entry(keyOf(ref));
    return entry.value === undefined ? undefined : { value: entry.value, expiresAt: entry.expiresAt };
  }

  /**
   * The value of an entry decoded by `decode`, or undefined. The decoded value is kept with the
   * cached entry, so repeated reads of a cached entry decode nothing: `decode` must be the same
   * function for an entry every time, and what it returns must not be changed by the caller.
   */
  read<T>(ref: EntryRef, decode: (bytes: Uint8Array) => T): Promise<T | undefined> {
    return Promise.resolve(this.readAt(keyOf(ref), decode));
  }

  /**
   * {@link read} of an entry whose cache id the caller knows, answered at once (no promise) when
   * the entry is cached. Never throws: a failure is a rejected promise. @internal
   */
  readAt<T>(key: EntryKey, decode: (bytes: Uint8Array) => T): T | undefined | Promise<T | undefined> {
    try {
      this.#checkUsable();
      const cached = this.#cached(key);
      if (cached !== undefined) {
        this.metrics.cacheHits.inc();
        return decoded(cached, decode);
      }
      this.metrics.cacheMisses.inc();
      return this.#loader.load(key.ref(), key.id).then((entry) => decoded(entry, decode));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Sets an entry; written to DynamoDB at the next flush. The bytes are copied. `options.decoded`
   * is what {@link read} will return for them (it must equal decoding the bytes).
   */
  put(ref: EntryRef, value: Uint8Array, options: PutOptions = {}): Promise<void> {
    return this.#set(keyOf(ref), value.slice(), options.expiresAt, options.decoded) ?? RESOLVED;
  }

  /**
   * {@link put} of an entry whose cache id the caller knows: undefined when done at once (no
   * room to make in the cache). Never throws: a failure is a rejected promise. @internal
   */
  putAt(
    key: EntryKey,
    value: Uint8Array,
    expiresAt: number | undefined,
    decoded: unknown,
  ): Promise<void> | undefined {
    return this.#set(key, value.slice(), expiresAt, decoded);
  }

  /** Removes an entry. */
  delete(ref: EntryRef): Promise<void> {
    return this.#set(keyOf(ref), undefined, undefined, undefined) ?? RESOLVED;
  }

  /** {@link delete} of an entry whose cache id the caller knows (see {@link putAt}). @internal */
  deleteAt(key: EntryKey): Promise<void> | undefined {
    return this.#set(key, undefined, undefined, undefined);
  }

  /** Every entry of a map cell (one Query, laid under the cached entries), ordered by map key bytes. */
  async entries(cell: CellRef): Promise<[mapKey: Uint8Array, value: Uint8Array][]> {
    this.#checkUsable();
    return readMapCell(this.#scope, this.#lineage, () => this.#cache.entriesOfCell(cell), cell);
  }

  /** The keys holding any entry of `state` in `namespace`, each once (a Query per partition, no Scan). */
  async keys(state: string, namespace: Uint8Array): Promise<Uint8Array[]> {
    this.#checkUsable();
    return listKeys(this.#scope, this.#lineage, () => this.#cache.all(), state, namespace);
  }

  /** Removes every entry of a map cell. */
  async clearMap(cell: CellRef): Promise<void> {
    for (const [mapKey] of await this.entries(cell)) await this.delete({ ...cell, mapKey });
  }

  /**
   * The id above the checkpoint restored, every one snapshotted since and every one committed for
   * the range (after a rollback, the newer checkpoints of earlier owners): the next one to take.
   */
  get nextCheckpointId(): number {
    return Math.max(this.#lastCheckpointId, this.#latestCommitted) + 1;
  }

  /**
   * The newest checkpoint id committed for any key group of the range: by this writer, or by
   * earlier owners before it claimed the range (read from the commit records at open). After a
   * rollback it is newer than the checkpoint restored. `snapshot` rejects ids at or below it with
   * `CheckpointIdTooLowError`. -1 when there is none.
   */
  get latestCheckpointId(): number {
    return this.#latestCommitted;
  }

  /**
   * Checkpoint `checkpointId`: captures the state at this call (later writes go to the next
   * generation and never into it), writes what changed, then the commit record. Resolves when
   * the checkpoint is complete.
   *
   * @throws CheckpointIdTooLowError (before anything is written) when `checkpointId` is not above
   * {@link latestCheckpointId}: an older id would shadow newer state or be dropped by retention.
   * @throws CheckpointOrderError when it is not above an id this writer snapshotted already.
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
    if (Number.isSafeInteger(checkpointId) && checkpointId <= this.#latestCommitted) {
      return Promise.reject(new CheckpointIdTooLowError(this.location, checkpointId, this.#latestCommitted));
    }
    if (!Number.isSafeInteger(checkpointId) || checkpointId <= this.#lastCheckpointId) {
      return Promise.reject(new CheckpointOrderError(checkpointId, this.#lastCheckpointId));
    }
    this.#lastCheckpointId = checkpointId;
    // Key groups a compaction copied before this call: every entry it copied is in `frozen` or
    // flushed, so the checkpoint reads them without ancestors.
    const copied = new Set(this.#copiedKeyGroups);
    const { gen, frozen } = this.#closeGeneration();
    const write = this.#checkpoints.begin({
      checkpointId,
      gen,
      frozen,
      metadata,
      states,
      lineage: copied.size === 0 ? this.#lineage : cutLineage(this.#lineage, copied).kept,
      copiedKeyGroups: copied,
    });
    return this.#enqueue(write).then((completed) => {
      this.#latestCommitted = Math.max(this.#latestCommitted, completed.checkpointId);
      // What earlier owners left goes once this owner committed: a restore that fails leaves it.
      // A compaction starts then too: copies of an owner that never commits would only be more
      // uncommitted items for the next owner's pass. A writer that keeps history deletes nothing.
      if (!this.#closed) {
        if (!this.#scope.keepHistory) {
          this.#sweep.afterCommit(this.#lineage, this.#checkpoints.restoredStillRestorable);
        }
        this.#compactor.startWhenDeeperThan(this.#compactionDepth);
      }
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
    const { gen, frozen } = this.#closeGeneration();
    const { io, scopeBytes, buckets, epoch } = this.#scope;
    const reader = { io, scopeBytes, buckets, ownEpoch: epoch, lineage: this.#lineage };
    const hold = takeHold(gen, frozen, reader, {
      flush: (entries, flushed) => this.#flush(entries, flushed),
      enqueue: (task) => this.#enqueue(task),
      released: () => this.#activeHolds.delete(hold),
    });
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
    await this.#queue.settled();
  }

  /** The cached entry of `key`, marked most recently used; undefined when not cached. */
  #cached(key: EntryKey): CacheEntry | undefined {
    const keyId = key.plainKeyId;
    if (keyId !== undefined) return this.#cache.touchPlain(key.plainState as string, keyId);
    return this.#cache.touch(key.id);
  }

  async #entry(key: EntryKey): Promise<CacheEntry> {
    this.#checkUsable();
    const cached = this.#cached(key);
    if (cached !== undefined) {
      this.metrics.cacheHits.inc();
      return cached;
    }
    this.metrics.cacheMisses.inc();
    return this.#loader.load(key.ref(), key.id);
  }

  /**
   * Sets an entry in the cache as a change of the open generation (creating it when absent): the
   * next flush writes it. `decoded` is what reads return for it. Undefined when done, a promise
   * when the cache must make room first; never throws (a failure is a rejected promise).
   */
  #set(
    key: EntryKey,
    value: Uint8Array | undefined,
    expiresAt: number | undefined,
    decoded: unknown,
  ): Promise<void> | undefined {
    try {
      this.#checkUsable();
      const cache = this.#cache;
      let entry = this.#cached(key);
      if (entry === undefined) {
        const ref = key.ref();
        entry = cache.add(newEntry(key.id, ref, entryAddress(this.#scope, ref)));
      }
      entry.value = value;
      entry.memo = decoded;
      entry.expiresAt = expiresAt;
      entry.dirtyGen = this.#gen;
      entry.changes++;
      cache.resize(entry);
      return cache.overBudget ? this.#makeRoom() : undefined;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Closes the open generation: returns it, and what changed in it, frozen now. */
  #closeGeneration(): { gen: number; frozen: FrozenEntry[] } {
    return { gen: this.#gen++, frozen: freeze(this.#cache.dirty()) };
  }

  /** Writes `frozen` as generation `gen` of the own slot (see `flushEntries`). */
  #flush(frozen: readonly FrozenEntry[], gen: number): Promise<number> {
    return flushEntries(
      {
        scope: this.#scope,
        lineage: this.#lineage,
        cutoffs: () => this.#checkpoints.cutoffs(),
        cache: this.#cache,
        written: this.#written,
        garbage: this.#garbage,
        openGeneration: () => this.#gen,
      },
      frozen,
      gen,
    );
  }

  /** Drops clean entries; when dirty ones alone exceed the budget, flushes them early and waits. */
  async #makeRoom(): Promise<void> {
    const cache = this.#cache;
    cache.evictClean();
    // While a hold lasts nothing may be written: the cache grows past its budget instead.
    if (!cache.overBudget || this.#activeHolds.size > 0) return;
    const holds = this.#holdsTaken;
    this.#earlyFlush ??= this.#enqueue(async () => {
      // A hold taken since this was queued reads the state as it was then: writing newer values
      // now would overwrite it. The hold's own flush made room; later writes try again.
      if (this.#holdsTaken !== holds) return;
      // Taken when it runs: it writes the newest values, as the open generation.
      await this.#flush(freeze(cache.dirty()), this.#gen);
    }).finally(() => {
      this.#earlyFlush = undefined;
      cache.evictClean();
    });
    await this.#earlyFlush;
  }

  /**
   * Makes an entry seen only through an ancestor a change, unless this writer wrote it since the
   * Query saw it. What the Query returned may be stale by now: the entry may have been written,
   * flushed early into the own slot and evicted meanwhile, and copying the ancestor's value then
   * would bring back an overwritten or removed value. So the copy is decided on what the cache
   * knows, and an entry this writer may have flushed is read (own slot included) first.
   */
  async #copyForward(copied: CopiedEntry): Promise<void> {
    const cache = this.#cache;
    const key = keyOf(copied.ref);
    cache.pin(key.id);
    try {
      let cached = cache.peek(key.id);
      if (cached === undefined) {
        if (!this.#written.mightContain(key.id)) {
          // Never in the own slot: the ancestors' version the Query resolved is still current.
          await this.#set(key, copied.value, copied.expiresAt, undefined);
          return;
        }
        await this.#entry(key);
        cached = cache.peek(key.id);
        if (cached === undefined) throw new StoreFailedError('an entry pinned in the cache was evicted');
      }
      // Changed since (the next flush writes it), in the own slot, or absent: nothing to copy.
      if (cached.dirtyGen !== 0 || cached.own !== 'absent' || cached.value === undefined) return;
      cached.dirtyGen = this.#gen;
      cached.changes++;
    } finally {
      cache.unpin(key.id);
    }
    if (cache.overBudget) await this.#makeRoom();
  }

  /** This writer's items of entries `ids` were deleted: a cached one forgets its item. */
  #forgetOwnItems(ids: readonly string[]): void {
    for (const id of ids) {
      const cached = this.#cache.peek(id);
      if (cached !== undefined && cached.own !== 'unknown') {
        cached.own = 'absent';
        this.#cache.resize(cached);
      }
    }
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    return this.#queue.enqueue(task);
  }

  #checkUsable(): void {
    const failure = this.#queue.failure;
    if (failure !== undefined) throw failure;
    if (this.#closed) throw new StoreFailedError('it is closed');
  }
}

/** The value of `entry` decoded by `decode` (kept with the entry), or undefined when absent. */
function decoded<T>(entry: CacheEntry, decode: (bytes: Uint8Array) => T): T | undefined {
  if (entry.value === undefined) return undefined;
  if (entry.memo === undefined) entry.memo = decode(entry.value);
  return entry.memo as T;
}

/** The key of an entry given by its bytes. */
function keyOf(ref: EntryRef): EntryKey {
  return { id: entryIdOf(ref), ref: () => ref };
}
