import type { CheckpointFile, CheckpointMetadata } from '../metadata/checkpoint-metadata.js';
import { countKeyGroups, rangesOfKeyGroups, subtractRange } from '../range-set.js';
import { fullPlan, type SnapshotPlan, type SnapshotStrategy } from './snapshot-strategy.js';
import type { StateSnapshotView } from './state-snapshot-view.js';

/** Options of {@link IncrementalSnapshotStrategy}. */
export interface IncrementalSnapshotOptions {
  /**
   * Take a full snapshot instead once an incremental one would reference more files than this,
   * so restores do not open ever more small files. Default 32.
   */
  readonly maxReferencedFiles?: number;
}

/**
 * Writes only the key groups changed since the last committed checkpoint into `shared/`; the
 * metadata references the files of earlier checkpoints for the others. The first snapshot, one
 * after a restore, and one that would reference too many files are full (also into `shared/`).
 *
 * Changes of a snapshot that fails or is aborted stay pending until a later checkpoint commits,
 * so they are never lost from the chain.
 */
export class IncrementalSnapshotStrategy implements SnapshotStrategy {
  readonly name = 'incremental';
  private readonly maxReferencedFiles: number;
  private base: CheckpointMetadata | undefined;
  /** Key groups changed, by the checkpoint whose view reported them. */
  private readonly changes = new Map<number, ReadonlySet<number>>();
  private forceFull = true;

  constructor(options: IncrementalSnapshotOptions = {}) {
    this.maxReferencedFiles = Math.max(1, options.maxReferencedFiles ?? 32);
  }

  plan(checkpointId: number, view: StateSnapshotView): SnapshotPlan {
    const changed = view.changedKeyGroups;
    if (changed === undefined) this.forceFull = true;
    else this.changes.set(checkpointId, changed);
    const base = this.base;
    if (this.forceFull || base === undefined || !base.keyGroupRange.equals(view.keyGroupRange)) {
      return fullPlan(view.keyGroupRange, 'shared');
    }
    const toWrite = new Set<number>();
    for (const [id, keyGroups] of this.changes) {
      if (id > base.checkpointId) for (const keyGroup of keyGroups) toWrite.add(keyGroup);
    }
    const sorted = [...toWrite].filter((kg) => view.keyGroupRange.contains(kg)).sort((a, b) => a - b);
    const rewritten = rangesOfKeyGroups(sorted);
    const reusedFiles: CheckpointFile[] = [];
    for (const file of base.files) {
      let keyGroups = [...file.keyGroups];
      for (const range of rewritten) keyGroups = subtractRange(keyGroups, range);
      if (countKeyGroups(keyGroups) > 0) reusedFiles.push({ ...file, keyGroups });
    }
    if (reusedFiles.length + 1 > this.maxReferencedFiles) return fullPlan(view.keyGroupRange, 'shared');
    // TTL cleanup applies to the key groups rewritten; reused files keep what they held.
    return {
      snapshotType: 'incremental',
      scope: 'shared',
      keyGroups: sorted,
      reusedFiles,
      dropExpired: true,
    };
  }

  committed(metadata: CheckpointMetadata): void {
    if (this.base !== undefined && metadata.checkpointId < this.base.checkpointId) return;
    this.base = metadata;
    this.forceFull = false;
    for (const id of this.changes.keys()) if (id <= metadata.checkpointId) this.changes.delete(id);
  }

  discarded(checkpointId: number): void {
    if (this.base?.checkpointId === checkpointId) this.reset();
  }

  reset(): void {
    this.base = undefined;
    this.forceFull = true;
    this.changes.clear();
  }
}
