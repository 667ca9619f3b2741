/** When a committed checkpoint counts as complete: at its commit, or when the caller says so. */
export type CompletionMode = 'commit' | 'notify';

interface Committed {
  readonly checkpointId: number;
  /** The last generation of this writer it covers; 0 for one restored from earlier writers. */
  readonly cutoff: number;
}

/**
 * Which checkpoints of this writer's key groups may still be restored, and so which versions its
 * items must keep: the last `retained` complete ones (those restored count, so that a restore
 * followed by a commit still keeps the restored one), and the newest committed one while it is not
 * complete yet. A checkpoint is complete
 *
 * - in `notify` mode when {@link confirm} says so, as Flink's `notifyCheckpointComplete`;
 * - in `commit` mode at its commit when this writer owns every key group, and otherwise once the
 *   commit records show every key group committed it (the caller checks and calls {@link confirm}):
 *   until then a subtask that has not committed it yet may still crash, and the job must be able to
 *   restore the previous one.
 *
 * An older checkpoint still waiting when a newer one commits stops being restorable (the newer
 * subsumes it), so an item keeps at most `retained + 1` versions beside the newest. An aborted one
 * is forgotten.
 */
export class CheckpointTracker {
  readonly mode: CompletionMode;
  readonly retained: number;
  /** Whether a commit is complete at once (`commit` mode, a writer of every key group). */
  readonly completesAtCommit: boolean;
  #complete: Committed[];
  #pending: Committed[] = [];
  /** Earlier writers' checkpoints a writer that keeps history leaves restorable: never dropped. */
  readonly #kept: readonly number[];

  /**
   * `restored`: ids of the restored checkpoint and those still restorable before it, ascending.
   * `kept`: ids of earlier writers' checkpoints that stay restorable whatever this writer
   * commits (a writer that keeps history deletes none of their records or items).
   */
  constructor(
    mode: CompletionMode,
    retained: number,
    ownsEveryKeyGroup = true,
    restored: readonly number[] = [],
    kept: readonly number[] = [],
  ) {
    this.mode = mode;
    this.retained = retained;
    this.completesAtCommit = mode === 'commit' && ownsEveryKeyGroup;
    this.#complete = restored.map((checkpointId) => ({ checkpointId, cutoff: 0 })).slice(-retained);
    this.#kept = kept;
  }

  /** How many versions an item may hold: the newest, one per retained and one for a waiting checkpoint. */
  get versionsPerItem(): number {
    return 1 + this.retained + (this.completesAtCommit ? 0 : 1);
  }

  /** Returns the ids of older waiting checkpoints that stopped being restorable (subsumed). */
  onCommitted(checkpointId: number, cutoff: number): number[] {
    const subsumed = this.#pending.map((c) => c.checkpointId);
    this.#pending = [{ checkpointId, cutoff }];
    if (this.completesAtCommit) this.confirm(checkpointId);
    return subsumed;
  }

  /** Checkpoint `checkpointId` (and every earlier one committed) is complete. */
  confirm(checkpointId: number): boolean {
    const done = this.#pending.filter((c) => c.checkpointId <= checkpointId);
    if (done.length === 0) return false;
    this.#pending = this.#pending.filter((c) => c.checkpointId > checkpointId);
    this.#complete = [...this.#complete, ...done].slice(-this.retained);
    return true;
  }

  /** Forgets a committed checkpoint that was aborted; true when it was one. */
  abort(checkpointId: number): boolean {
    const before = this.#pending.length;
    this.#pending = this.#pending.filter((c) => c.checkpointId !== checkpointId);
    return this.#pending.length !== before;
  }

  isPending(checkpointId: number): boolean {
    return this.#pending.some((c) => c.checkpointId === checkpointId);
  }

  /** Ids of committed checkpoints not complete yet. */
  pendingIds(): number[] {
    return this.#pending.map((c) => c.checkpointId);
  }

  /** Whether a checkpoint restored from earlier writers (cutoff 0) may still be restored. */
  holdsRestored(): boolean {
    return [...this.#complete, ...this.#pending].some((c) => c.cutoff === 0);
  }

  /** Cutoffs of every checkpoint that may still be restored (0 for restored ones: no own version). */
  cutoffs(): number[] {
    return [...this.#complete, ...this.#pending].map((c) => c.cutoff);
  }

  /** What {@link restorableIds} will be once `checkpointId` committed: for its commit record. */
  restorableAfterCommit(checkpointId: number): number[] {
    const next = new CheckpointTracker(this.mode, this.retained, this.completesAtCommit, [], this.#kept);
    next.#complete = [...this.#complete];
    next.#pending = [...this.#pending];
    next.onCommitted(checkpointId, 0);
    return next.restorableIds();
  }

  /** Ids of every checkpoint that may still be restored, ascending. */
  restorableIds(): number[] {
    const own = [...this.#complete, ...this.#pending].map((c) => c.checkpointId);
    if (this.#kept.length === 0) return own;
    return [...new Set([...this.#kept, ...own])].sort((a, b) => a - b);
  }

  /**
   * The oldest checkpoint still restorable once `retained` checkpoints are complete: everything
   * older (ancestors' items, commit records) may go. Undefined while fewer are complete.
   */
  oldestRestorable(): number | undefined {
    return this.#complete.length < this.retained ? undefined : this.#complete[0]?.checkpointId;
  }
}
