import type { KeyGroupRange, Logger } from '@statebackend/aws-base';
import type { CommitLog } from '../checkpoint/commit-log.js';
import type { LineageEntry } from '../checkpoint/lineage.js';
import type { DynamoIo, ItemKey } from '../io/dynamo-io.js';
import type { StoreMetrics } from '../metrics/store-metrics.js';
import type { CheckpointTracker } from './checkpoint-tracker.js';
import type { EntryCache } from './entry-cache.js';
import type { WrittenFilter } from './written-filter.js';

/** What the parts of one store share: where it writes, who it is, and what it knows. */
export interface StoreContext {
  readonly io: DynamoIo;
  readonly scope: string;
  readonly scopeBytes: Uint8Array;
  /** Where claims and commit records go. */
  readonly log: CommitLog;
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  readonly buckets: number;
  /** This writer's epoch: its slot in every item key, and its claim. */
  readonly epoch: number;
  /**
   * Ancestor writers whose committed versions this writer sees. Replaced (never changed in place)
   * when a checkpoint after a lineage compaction commits.
   */
  lineage: readonly LineageEntry[];
  /**
   * A finished lineage compaction waiting for the next checkpoint to begin: the lineage that
   * checkpoint commits, and the ancestor epochs whose items go once it is the oldest restorable.
   */
  compacted: { readonly lineage: readonly LineageEntry[]; readonly purge: ReadonlySet<number> } | undefined;
  readonly cache: EntryCache;
  /** Entries this writer may have put in its own slot: the others need no read before a blind write. */
  readonly written: WrittenFilter;
  readonly metrics: StoreMetrics;
  readonly logger: Logger;
  /** The generation new writes belong to; a snapshot closes it. */
  gen: number;
  /** This writer's checkpoints that may still be restored: what its items keep versions for. */
  readonly tracker: CheckpointTracker;
  /** Ancestors' items that flushed writes superseded, until a commit takes them (see `flush.ts`). */
  readonly superseded: Superseded[];
  /** This writer's items whose newest version is a removal, by entry id (see `flush.ts`). */
  readonly tombstones: Map<string, Tombstone>;
}

/** Ancestors' slots of one entry that a write of generation `gen` made unreadable to newer checkpoints. */
export interface Superseded {
  readonly gen: number;
  readonly keys: readonly ItemKey[];
  /** Whether the items were seen (a read found them); else they may exist, and are read first. */
  readonly known: boolean;
}

/** An item of this writer holding a removal as its newest version, written in generation `gen`. */
export interface Tombstone {
  readonly pk: Uint8Array;
  readonly sk: Uint8Array;
  readonly gen: number;
}
