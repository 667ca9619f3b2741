import type { KeyGroupRange, Logger } from '@statebackend/aws-base';
import type { CommitLog } from '../checkpoint/commit-log.js';
import type { DynamoIo } from '../io/dynamo-io.js';
import type { TableLayout } from '../layout/item-key.js';
import type { StoreMetrics } from '../metrics/store-metrics.js';

/**
 * Who a store writes as, and where: fixed when it opens. What changes afterwards (the open
 * generation, the lineage, the cache, the clean-up bookkeeping) is the `DynamoDbStateStore`'s
 * own, changed only by its methods; its parts get a narrow view of this and what else they need
 * as arguments.
 */
export interface WriterScope extends TableLayout {
  readonly io: DynamoIo;
  /** Where claims and commit records go. */
  readonly log: CommitLog;
  readonly keyGroupRange: KeyGroupRange;
  /** This writer's epoch: its slot in every item key, and its claim. */
  readonly epoch: number;
  /**
   * Delete nothing after commits: no commit record, no earlier writer's item, not even the own
   * removals (deleting one would reveal what it hides). See `DynamoDbStateStoreOptions.keepHistory`.
   */
  readonly keepHistory: boolean;
  readonly metrics: StoreMetrics;
  readonly logger: Logger;
}
