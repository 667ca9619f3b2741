import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { FencedError, noopLogger, SnapshotAbortedError } from '@statebackend/aws-base';
import { claimRange } from '../checkpoint/claims.js';
import { commitKey, listCommits, updateRestorable } from '../checkpoint/commit-records.js';
import type { CommitRecord, LineageEntry } from '../checkpoint/lineage.js';
import { planRestore } from '../checkpoint/restore-plan.js';
import { CheckpointOrderError, StoreFailedError } from '../errors.js';
import { DynamoIo } from '../io/dynamo-io.js';
import { DEFAULT_RETRY_POLICY } from '../io/retry.js';
import { type CellRef, type EntryRef, metaPartitionKey, scopeBytes } from '../layout/item-key.js';
import { StoreMetrics } from '../metrics/store-metrics.js';
import { ensureTable } from '../table/ensure-table.js';
import type { CacheEntry } from './cache-entry.js';
import { CheckpointTracker } from './checkpoint-tracker.js';
import { commitCheckpoint } from './commit.js';
import { EntryCache } from './entry-cache.js';
import { addressOf, entryIdOf, mapCellOf } from './entry-keys.js';
import { flushEntries, freeze, supersededItems } from './flush.js';
import { listKeys } from './key-lister.js';
import { readMapCell } from './map-reader.js';
import { MissLoader } from './miss-loader.js';
import { pruneCommits } from './prune-commits.js';
import type { StoreContext } from './store-context.js';
import {
  DEFAULT_BUCKETS,
  DEFAULT_CACHE_BYTES,
  DEFAULT_FLUSH_PARALLELISM,
  type DynamoDbStateStoreOptions,
  validateStoreOptions,
} from './store-options.js';
import { WrittenFilter } from './written-filter.js';

/** Options of {@link DynamoDbStateStore.put}. */
export interface PutOptions {
  /** When the value expires (state TTL), ms since the epoch; DynamoDB's native TTL may delete it after. */
  readonly expiresAt?: number | undefined;
  /** The decoded value, kept for {@link DynamoDbStateStore.read}. */
  readonly decoded?: unknown;
}

