import type { CheckpointFile, CheckpointMetadata } from '../metadata/checkpoint-metadata.js';
import { countKeyGroups, rangesOfKeyGroups, subtractRange } from '../range-set.js';
import { ChangedCells } from './changed-cells.js';
import { type DeltaChain, type DeltaChainLimits, DeltaChains } from './delta-chains.js';
import {
  fullPlan,
  type SnapshotPlan,
  type SnapshotStrategy,
  type WrittenBlocks,
} from './snapshot-strategy.js';
import type { StateSnapshotView } from './state-snapshot-view.js';

/** Options of {@link IncrementalSnapshotStrategy}. */
export interface IncrementalSnapshotOptions extends Partial<DeltaChainLimits> {
  /**
   * Take a full snapshot instead once an incremental one would reference more files than this,
   * so restores do not open ever more small files. Default 32.
   */
  readonly maxReferencedFiles?: number;
  /**
   * Write the changed cells of a key group as a delta over its earlier files, when the backend
   * records changed cells. Default true; false rewrites every changed key group whole.
   */
  readonly deltas?: boolean;
}

/** Changes taken from the tables and not yet in a committed checkpoint, in the order taken. */
interface PendingChanges {
  readonly sequence: number;
  /** Undefined when the view did not track key groups: the next snapshot is full. */
  readonly keyGroups: ReadonlySet<number> | undefined;
  /** Undefined when the view did not track cells: its key groups are rewritten whole. */
  readonly cells: ChangedCells | undefined;
}

/** What a planned snapshot will make of the delta chains once committed. */
interface PlannedSnapshot {
  readonly sequence: number;
  readonly base: DeltaChains;
  readonly whole: ReadonlySet<number>;
  readonly deltas: ReadonlySet<number>;
}

/**
 * Writes only what changed since the last committed checkpoint into `shared/`; the metadata
 * references the files of earlier checkpoints for the rest. A changed key group is written as a
 * delta (its changed cells, and tombstones for removed ones) over the files that provide it, or
 * whole (compacted) when its chain of deltas grew past the limits or most of it changed. The first
 * snapshot, one after a restore, and one that would reference too many files are full (also into
 * `shared/`).
 *
 * Changes of a snapshot that fails or is aborted stay pending until a later checkpoint commits,
 * so they are never lost from the chain.
 */
export class IncrementalSnapshotStrategy implements SnapshotStrategy {
  readonly name = 'incremental';
  readonly #maxReferencedFiles: number;
  readonly #deltas: boolean;
  readonly #limits: DeltaChainLimits;
  #base: CheckpointMetadata | undefined;
  #chains = new DeltaChains();
  #pending: PendingChanges[] = [];
  readonly #planned = new Map<number, PlannedSnapshot>();
  #sequence = 0;
  #forceFull = true;

