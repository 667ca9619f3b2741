import { CheckpointNotFoundError, noopLogger } from '@statebackend/aws-base';
import type { CommitRecord, LineageEntry } from '../checkpoint/lineage.js';
import { commitLogOf } from '../checkpoint/open-commit-log.js';
import { planRestore, restorableIds } from '../checkpoint/restore-plan.js';
import { TableNotFoundError } from '../errors.js';
import { DynamoIo } from '../io/dynamo-io.js';
import { DEFAULT_RETRY_POLICY } from '../io/retry.js';
import { scopeBytes } from '../layout/item-key.js';
import { StoreMetrics } from '../metrics/store-metrics.js';
import { ensureTable } from '../table/ensure-table.js';
import { CheckpointTracker } from './checkpoint-tracker.js';
import {
  DEFAULT_BUCKETS,
  DEFAULT_CACHE_BYTES,
  DEFAULT_CHECKPOINT_COMPLETION,
  DEFAULT_FLUSH_PARALLELISM,
  DEFAULT_LINEAGE_COMPACTION_DEPTH,
  type DynamoDbStateStoreOptions,
  validateStoreOptions,
} from './store-options.js';
import type { WriterScope } from './writer-scope.js';

/** What opening a store found and set up: everything a `DynamoDbStateStore` starts from. */
export interface OpenedStore {
  readonly scope: WriterScope;
  /** The ancestors the restored checkpoint reads: what the store sees besides its own slot. */
  readonly lineage: readonly LineageEntry[];
  /** The commits restored, and their newest id. */
  readonly restored: readonly CommitRecord[];
  readonly lastCheckpointId: number;
  /**
   * The newest checkpoint id committed for any key group of the range, by any writer (after a
   * rollback, newer than the one restored); -1 when there is none.
   */
  readonly latestCommittedId: number;
  /** Which checkpoints are restorable, starting from those the restore keeps. */
  readonly tracker: CheckpointTracker;
  readonly cacheBytes: number;
  /** Key groups with more ancestors than this are compacted in the background (0: never). */
  readonly lineageCompactionDepth: number;
}

/**
 * Validates the options, checks or creates the table, claims the key-group range with a new
 * epoch (fencing every earlier owner of these key groups) and, if asked, plans the restore from
 * the commit records. No data item is read.
 */
export async function openStore(options: DynamoDbStateStoreOptions): Promise<OpenedStore> {
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
  const startFrom = options.startFrom ?? { kind: 'empty' };
  const scope = scopeBytes(options.scope);
  const log = commitLogOf(io, options.scope, options.checkpointStorage);
  if (options.skipTableCheck !== true) await ensureTableFor(io, options.table, startFrom, log.location);
  const epoch = await log.claim(options.keyGroupRange);
  let lineage: LineageEntry[] = [];
  let restored: readonly CommitRecord[] = [];
  let lastCheckpointId = 0;
  let restorable: readonly number[] = [];
  // Listed after the claim, whatever the start: ids must rise above every commit of the range,
  // also one an empty start or a rollback does not restore.
  const commits = await log.list();
  const range = options.keyGroupRange;
  const covering = commits.filter((c) => c.start <= range.endKeyGroup && c.end >= range.startKeyGroup);
  const anyCovering = covering.length > 0;
  const latestCommittedId = covering.reduce((max, c) => Math.max(max, c.checkpointId), -1);
  if (startFrom.kind === 'checkpoint' || (startFrom.kind === 'latest-or-empty' && anyCovering)) {
    const checkpointId = startFrom.kind === 'checkpoint' ? startFrom.checkpointId : undefined;
    const plan = planRestore(log.location, range, commits, checkpointId);
    lineage = plan.lineage;
    restored = plan.commits;
    lastCheckpointId = plan.checkpointId;
    restorable = plan.restorable;
  }
  const writer: WriterScope = {
    io,
    scopeBytes: scope,
    log,
    keyGroupRange: options.keyGroupRange,
    maxParallelism: options.maxParallelism,
    buckets: options.buckets ?? DEFAULT_BUCKETS,
    epoch,
    keepHistory: options.keepHistory === true,
    metrics,
    logger: options.logger ?? noopLogger,
  };
  // Keeping history, every checkpoint restorable now stays so: its records and items all stay.
  const kept =
    options.keepHistory === true
      ? restorableIds(
          range,
          [...covering].sort((a, b) => b.checkpointId - a.checkpointId || b.epoch - a.epoch),
        )
      : [];
  const tracker = new CheckpointTracker(
    options.checkpointCompletion ?? DEFAULT_CHECKPOINT_COMPLETION,
    options.retainedCheckpoints ?? 1,
    range.startKeyGroup === 0 && range.endKeyGroup === options.maxParallelism - 1,
    restorable,
    kept,
  );
  writer.logger.info('Opened DynamoDB state store', {
    scope: options.scope,
    epoch,
    restoredCheckpoint: lastCheckpointId,
    latestCommittedCheckpoint: latestCommittedId,
  });
  const cacheBytes = options.cacheBytes ?? DEFAULT_CACHE_BYTES;
  const lineageCompactionDepth = options.lineageCompactionDepth ?? DEFAULT_LINEAGE_COMPACTION_DEPTH;
  return {
    scope: writer,
    lineage,
    restored,
    lastCheckpointId,
    latestCommittedId,
    tracker,
    cacheBytes,
    lineageCompactionDepth,
  };
}

/**
 * Checks or creates the table; a restore that must find a checkpoint creates nothing: without the
 * table there is none, and a table created by a failed restore (in a wrong region, say) would stay.
 */
async function ensureTableFor(
  io: DynamoIo,
  table: DynamoDbStateStoreOptions['table'],
  startFrom: NonNullable<DynamoDbStateStoreOptions['startFrom']>,
  location: string,
): Promise<void> {
  if (startFrom.kind !== 'checkpoint') return ensureTable(io, table);
  try {
    await ensureTable(io, { ...table, createIfMissing: false });
  } catch (error) {
    if (!(error instanceof TableNotFoundError)) throw error;
    throw new CheckpointNotFoundError(
      location,
      `DynamoDB table '${table.tableName}' does not exist (check the table name and the region); nothing was created`,
    );
  }
}
