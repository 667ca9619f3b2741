import type { JsHistogram } from 'hdr-histogram-js';
// The pure-JS constructors only: the package's index also loads its WebAssembly build.
import { constructorFromBucketSize } from 'hdr-histogram-js/dist/JsHistogramFactory.js';
import { DistributionStatistics } from './distribution-statistics.js';

/** Significant decimal digits an HDR histogram keeps: 2 means values within 1% share a bucket. */
export type SignificantDigits = 1 | 2 | 3 | 4 | 5;

// 64-bit (float) buckets: a lifetime histogram never overflows a 32-bit count.
const HdrConstructor = constructorFromBucketSize(64);

function newHdr(digits: SignificantDigits): JsHistogram {
  // Starts tiny and grows to the largest value seen, so a histogram of small values stays small.
  const hdr = new HdrConstructor(1, 2, digits);
  hdr.autoResize = true;
  return hdr;
}

/**
 * Recorded values: an HDR histogram of them (rounded to integers) plus their exact count,
 * minimum, maximum and sum. Accumulators merge into one another, which is how a histogram hands
 * the values of an interval to each of its readers.
 */
export class HistogramAccumulator {
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  sum = 0;
  readonly #digits: SignificantDigits;
  #hdr: JsHistogram | undefined;

  constructor(digits: SignificantDigits) {
    this.#digits = digits;
  }

  /** Records a value already checked to be finite, >= 0 and a safe integer once rounded. */
  record(value: number): void {
    this.#hdr ??= newHdr(this.#digits);
    this.#hdr.recordValue(Math.round(value));
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Adds everything `other` holds. */
  mergeFrom(other: HistogramAccumulator): void {
    if (other.count === 0 || other.#hdr === undefined) return;
    this.#hdr ??= newHdr(this.#digits);
    this.#hdr.add(other.#hdr);
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** Exchanges contents with `other`: cheaper than merging into an empty accumulator. */
  swapWith(other: HistogramAccumulator): void {
    [this.count, other.count] = [other.count, this.count];
    [this.min, other.min] = [other.min, this.min];
    [this.max, other.max] = [other.max, this.max];
    [this.sum, other.sum] = [other.sum, this.sum];
    [this.#hdr, other.#hdr] = [other.#hdr, this.#hdr];
  }

  /** Forgets every value, keeping the HDR's memory for the next ones. */
  reset(): void {
    if (this.count === 0) return;
    this.#hdr?.reset();
    this.count = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
    this.sum = 0;
  }

  /**
   * Immutable statistics of what is held. Each HDR bucket becomes one value (its midpoint), except
   * that the lowest and highest take the exact minimum and maximum, so that a consumer computing
   * min and max from the distribution (CloudWatch does) gets them right.
   */
  toStatistics(): DistributionStatistics {
    const hdr = this.#hdr;
    if (this.count === 0 || hdr === undefined) return DistributionStatistics.empty();
    const values: number[] = [];
    const counts: number[] = [];
    // A direct scan of the counts: HDR's recorded-values iterator computes a value for every
    // slot, empty or not, which costs ten times more.
    let remaining = this.count;
    for (let index = 0; index < hdr.countsArrayLength && remaining > 0; index++) {
      const count = hdr.getCountAtIndex(index);
      if (count === 0) continue;
      values.push(hdr.medianEquivalentValue(hdr.valueFromIndex(index)));
      counts.push(count);
      remaining -= count;
    }
    const last = values.length - 1;
    if (last === 0 && this.min !== this.max) {
      // Min and max fell into one bucket: keep both, the max once.
      values.splice(0, 1, this.min, this.max);
      counts.splice(0, 1, this.count - 1, 1);
    } else {
      values[0] = this.min;
      values[last] = this.max;
    }
    return new DistributionStatistics(this, values, counts);
  }
}
