import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import type { KeyGroupBlock } from '../format/key-group-file-format.js';
import type { CheckpointFile, CheckpointMetadata } from '../metadata/checkpoint-metadata.js';
import type { FileScope } from '../storage/checkpoint-storage.js';
import type { ChangedCells } from './changed-cells.js';
import type { StateSnapshotView } from './state-snapshot-view.js';

/** What one snapshot writes and what it reuses, decided in the synchronous part. */
export interface SnapshotPlan {
  readonly snapshotType: 'full' | 'incremental';
  /** Where new data files go. */
  readonly scope: FileScope;
  /** Key groups to write whole, ascending (empty ones are written as "now empty"). */
  readonly keyGroups: Iterable<number>;
  /**
   * Key groups to write as deltas over the files reused for them: only the `cells` changed, each
   * whole or as a tombstone, into delta files. Absent for a snapshot without deltas.
   */
  readonly delta?: { readonly keyGroups: readonly number[]; readonly cells: ChangedCells };
  /** Files of earlier checkpoints still providing the key groups not written. */
  readonly reusedFiles: readonly CheckpointFile[];
  /** Whether entries expired under a TTL with full-snapshot cleanup are dropped. */
  readonly dropExpired: boolean;
}

/**
 * Decides what a snapshot writes: everything (full) or the key groups changed since the last
 * committed checkpoint (incremental). Strategies keep the state this needs between snapshots.
 */
export interface SnapshotStrategy {
  readonly name: 'full' | 'incremental';
  /** Called in the synchronous part, right after `view` was frozen. */
  plan(checkpointId: number, view: StateSnapshotView): SnapshotPlan;
  /**
   * The checkpoint was committed; it may serve as a base. `written` holds the blocks of each data
   * file it wrote (block lengths are what delta chains are judged by).
   */
  committed(metadata: CheckpointMetadata, written?: readonly WrittenBlocks[]): void;
  /**
   * A view frozen for a snapshot that was refused before it was planned (a duplicate or invalid
   * id): its changes must reach a later checkpoint. Optional for strategies that track none.
   */
  carry?(view: StateSnapshotView): void;
  /** The checkpoint was aborted after its commit: it can no longer serve as a base. */
  discarded(checkpointId: number): void;
  /** State was restored or replaced: the next snapshot cannot build on anything. */
  reset(): void;
  /**
   * State was restored from `base` (files in the storage written to) and the backend records
   * changes from there: the next snapshot may build on it. Optional; without it, it is full.
   */
  restoredFrom?(base: CheckpointMetadata): void;
}

/** The blocks of one data file a checkpoint wrote. */
export interface WrittenBlocks {
  readonly delta: boolean;
  readonly blocks: readonly KeyGroupBlock[];
}

/** Every snapshot writes every key group of the range into files of its own `chk-N/` directory. */
export class FullSnapshotStrategy implements SnapshotStrategy {
  readonly name = 'full';

  plan(_checkpointId: number, view: StateSnapshotView): SnapshotPlan {
    return fullPlan(view.keyGroupRange, 'exclusive');
  }

  committed(): void {}
  discarded(): void {}
  reset(): void {}
}

export function fullPlan(range: KeyGroupRange, scope: FileScope): SnapshotPlan {
  return { snapshotType: 'full', scope, keyGroups: range, reusedFiles: [], dropExpired: true };
}
