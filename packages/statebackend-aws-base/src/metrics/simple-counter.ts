import type { Counter } from './metric.js';

/**
 * The default {@link Counter}: a plain number. Not thread-safe across workers, like everything
 * in a Node.js isolate; each worker counts its own.
 */
export class SimpleCounter implements Counter {
  readonly metricType = 'counter' as const;
  #count = 0;

  inc(n = 1): void {
    this.#count += n;
  }

  dec(n = 1): void {
    this.#count -= n;
  }

  getCount(): number {
    return this.#count;
  }
}
