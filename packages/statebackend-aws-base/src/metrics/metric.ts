/**
 * The four kinds of metric, after Flink's `org.apache.flink.metrics`. Each carries its kind in
 * `metricType`, so that a reporter can tell them apart without `instanceof` (a user may bring
 * their own implementation of any of them).
 */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'meter';

/** Every metric type, in the order reporters list them. */
export const METRIC_TYPES: readonly MetricType[] = Object.freeze(['counter', 'gauge', 'histogram', 'meter']);

/** A count that goes up and down, e.g. state reads. */
export interface Counter {
  readonly metricType: 'counter';
  /** Adds `n` (default 1). */
  inc(n?: number): void;
  /** Subtracts `n` (default 1). */
  dec(n?: number): void;
  getCount(): number;
}

/** A value read when a reporter asks for it, e.g. the size of a cache. */
export interface Gauge<T> {
  readonly metricType: 'gauge';
  getValue(): T;
}

/**
 * The statistics of a set of recorded values: exact count, minimum, maximum and sum, and the
 * distribution at the histogram's precision (percentiles, distinct values and their counts).
 */
export interface HistogramStatistics {
  /** Number of values recorded. */
  readonly count: number;
  /** Smallest value recorded, exact; 0 when `count` is 0. */
  readonly min: number;
  /** Largest value recorded, exact; 0 when `count` is 0. */
  readonly max: number;
  /** Sum of the values recorded, exact; 0 when `count` is 0. */
  readonly sum: number;
  /** `sum / count`; 0 when `count` is 0. */
  readonly mean: number;
  /** Standard deviation of the values recorded; 0 when `count` is 0. */
  readonly stdDev: number;
  /**
   * The value at quantile `q` (0 to 1, e.g. 0.99). Exact for `q` 0 and 1 (min and max), within
   * the histogram's precision otherwise.
   */
  getQuantile(q: number): number;
  /**
   * The distinct recorded values in ascending order with how often each occurred, at the
   * histogram's precision (values closer than that share one entry). The smallest and largest
   * entries are the exact minimum and maximum.
   */
  distribution(): { readonly values: readonly number[]; readonly counts: readonly number[] };
}

/**
 * Values recorded since a reader last took them. Several readers of one histogram (say, two
 * reporters) each see every value once.
 */
export interface HistogramIntervalReader {
  /** The statistics of the values recorded since the last call (or since the reader opened), then forgets them. */
  take(): HistogramStatistics;
  /** Detaches the reader; the histogram stops keeping values for it. */
  close(): void;
}

/** The distribution of values such as latencies or sizes. */
export interface Histogram {
  readonly metricType: 'histogram';
  /** Records one value. */
  update(value: number): void;
  /** Number of values recorded since the histogram was created. */
  getCount(): number;
  /** Statistics of every value recorded since the histogram was created. */
  getStatistics(): HistogramStatistics;
  /** Opens a reader that takes the values recorded between its calls; see {@link HistogramIntervalReader}. */
  openIntervalReader(): HistogramIntervalReader;
}

/** Events per second, e.g. records processed. */
export interface Meter {
  readonly metricType: 'meter';
  /** Marks `n` events (default 1). */
  markEvent(n?: number): void;
  /** Events per second over the meter's window. */
  getRate(): number;
  /** Events marked since the meter was created. */
  getCount(): number;
}

/** Any metric. */
export type Metric = Counter | Gauge<unknown> | Histogram | Meter;
