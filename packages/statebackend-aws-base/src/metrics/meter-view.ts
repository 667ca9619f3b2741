import { MetricSettingError } from '../errors.js';
import type { Counter, Meter } from './metric.js';
import { SimpleCounter } from './simple-counter.js';

/** Options of {@link MeterView}. */
export interface MeterViewOptions {
  /** The window the rate is measured over, in seconds. Default 60, as in Flink. */
  readonly timeSpanSeconds?: number;
  /** Counts the events; default a new {@link SimpleCounter}. Pass one to meter an existing counter. */
  readonly counter?: Counter;
  /** Milliseconds since the epoch; default `Date.now`. */
  readonly clock?: () => number;
}

/** Samples of the count are kept at this spacing, as Flink's `MeterView` updates every 5 s. */
const SAMPLE_SPACING_MS = 5_000;

/**
 * The default {@link Meter}: events per second over the last `timeSpanSeconds`, after Flink's
 * `MeterView`.
 *
 * Flink updates every meter from a timer. This one needs no timer: `markEvent` only counts, and
 * reading the rate brings the samples of the count up to date, spreading the events since the
 * previous read evenly over the time between (exact for a steady rate, and the best estimate
 * without timestamps per event). A meter younger than its window divides by its age.
 */
export class MeterView implements Meter {
  readonly metricType = 'meter' as const;
  readonly #counter: Counter;
  readonly #clock: () => number;
  readonly #windowMs: number;
  readonly #spacingMs: number;
  /** Sample times (ascending) and the count at each; the first is the oldest kept. */
  readonly #times: number[];
  readonly #counts: number[];

  constructor(options: MeterViewOptions = {}) {
    const seconds = options.timeSpanSeconds ?? 60;
    if (!(seconds > 0 && Number.isFinite(seconds))) {
      throw new MetricSettingError(
        'MeterView option timeSpanSeconds',
        String(seconds),
        'give a finite number of seconds above 0, or leave it out for 60',
      );
    }
    this.#counter = options.counter ?? new SimpleCounter();
    this.#clock = options.clock ?? Date.now;
    this.#windowMs = seconds * 1000;
    this.#spacingMs = Math.min(SAMPLE_SPACING_MS, this.#windowMs);
    this.#times = [this.#clock()];
    this.#counts = [this.#counter.getCount()];
  }

  markEvent(n = 1): void {
    this.#counter.inc(n);
  }

  getCount(): number {
    return this.#counter.getCount();
  }

  getRate(): number {
    const now = this.#clock();
    const count = this.#counter.getCount();
    this.#sample(now, count);
    const start = this.#times[0] ?? now;
    const elapsedMs = now - start;
    if (elapsedMs <= 0) return 0;
    return ((count - (this.#counts[0] ?? count)) * 1000) / elapsedMs;
  }

  /** Adds samples at each spacing boundary passed since the last one, then drops those out of the window. */
  #sample(now: number, count: number): void {
    const lastIndex = this.#times.length - 1;
    const lastTime = this.#times[lastIndex] ?? now;
    const lastCount = this.#counts[lastIndex] ?? count;
    if (now <= lastTime) return;
    // Only boundaries inside the window matter, however long ago the last read was.
    let boundary = lastTime + this.#spacingMs;
    const earliestUseful = now - this.#windowMs;
    if (boundary < earliestUseful) {
      boundary += Math.floor((earliestUseful - boundary) / this.#spacingMs) * this.#spacingMs;
    }
    for (; boundary <= now; boundary += this.#spacingMs) {
      const share = (boundary - lastTime) / (now - lastTime);
      this.#times.push(boundary);
      this.#counts.push(lastCount + (count - lastCount) * share);
    }
    while (this.#times.length > 1 && (this.#times[0] ?? now) < earliestUseful) {
      this.#times.shift();
      this.#counts.shift();
    }
  }
}
