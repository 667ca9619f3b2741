/** When a committed checkpoint counts as complete: at its commit, or when the caller says so. */
export type CompletionMode = 'commit' | 'notify';

interface Committed {
  readonly checkpointId: number;
  /** The last generation it covers. */
  readonly cutoff: number;
}

/**
 * Which of this writer's checkpoints may still be restored, and so which versions its items must
 * keep: the last `retained` complete ones, and those committed but not yet complete (in `notify`
 * mode a checkpoint is complete when {@link confirm} says so, as Flink's
 * `notifyCheckpointComplete`; an aborted one is forgotten).
 */
export class CheckpointTracker {
  readonly mode: CompletionMode;
  readonly retained: number;
  #complete: Committed[] = [];
  #pending: Committed[] = [];

  constructor(mode: CompletionMode, retained: number) {
    this.mode = mode;
    this.retained = retained;
  }

  onCommitted(checkpointId: number, cutoff: number): void {
    this.#pending.push({ checkpointId, cutoff });
    if (this.mode === 'commit') this.confirm(checkpointId);
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

  /** Cutoffs of every checkpoint that may still be restored. */
  cutoffs(): number[] {
    return [...this.#complete, ...this.#pending].map((c) => c.cutoff);
  }

  /** What {@link restorableIds} will be once `checkpointId` committed: for its commit record. */
  restorableAfterCommit(checkpointId: number): number[] {
    const next = new CheckpointTracker(this.mode, this.retained);
    next.#complete = [...this.#complete];
    next.#pending = [...this.#pending];
    next.onCommitted(checkpointId, 0);
    return next.restorableIds();
  }

  /** Ids of every checkpoint that may still be restored, ascending. */
  restorableIds(): number[] {
    return [...this.#complete, ...this.#pending].map((c) => c.checkpointId);
  }

  /**
   * The oldest checkpoint still restorable once `retained` checkpoints are complete: everything
   * older (ancestors' items, commit records) may go. Undefined while fewer are complete.
   */
  oldestRestorable(): number | undefined {
    return this.#complete.length < this.retained ? undefined : this.#complete[0]?.checkpointId;
  }
}
