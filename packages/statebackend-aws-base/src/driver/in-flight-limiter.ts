/**
 * Bounds the records and timers in flight and lets the driver wait for all of them (a drain
 * before a checkpoint or a watermark). Tasks are tracked by count, never by a set of promises,
 * so that admitting a task costs nothing however many run.
 */
export class InFlightLimiter {
  readonly #max: number;
  #running = 0;
  readonly #slotWaiters: Array<() => void> = [];
  readonly #idleWaiters: Array<() => void> = [];

  constructor(max: number) {
    this.#max = max;
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running;
  }

  /** Resolves once a task may start (at once while fewer than the maximum run). */
  async acquire(): Promise<void> {
    while (this.#running >= this.#max) {
      await new Promise<void>((resolve) => this.#slotWaiters.push(resolve));
    }
    this.#running++;
  }

  /** Tracks `task`, which holds the slot taken by {@link acquire} until it settles. Never rejects. */
  track(task: Promise<unknown>): void {
    task.then(
      () => this.#release(),
      () => this.#release(),
    );
  }

  /** Resolves once no task runs. */
  async drain(): Promise<void> {
    while (this.#running > 0) {
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    }
  }

  #release(): void {
    this.#running--;
    this.#slotWaiters.shift()?.();
    if (this.#running === 0) {
      for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }
}
