import { performance } from 'node:perf_hooks';

/** Work per turn of the event loop, in ms. */
const SLICE_MS = 1;

/**
 * Calls `step(i)` for every index in `[0, count)`, round-robin, a slice of about a millisecond
 * per turn of the event loop, while `wanted()` holds. For housekeeping that would otherwise stop
 * record processing for tens of milliseconds in one go: folding the overlays a released snapshot
 * leaves (hundreds of thousands of entries after a long checkpoint under load).
 */
export class PacedSweep {
  readonly #count: number;
  readonly #step: (index: number) => void;
  readonly #wanted: () => boolean;
  #cursor = 0;
  #scheduled = false;

  constructor(count: number, step: (index: number) => void, wanted: () => boolean) {
    this.#count = count;
    this.#step = step;
    this.#wanted = wanted;
  }

  /** Starts a sweep over every index (from where the last one stopped), unless one is under way. */
  request(): void {
    if (this.#scheduled || !this.#wanted()) return;
    this.#scheduled = true;
    let remaining = this.#count;
    const run = (): void => {
      const started = performance.now();
      while (remaining > 0 && this.#wanted()) {
        this.#step(this.#cursor);
        this.#cursor = this.#cursor + 1 === this.#count ? 0 : this.#cursor + 1;
        remaining--;
        if (performance.now() - started >= SLICE_MS) {
          setImmediate(run);
          return;
        }
      }
      this.#scheduled = false;
    };
    setImmediate(run);
  }
}
