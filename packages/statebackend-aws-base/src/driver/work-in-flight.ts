import { InFlightLimiter } from './in-flight-limiter.js';
import type { Wakeable } from './wait-for-event.js';

/**
 * The driver's records and timers in flight, and how their failures surface: bounded by an
 * {@link InFlightLimiter}, the first failure is kept (later ones are its consequences), wakes the
 * driver's loop, and is thrown at the next consistent point (a drain before a watermark or a
 * checkpoint), so that no checkpoint ever holds the state of a failed record.
 */
export class WorkInFlight {
  /** What {@link fail} interrupts: the driver's wait for the next record. */
  readonly wakeable: Wakeable = { wake: undefined };
  readonly #limiter: InFlightLimiter;
  #failure: { error: unknown } | undefined;

  constructor(maxInFlight: number) {
    this.#limiter = new InFlightLimiter(maxInFlight);
  }

  /** Records and timers running now. */
  get running(): number {
    return this.#limiter.running;
  }

  /** Resolves once a task may start. */
  acquire(): Promise<void> {
    return this.#limiter.acquire();
  }

  /** Tracks `task`, started after {@link acquire}; it must report its own failure to {@link fail}. */
  track(task: Promise<unknown>): void {
    this.#limiter.track(task);
  }

  /** Records `error` unless a failure came first, and wakes the loop to stop. */
  fail(error: unknown): void {
    this.#failure ??= { error };
    this.wakeable.wake?.();
  }

  /** Throws the first failure, if any. */
  throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure.error;
  }

  /** Waits until nothing runs, then throws the first failure, if any. */
  async settle(): Promise<void> {
    await this.#limiter.drain();
    this.throwIfFailed();
  }

  /** Waits until nothing runs, whatever failed (before giving up on a failed run). */
  drain(): Promise<void> {
    return this.#limiter.drain();
  }
}
