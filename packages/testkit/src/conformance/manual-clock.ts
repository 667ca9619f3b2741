import type { TtlTimeProvider } from '@statebackend/aws-base';

/**
 * A TTL clock that moves only when told, so that expiry can be tested exactly.
 *
 * @example
 * ```ts
 * const clock = new ManualClock(1_000);
 * clock.advance(59_999); // one millisecond before a one-minute TTL written at 1000 expires
 * ```
 */
export class ManualClock implements TtlTimeProvider {
  #now: number;

  constructor(start = 1_000_000) {
    this.#now = start;
  }

  currentTimestamp(): number {
    return this.#now;
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#now += ms;
  }

  /** Sets the clock to `timestamp`. */
  set(timestamp: number): void {
    this.#now = timestamp;
  }
}
