import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type CheckpointStorage,
  ConfigurationError,
  type ConfigurationIssue,
  type KeyGroupRange,
  type Logger,
  type MetricGroup,
} from '@statebackend/aws-base';
import type { RetryPolicy } from '../io/retry.js';
import type { TableOptions } from '../table/table-options.js';
import type { CompletionMode } from './checkpoint-tracker.js';

/** Where a store starts from. */
export type StartFrom =
  | { readonly kind: 'empty' }
  /** The newest complete checkpoint of every key group, or exactly `checkpointId`. */
  | { readonly kind: 'checkpoint'; readonly checkpointId?: number }
  /** The newest complete checkpoint of every key group, or empty when none of them has one. */
  | { readonly kind: 'latest-or-empty' };

/** Options of {@link DynamoDbStateStore.open}. */
export interface DynamoDbStateStoreOptions {
  /** The caller's client; the store never destroys it. */
  readonly client: DynamoDBClient;
  readonly table: TableOptions;
  /** Skip creating/checking the table (it is known to be right). Default false. */
  readonly skipTableCheck?: boolean;
  /** Job and operator, e.g. `orders-job/enrich`; separates the state of different operators. */
  readonly scope: string;
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  /** Partitions per key group (1-256, default 4): spreads a hot key group's keys. */
  readonly buckets?: number;
  /** Bytes the local cache may hold (default 64 MiB). */
  readonly cacheBytes?: number;
  /** BatchWriteItem / BatchGetItem calls in flight (default 8). */
  readonly flushParallelism?: number;
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Report consumed capacity in the metrics (default true). It asks DynamoDB for it on every batch
   * call; some emulators are slower then, DynamoDB itself is not.
   */
  readonly trackConsumedCapacity?: boolean;
  readonly startFrom?: StartFrom;
  /**
   * Keep claims and commit records in this aws-base `CheckpointStorage` (the SPI every backend
   * shares) instead of the table's meta partition. Data stays in the table either way.
   */
  readonly checkpointStorage?: CheckpointStorage;
  /**
   * When a committed checkpoint counts as complete: `commit` (default, everywhere) once every key
   * group of the operator committed it (at once for a writer of all of them; otherwise seen in the
   * commit records at the writer's next commit or clean-up); `notify` when
   * {@link DynamoDbStateStore.notifyCheckpointComplete} says so, as Flink does once every operator
   * committed. Until then the previous complete checkpoint stays restorable too.
   */
  readonly checkpointCompletion?: CompletionMode;
  /** Complete checkpoints that stay restorable (1-3, default 1); items keep a version for each. */
  readonly retainedCheckpoints?: number;
  /**
   * Each restore adds the previous owner to the lineage, and a cache miss reads one slot per
   * ancestor. When a restore leaves more ancestors than this for a key group (default 3; 0: never),
   * the store compacts those key groups in the background, from its first commit on: it copies
   * what it sees only through ancestors into its own slot, and each checkpoint commits without
   * them the key groups copied before it began (an owner stopped midway leaves the rest to the
   * next one). See `DynamoDbStateStore.compactLineage`.
   */
  readonly lineageCompactionDepth?: number;
  /**
   * Delete nothing in the table after a commit: no older commit record (of this job or any), no
   * item of an earlier writer, no leftover of a predecessor. What such a store writes is cleaned
   * up by the next owner's checkpoints instead. For a writer that adds a checkpoint beside a job's
   * own and must never delete what it did not write (a savepoint import); a long-running writer
   * with it would keep growing. Default false.
   */
  readonly keepHistory?: boolean;
  readonly logger?: Logger;
  /** Where to register the store's metrics, e.g. `operatorGroup.addGroup('dynamodb')`. */
  readonly metricGroup?: MetricGroup;
}

export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_FLUSH_PARALLELISM = 8;
export const DEFAULT_BUCKETS = 4;
export const DEFAULT_LINEAGE_COMPACTION_DEPTH = 3;
/** The completion mode everywhere one is not given: the store, the backend and configuration. */
export const DEFAULT_CHECKPOINT_COMPLETION: CompletionMode = 'commit';

/** Checks options before any AWS call; every problem is listed in one `ConfigurationError`. */
export function validateStoreOptions(options: DynamoDbStateStoreOptions): void {
  const issues: ConfigurationIssue[] = [];
  const check = (ok: boolean, key: string, received: unknown, expected: string): void => {
    if (!ok) issues.push({ key, received: JSON.stringify(received) ?? String(received), expected });
  };
  check(
    options.scope.length > 0 && !options.scope.includes('\u0000'),
    'scope',
    options.scope,
    'a non-empty string without NUL characters',
  );
  check(
    /^[a-zA-Z0-9_.-]{3,255}$/.test(options.table.tableName),
    'table.tableName',
    options.table.tableName,
    'a DynamoDB table name (3-255 of a-z, A-Z, 0-9, _ . -)',
  );
  check(
    Number.isInteger(options.maxParallelism) &&
      options.maxParallelism >= 1 &&
      options.maxParallelism <= 32768,
    'maxParallelism',
    options.maxParallelism,
    'an integer in [1, 32768]',
  );
  check(
    options.keyGroupRange.startKeyGroup >= 0 &&
      options.keyGroupRange.endKeyGroup < options.maxParallelism &&
      !options.keyGroupRange.isEmpty,
    'keyGroupRange',
    `[${options.keyGroupRange.startKeyGroup}, ${options.keyGroupRange.endKeyGroup}]`,
    'a non-empty range inside [0, maxParallelism)',
  );
  const buckets = options.buckets ?? DEFAULT_BUCKETS;
  check(
    Number.isInteger(buckets) && buckets >= 1 && buckets <= 256,
    'buckets',
    buckets,
    'an integer in [1, 256]',
  );
  const cache = options.cacheBytes ?? DEFAULT_CACHE_BYTES;
  check(Number.isInteger(cache) && cache >= 1024, 'cacheBytes', cache, 'an integer of at least 1024');
  const parallelism = options.flushParallelism ?? DEFAULT_FLUSH_PARALLELISM;
  check(
    Number.isInteger(parallelism) && parallelism >= 1 && parallelism <= 64,
    'flushParallelism',
    parallelism,
    'an integer in [1, 64]',
  );
  const retained = options.retainedCheckpoints ?? 1;
  check(
    Number.isInteger(retained) && retained >= 1 && retained <= 3,
    'retainedCheckpoints',
    retained,
    'an integer in [1, 3]',
  );
  const depth = options.lineageCompactionDepth ?? DEFAULT_LINEAGE_COMPACTION_DEPTH;
  check(Number.isInteger(depth) && depth >= 0, 'lineageCompactionDepth', depth, 'an integer of at least 0');
  if (issues.length > 0) throw new ConfigurationError(issues);
}
