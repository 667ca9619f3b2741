import type { HistogramStatistics } from './metric.js';

/** Exact summary values of a set of recorded values. */
export interface ExactSummary {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly sum: number;
}

/**
 * {@link HistogramStatistics} over a distribution of distinct values (ascending) and their
 * counts, with exact count, minimum, maximum and sum kept beside it. Immutable: a reporter may
 * hold it while the histogram goes on recording.
 */
export class DistributionStatistics implements HistogramStatistics {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  readonly mean: number;
  readonly stdDev: number;
  readonly #values: readonly number[];
  readonly #counts: readonly number[];

  /** `values` ascending, `counts` of the same length; their counts add up to `summary.count`. */
  constructor(summary: ExactSummary, values: readonly number[], counts: readonly number[]) {
    this.count = summary.count;
    this.min = summary.count === 0 ? 0 : summary.min;
    this.max = summary.count === 0 ? 0 : summary.max;
    this.sum = summary.count === 0 ? 0 : summary.sum;
    this.mean = summary.count === 0 ? 0 : summary.sum / summary.count;
    this.#values = Object.freeze([...values]);
    this.#counts = Object.freeze([...counts]);
    this.stdDev = this.#computeStdDev();
  }

  /** Statistics of nothing recorded. */
  static empty(): DistributionStatistics {
    return new DistributionStatistics({ count: 0, min: 0, max: 0, sum: 0 }, [], []);
  }

  getQuantile(q: number): number {
    if (this.count === 0 || Number.isNaN(q)) return 0;
    if (q <= 0) return this.min;
    if (q >= 1) return this.max;
    // The smallest value with at least ceil(q * count) values at or below it.
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.#values.length; i++) {
      seen += this.#counts[i] ?? 0;
      if (seen >= rank) return this.#values[i] ?? this.max;
    }
    return this.max;
  }

  distribution(): { readonly values: readonly number[]; readonly counts: readonly number[] } {
    return { values: this.#values, counts: this.#counts };
  }

  #computeStdDev(): number {
    if (this.count < 2) return 0;
    let squares = 0;
    for (let i = 0; i < this.#values.length; i++) {
      const deviation = (this.#values[i] ?? 0) - this.mean;
      squares += deviation * deviation * (this.#counts[i] ?? 0);
    }
    return Math.sqrt(squares / this.count);
  }
}