  constructor(options: IncrementalSnapshotOptions = {}) {
    this.#maxReferencedFiles = Math.max(2, options.maxReferencedFiles ?? 32);
    this.#deltas = options.deltas ?? true;
    this.#limits = {
      maxDeltas: Math.max(1, options.maxDeltas ?? 8),
      maxDeltaRatio: options.maxDeltaRatio ?? 0.5,
    };
  }

  plan(checkpointId: number, view: StateSnapshotView): SnapshotPlan {
    const sequence = this.#remember(view);
    const base = this.#base;
    if (this.#forceFull || base === undefined || !base.keyGroupRange.equals(view.keyGroupRange)) {
      return this.#full(checkpointId, view, sequence);
    }
    const changedKeyGroups = new Set<number>();
    for (const changes of this.#pending)
      for (const keyGroup of changes.keyGroups ?? []) changedKeyGroups.add(keyGroup);
    const cells = this.#deltas ? this.#changedCells(view) : undefined;
    const whole: number[] = [];
    const deltas: number[] = [];
    for (const keyGroup of [...changedKeyGroups].sort((a, b) => a - b)) {
      if (!view.keyGroupRange.contains(keyGroup)) continue;
      const changed = cells?.countOf(keyGroup) ?? 0;
      const chain: DeltaChain = this.#chains.of(keyGroup);
      const cellCount = view.cellCount?.(keyGroup) ?? 0;
      if (
        changed > 0 &&
        !this.#chains.needsCompaction(chain, this.#limits) &&
        changed <= cellCount * this.#limits.maxDeltaRatio
      ) {
        deltas.push(keyGroup);
      } else {
        whole.push(keyGroup);
      }
    }
    const rewritten = rangesOfKeyGroups(whole);
    const reusedFiles: CheckpointFile[] = [];
    for (const file of base.files) {
      let keyGroups = [...file.keyGroups];
      for (const range of rewritten) keyGroups = subtractRange(keyGroups, range);
      if (countKeyGroups(keyGroups) > 0) reusedFiles.push({ ...file, keyGroups });
    }
    if (reusedFiles.length + 2 > this.#maxReferencedFiles) return this.#full(checkpointId, view, sequence);
    this.#planned.set(checkpointId, {
      sequence,
      base: this.#chains,
      whole: new Set(whole),
      deltas: new Set(deltas),
    });
    // TTL cleanup applies to what is written; reused files keep what they held.
    return {
      snapshotType: 'incremental',
      scope: 'shared',
      keyGroups: whole,
      ...(deltas.length === 0 || cells === undefined ? {} : { delta: { keyGroups: deltas, cells } }),
      reusedFiles,
      dropExpired: true,
    };
  }

  carry(view: StateSnapshotView): void {
    this.#remember(view);
  }

  committed(metadata: CheckpointMetadata, written: readonly WrittenBlocks[] = []): void {
    const planned = this.#planned.get(metadata.checkpointId);
    for (const id of this.#planned.keys()) if (id <= metadata.checkpointId) this.#planned.delete(id);
    if (this.#base !== undefined && metadata.checkpointId < this.#base.checkpointId) return;
    this.#base = metadata;
    this.#forceFull = false;
    if (planned === undefined) {
      // Not planned here: nothing is known of its chains, so every key group compacts next time.
      this.#chains = DeltaChains.unknown();
      return;
    }
    this.#chains = planned.base.after(planned.whole, planned.deltas, written);
    this.#pending = this.#pending.filter((changes) => changes.sequence > planned.sequence);
  }

  discarded(checkpointId: number): void {
    if (this.#base?.checkpointId === checkpointId) this.reset();
  }

  reset(): void {
    this.#base = undefined;
    this.#forceFull = true;
    this.#pending = [];
    this.#planned.clear();
    this.#chains = new DeltaChains();
  }

  restoredFrom(base: CheckpointMetadata): void {
    this.reset();
    this.#base = base;
    this.#forceFull = false;
    // Its delta chains are not known here: a key group that changes is written whole.
    this.#chains = DeltaChains.unknown();
  }

  #remember(view: StateSnapshotView): number {
    this.#sequence++;
    const keyGroups = view.changedKeyGroups;
    if (keyGroups === undefined) this.#forceFull = true;
    this.#pending.push({ sequence: this.#sequence, keyGroups, cells: view.changedCells ?? undefined });
    return this.#sequence;
  }

  #full(checkpointId: number, view: StateSnapshotView, sequence: number): SnapshotPlan {
    const all = new Set(view.keyGroupRange);
    this.#planned.set(checkpointId, { sequence, base: new DeltaChains(), whole: all, deltas: new Set() });
    return fullPlan(view.keyGroupRange, 'shared');
  }

  /** The cells changed since the base, or undefined when some change was not tracked by cell. */
  #changedCells(view: StateSnapshotView): ChangedCells | undefined {
    if (view.writeKeyGroupDelta === undefined) return undefined;
    const all: ChangedCells[] = [];
    for (const changes of this.#pending) {
      if (changes.cells === undefined) return undefined;
      all.push(changes.cells);
    }
    return all.length === 1 ? all[0] : ChangedCells.union(all);
  }
}
