import { MetricSettingError } from '../errors.js';
import { HistogramAccumulator, type SignificantDigits } from './histogram-accumulator.js';
import type { Histogram, HistogramIntervalReader, HistogramStatistics } from './metric.js';

/** Options of {@link HdrHistogram}. */
export interface HdrHistogramOptions {
  /**
   * Significant decimal digits kept, 1 to 5. Default 2: values within 1% of each other share a
   * bucket, which keeps a histogram of latencies from 1 µs to 1 h within a few kilobytes.
   */
  readonly significantDigits?: SignificantDigits;
}

/**
 * The default {@link Histogram}, backed by HdrHistogram (`hdr-histogram-js`, its pure-JS build).
 *
 * Values are non-negative numbers up to `Number.MAX_SAFE_INTEGER`, like Flink's `long`s: record
 * durations in a small enough unit (µs, ms) that rounding to an integer loses nothing you need.
 * Count, minimum, maximum and sum are exact (fractions included); percentiles and the
 * distribution are within the configured precision. A negative, `NaN` or infinite value is not
 * recorded; {@link HdrHistogram.getRejectedCount} counts them.
 *
 * Recording costs one HDR update. Values are handed to the lifetime statistics and to every
 * interval reader lazily, when one of them reads, so readers do not slow down `update`.
 *
 * @example
 * ```ts
 * const latency = group.histogram('putLatencyMicros');
 * latency.update(elapsedMicros);
 * latency.getStatistics().getQuantile(0.99);
 * ```
 */
export class HdrHistogram implements Histogram {
  readonly metricType = 'histogram' as const;
  readonly #digits: SignificantDigits;
  /** Values since the last hand-over to `#lifetime` and the readers. */
  readonly #current: HistogramAccumulator;
  readonly #lifetime: HistogramAccumulator;
  readonly #readers = new Set<HistogramAccumulator>();
  #rejected = 0;

  constructor(options: HdrHistogramOptions = {}) {
    const digits = options.significantDigits ?? 2;
    if (!Number.isInteger(digits) || digits < 1 || digits > 5) {
      throw new MetricSettingError(
        'HdrHistogram option significantDigits',
        String(digits),
        'give an integer from 1 to 5, or leave it out for 2',
      );
    }
    this.#digits = digits;
    this.#current = new HistogramAccumulator(digits);
    this.#lifetime = new HistogramAccumulator(digits);
  }

  update(value: number): void {
    // One comparison rejects NaN, negatives and infinities alike.
    if (!(value >= 0 && value <= Number.MAX_SAFE_INTEGER)) {
      this.#rejected++;
      return;
    }
    this.#current.record(value);
  }

  getCount(): number {
    return this.#lifetime.count + this.#current.count;
  }

  /** Values passed to `update` that were not recorded: negative, `NaN`, infinite or too large. */
  getRejectedCount(): number {
    return this.#rejected;
  }

  getStatistics(): HistogramStatistics {
    this.#handOver();
    return this.#lifetime.toStatistics();
  }

  openIntervalReader(): HistogramIntervalReader {
    // Values recorded before the reader opened belong to earlier readers, not to this one.
    this.#handOver();
    const pending = new HistogramAccumulator(this.#digits);
    this.#readers.add(pending);
    let open = true;
    return {
      take: () => {
        if (!open) return pending.toStatistics();
        this.#handOver();
        const statistics = pending.toStatistics();
        pending.reset();
        return statistics;
      },
      close: () => {
        open = false;
        this.#readers.delete(pending);
        pending.reset();
      },
    };
  }

  #handOver(): void {
    const current = this.#current;
    if (current.count === 0) return;
    const [only] = this.#readers;
    if (this.#readers.size === 1 && only !== undefined && only.count === 0) {
      // The usual case, one reporter that takes every interval: hand the values over by swap.
      only.swapWith(current);
      this.#lifetime.mergeFrom(only);
      return;
    }
    this.#lifetime.mergeFrom(current);
    for (const reader of this.#readers) reader.mergeFrom(current);
    current.reset();
  }
}
