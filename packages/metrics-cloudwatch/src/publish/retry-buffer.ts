import type { OutgoingDatum } from '../datum/outgoing-datum.js';
import type { ReporterStatistics } from '../reporter/reporter-statistics.js';

/** CloudWatch accepts timestamps up to two weeks old; an hour of margin for clocks and the request. */
export const MAX_DATUM_AGE_MS = 14 * 24 * 3_600_000 - 3_600_000;

/**
 * Datums that could not be delivered, kept for the next report while CloudWatch is unreachable.
 * Bounded: when full, the oldest are dropped first (counted as `buffer-overflow`), and datums
 * older than CloudWatch accepts are dropped when drained (counted as `expired`).
 */
export class RetryBuffer {
  readonly #capacity: number;
  readonly #statistics: ReporterStatistics;
  #datums: OutgoingDatum[] = [];

  constructor(capacity: number, statistics: ReporterStatistics) {
    this.#capacity = capacity;
    this.#statistics = statistics;
  }

  get size(): number {
    return this.#datums.length;
  }

  /** Appends `datums` (the newest), dropping the oldest beyond the capacity. */
  add(datums: readonly OutgoingDatum[]): void {
    this.#datums.push(...datums);
    const excess = this.#datums.length - this.#capacity;
    if (excess > 0) {
      this.#datums.splice(0, excess);
      this.#statistics.dropped('buffer-overflow', excess);
    }
    this.#statistics.bufferedDatums = this.#datums.length;
  }

  /** Takes every datum still young enough to send, oldest first. */
  drain(nowMs: number): OutgoingDatum[] {
    const taken = this.#datums;
    this.#datums = [];
    this.#statistics.bufferedDatums = 0;
    const oldest = nowMs - MAX_DATUM_AGE_MS;
    const fresh = taken.filter((d) => (d.datum.Timestamp?.getTime() ?? nowMs) >= oldest);
    this.#statistics.dropped('expired', taken.length - fresh.length);
    return fresh;
  }
}