/** A completed checkpoint, as {@link DynamoDbStateStore.snapshot} returns it. */
export interface CompletedCheckpoint {
  readonly checkpointId: number;
  readonly durationMs: number;
  /** Entries written by the checkpoint's flush. */
  readonly entriesWritten: number;
}

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
  #lastCheckpointId: number;
  #tail: Promise<unknown> = Promise.resolve();
  #earlyFlush: Promise<void> | undefined;
  #failure: Error | undefined;
  /** Snapshots called and not aborted, until they commit. */
  readonly #inFlight = new Set<number>();
  /** Ancestors' items each committed checkpoint superseded, deleted once it is the oldest restorable. */
  readonly #superseded = new Map<number, WriteRequest[]>();
  #closed = false;

  private constructor(ctx: StoreContext, restored: readonly CommitRecord[], lastCheckpointId: number) {
    this.#ctx = ctx;
    this.metrics = ctx.metrics;
    this.restored = restored;
    this.#lastCheckpointId = lastCheckpointId;
    this.#loader = new MissLoader(ctx);
  }

  /**
   * Opens a store: checks or creates the table, claims the key-group range with a new epoch
   * (fencing every earlier owner of these key groups) and, if asked, restores the newest
   * complete checkpoint. Restoring reads only commit records: data is read on demand.
   */
  static async open(options: DynamoDbStateStoreOptions): Promise<DynamoDbStateStore> {
    validateStoreOptions(options);
    const metrics = new StoreMetrics();
    if (options.metricGroup !== undefined) metrics.register(options.metricGroup);
    const io = new DynamoIo({
      client: options.client,
      tableName: options.table.tableName,
      retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      parallelism: options.flushParallelism ?? DEFAULT_FLUSH_PARALLELISM,
      metrics,
      trackConsumedCapacity: options.trackConsumedCapacity !== false,
    });
    if (options.skipTableCheck !== true) await ensureTable(io, options.table);
    const scope = scopeBytes(options.scope);
    const metaPk = metaPartitionKey(scope);
    const location = `dynamodb://${options.table.tableName}/${options.scope}`;
    const epoch = await claimRange(io, metaPk, options.keyGroupRange);
    let lineage: LineageEntry[] = [];
    let restored: readonly CommitRecord[] = [];
    let lastCheckpointId = 0;
    if (options.startFrom?.kind === 'checkpoint') {
      const plan = planRestore(
        location,
        options.keyGroupRange,
        await listCommits(io, metaPk),
        options.startFrom.checkpointId,
      );
      lineage = plan.lineage;
      restored = plan.commits;
      lastCheckpointId = plan.checkpointId;
    }
    const ctx: StoreContext = {
      io,
      scope: options.scope,
      location,
      scopeBytes: scope,
      metaPk,
      keyGroupRange: options.keyGroupRange,
      maxParallelism: options.maxParallelism,
      buckets: options.buckets ?? DEFAULT_BUCKETS,
      epoch,
      lineage,
      cache: new EntryCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES),
      written: new WrittenFilter(),
      metrics,
      logger: options.logger ?? noopLogger,
      claims: undefined,
      gen: 1,
      tracker: new CheckpointTracker(
        options.checkpointCompletion ?? 'commit',
        options.retainedCheckpoints ?? 1,
      ),
    };
    ctx.logger.info('Opened DynamoDB state store', {
      scope: options.scope,
      epoch,
      restoredCheckpoint: lastCheckpointId,
    });
    return new DynamoDbStateStore(ctx, restored, lastCheckpointId);
  }

  /** This writer's epoch. */
  get epoch(): number {
    return this.#ctx.epoch;
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

  /**
   * Checkpoint `checkpointId`: captures the state at this call (later writes go to the next
   * generation and never into it), writes what changed, then the commit record. Resolves when
   * the checkpoint is complete.
   *
   * @throws FencedError when a newer owner claimed these key groups; nothing is committed.
   */
  snapshot(checkpointId: number, metadata: Uint8Array = new Uint8Array(0)): Promise<CompletedCheckpoint> {
    try {
      this.#checkUsable();
    } catch (error) {
      return Promise.reject(error);
    }
    if (!Number.isSafeInteger(checkpointId) || checkpointId <= this.#lastCheckpointId) {
      return Promise.reject(new CheckpointOrderError(checkpointId, this.#lastCheckpointId));
    }
    this.#lastCheckpointId = checkpointId;
    const ctx = this.#ctx;
    const gen = ctx.gen++;
    const frozen = freeze(ctx.cache.dirty());
    const started = performance.now();
    this.#inFlight.add(checkpointId);
    return this.#enqueue(async () => {
      await flushEntries(ctx, frozen, gen);
      if (!this.#inFlight.has(checkpointId)) {
        throw new SnapshotAbortedError(checkpointId, 'it was aborted while its state was written');
      }
      await commitCheckpoint(ctx, {
        checkpointId,
        epoch: ctx.epoch,
        cutoff: gen,
        start: ctx.keyGroupRange.startKeyGroup,
        end: ctx.keyGroupRange.endKeyGroup,
        lineage: ctx.lineage,
        metadata: metadata.slice(),
        committedAt: Date.now(),
        restorable: ctx.tracker.restorableAfterCommit(checkpointId),
      });
      ctx.tracker.onCommitted(checkpointId, gen);
      this.#superseded.set(checkpointId, supersededItems(frozen));
      await this.#cleanUp();
      const durationMs = performance.now() - started;
      ctx.metrics.checkpointDurationMs.update(Math.round(durationMs));
      return { checkpointId, durationMs, entriesWritten: frozen.length };
    });
  }

  /**
   * Checkpoint `checkpointId` completed everywhere (in `notify` completion mode): earlier ones
   * beyond the retained count stop being restorable, and what only they needed is deleted.
   */
  notifyCheckpointComplete(checkpointId: number): Promise<void> {
    return this.#enqueue(async () => {
      const ctx = this.#ctx;
      if (!ctx.tracker.confirm(checkpointId)) return;
      await updateRestorable(ctx, ctx.tracker.restorableIds());
      await this.#cleanUp();
    });
  }

  /**
   * Checkpoint `checkpointId` was aborted: a snapshot still writing it fails with
   * `SnapshotAbortedError`, and a committed one is removed, so no restore picks it.
   */
  async notifyCheckpointAborted(checkpointId: number): Promise<void> {
    this.#inFlight.delete(checkpointId);
    await this.#enqueue(async () => {
      const ctx = this.#ctx;
      if (!ctx.tracker.isPending(checkpointId)) return;
      await ctx.io.delete(commitKey(ctx.metaPk, checkpointId, ctx.epoch));
      ctx.tracker.abort(checkpointId);
      this.#superseded.delete(checkpointId);
    });
  }

  /** Deletes what no restorable checkpoint needs: ancestors' items and older commit records. */
  async #cleanUp(): Promise<void> {
    const ctx = this.#ctx;
    const oldest = ctx.tracker.oldestRestorable();
    if (oldest === undefined) return;
    try {
      for (const [id, deletes] of this.#superseded) {
        if (id > oldest) continue;
        if (deletes.length > 0) await ctx.io.batchWrite(deletes);
        this.#superseded.delete(id);
      }
      await pruneCommits(ctx, oldest);
    } catch (error) {
      // Clean-up only: what stays is deleted at a later checkpoint, or overwritten.
      ctx.logger.warn('Could not delete superseded versions or commit records', { error: String(error) });
    }
  }

  /** Waits for running flushes and checkpoints, then refuses further use. Unflushed changes are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
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
    const id = entryIdOf(ref);
    let entry = ctx.cache.touch(id);
    if (entry === undefined) {
      entry = {
        id,
        ...addressOf(ctx, ref),
        ref,
        value,
        expiresAt,
        dirtyGen: 0,
        changes: 0,
        own: 'unknown',
        ancestors: [],
        size: 0,
        memo: undefined,
      };
      ctx.cache.add(entry, mapCellOf(ref));
    }
    entry.value = value;
    entry.memo = decoded;
    entry.expiresAt = expiresAt;
    entry.dirtyGen = ctx.gen;
    entry.changes++;
    ctx.cache.resize(entry);
    if (ctx.cache.overBudget) await this.#makeRoom();
  }

  /** Drops clean entries; when dirty ones alone exceed the budget, flushes them early and waits. */
  async #makeRoom(): Promise<void> {
    const ctx = this.#ctx;
    const cellOf = (entry: CacheEntry): string | undefined => mapCellOf(entry.ref);
    ctx.cache.evictClean(cellOf);
    if (!ctx.cache.overBudget) return;
    this.#earlyFlush ??= this.#enqueue(async () => {
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
