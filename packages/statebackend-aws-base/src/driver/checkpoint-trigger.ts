import type { CheckpointCadence } from './processor-driver-options.js';

/**
 * When the driver checkpoints: after `everyRecords` records, or `intervalMs` after the last
 * checkpoint when records or timers ran since. Only records count toward the first; timers
 * firing make a time-based (and the final) checkpoint worth taking.
 */
export class CheckpointTrigger {
  readonly #everyRecords: number;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #sinceCheckpoint = 0;
  #changed = false;
  #lastCheckpointAt = 0;

  constructor(cadence: CheckpointCadence | undefined, now: () => number) {
    this.#everyRecords = cadence?.everyRecords ?? 1000;
    this.#intervalMs = cadence?.intervalMs ?? 10_000;
    this.#now = now;
  }

  /** Whether records or timers ran since the last checkpoint. */
  get changed(): boolean {
    return this.#changed;
  }

  /** The interval counts from now (the run starts). */
  restartInterval(): void {
    this.#lastCheckpointAt = this.#now();
  }

  /** A record was consumed; true when that makes a checkpoint due. */
  recordConsumed(): boolean {
    this.#sinceCheckpoint++;
    this.#changed = true;
    return this.#sinceCheckpoint >= this.#everyRecords;
  }

  /** Timers fired: the state changed without a record. */
  timersFired(): void {
    this.#changed = true;
  }

  /** Whether the interval elapsed with something to checkpoint. */
  dueByTime(): boolean {
    return this.#changed && this.#now() - this.#lastCheckpointAt >= this.#intervalMs;
  }

  /** When a checkpoint falls due by time; undefined while nothing changed. */
  dueAt(): number | undefined {
    return this.#changed ? this.#lastCheckpointAt + this.#intervalMs : undefined;
  }

  /** A checkpoint was taken now. */
  taken(): void {
    this.#sinceCheckpoint = 0;
    this.#changed = false;
    this.#lastCheckpointAt = this.#now();
  }
}
