import type { MetricGroup } from '@statebackend/aws-base';
import { SimpleCounter } from '@statebackend/aws-base/spi';

/** Why a datum was not delivered. */
export type DropReason =
  /** NaN, infinite or beyond ±2^360 (for a histogram, each such recorded value counts one). */
  | 'invalid-value'
  /** A blank metric name. */
  | 'invalid-name'
  /** The buffer for an unreachable CloudWatch was full: the oldest datums made room. */
  | 'buffer-overflow'
  /** Buffered longer than CloudWatch accepts timestamps (two weeks). */
  | 'expired'
  /** CloudWatch rejected the datum itself as invalid. */
  | 'rejected'
  /** Still undelivered when the reporter closed: CloudWatch unreachable, or the close timeout passed. */
  | 'undelivered-at-close';

export const DROP_REASONS: readonly DropReason[] = [
  'invalid-value',
  'invalid-name',
  'buffer-overflow',
  'expired',
  'rejected',
  'undelivered-at-close',
];

/** Told of every drop; the reporter logs one warning per reason. */
export type DropListener = (
  reason: DropReason,
  datums: number,
  context?: Readonly<Record<string, unknown>>,
) => void;

/** A copy of the reporter's own counts. */
export interface ReporterStatisticsSnapshot {
  /** Datums CloudWatch accepted (or, in emf and dry-run modes, written). */
  readonly datumsSent: number;
  /** PutMetricData calls, retries included. */
  readonly requests: number;
  /** PutMetricData calls that failed. */
  readonly failedRequests: number;
  /** Calls repeated after throttling or a transient error. */
  readonly retries: number;
  /** Datums not delivered, whatever the reason; by reason in `droppedByReason`. */
  readonly droppedDatums: number;
  readonly droppedByReason: Readonly<Record<DropReason, number>>;
  /** Gauge readings skipped because they were not numbers (or the gauge threw). */
  readonly skippedGauges: number;
  /** Dimensions left out because a metric had more than 30. */
  readonly truncatedDimensions: number;
  /**
   * Metrics not reported because another metric already has their CloudWatch name and
   * dimensions (after sanitizing, shortening and truncating): CloudWatch would add them up.
   */
  readonly collidingMetrics: number;
  /** Datums waiting in the buffer for the next report. */
  readonly bufferedDatums: number;
}

/**
 * The reporter's own metrics. Registered, when the registry gives the reporter a group, as
 * counters `datumsSent`, `requests`, `failedRequests`, `retries`, `droppedDatums`,
 * `skippedGauges`, `truncatedDimensions`, `collidingMetrics` and a gauge `bufferedDatums`, so
 * they are reported like any other metric (including by this reporter, one interval later).
 */
export class ReporterStatistics {
  readonly datumsSent = new SimpleCounter();
  readonly requests = new SimpleCounter();
  readonly failedRequests = new SimpleCounter();
  readonly retries = new SimpleCounter();
  readonly droppedDatums = new SimpleCounter();
  readonly skippedGauges = new SimpleCounter();
  readonly truncatedDimensions = new SimpleCounter();
  readonly collidingMetrics = new SimpleCounter();
  readonly #byReason = new Map<DropReason, number>();
  bufferedDatums = 0;
  /** Told of every drop (the reporter logs); nothing by default. */
  onDropped: DropListener = () => {};

  /** Counts `n` datums dropped for `reason`, and tells the listener. */
  dropped(reason: DropReason, n = 1, context?: Readonly<Record<string, unknown>>): void {
    if (n <= 0) return;
    this.droppedDatums.inc(n);
    this.#byReason.set(reason, (this.#byReason.get(reason) ?? 0) + n);
    this.onDropped(reason, n, context);
  }

  register(group: MetricGroup): void {
    group.counter('datumsSent', this.datumsSent);
    group.counter('requests', this.requests);
    group.counter('failedRequests', this.failedRequests);
    group.counter('retries', this.retries);
    group.counter('droppedDatums', this.droppedDatums);
    group.counter('skippedGauges', this.skippedGauges);
    group.counter('truncatedDimensions', this.truncatedDimensions);
    group.counter('collidingMetrics', this.collidingMetrics);
    group.gauge('bufferedDatums', () => this.bufferedDatums);
  }

  snapshot(): ReporterStatisticsSnapshot {
    const droppedByReason = Object.fromEntries(
      DROP_REASONS.map((r) => [r, this.#byReason.get(r) ?? 0]),
    ) as Record<DropReason, number>;
    return {
      datumsSent: this.datumsSent.getCount(),
      requests: this.requests.getCount(),
      failedRequests: this.failedRequests.getCount(),
      retries: this.retries.getCount(),
      droppedDatums: this.droppedDatums.getCount(),
      droppedByReason,
      skippedGauges: this.skippedGauges.getCount(),
      truncatedDimensions: this.truncatedDimensions.getCount(),
      collidingMetrics: this.collidingMetrics.getCount(),
      bufferedDatums: this.bufferedDatums,
    };
  }
}
