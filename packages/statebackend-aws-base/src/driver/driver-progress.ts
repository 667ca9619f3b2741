import type { JsonValue } from '../checkpoint/json.js';
import type { DriverMetadata } from './driver-metadata.js';
import type { EventTimeOptions } from './processor-driver-options.js';

/**
 * Where the driver is: in the source (records consumed, position) and in event time (timestamps
 * seen, watermarks). What each checkpoint stores, and what a restore continues from.
 */
export class DriverProgress {
  #metadata: DriverMetadata;

  constructor(restored: DriverMetadata) {
    this.#metadata = restored;
  }

  /** Records consumed from the start of the stream, across restarts. */
  get offset(): number {
    return this.#metadata.offset;
  }

  /** The position after the last record consumed. */
  get position(): JsonValue | undefined {
    return this.#metadata.position;
  }

  /** The watermark emitted last; `-Infinity` before the first. */
  get watermark(): number {
    return this.#metadata.watermark;
  }

  /** The watermark the records implied last (the TTL clock in event time). */
  get dataWatermark(): number {
    return this.#metadata.dataWatermark;
  }

  /** What a checkpoint taken now stores. */
  get checkpointMetadata(): DriverMetadata {
    return this.#metadata;
  }

  /**
   * Notes the timestamp of the next record; returns the watermark to emit before it, if one is
   * due. A watermark goes before every N-th record, the first one included (so that event-time
   * TTL has a clock from the start): the same records see the same watermarks on a replay.
   */
  observe(
    timestamp: number | undefined,
    eventTime: EventTimeOptions<unknown> | undefined,
  ): number | undefined {
    const previous = this.#metadata.maxTimestamp;
    const maxTimestamp = timestamp === undefined ? previous : Math.max(previous, timestamp);
    this.#metadata = { ...this.#metadata, maxTimestamp };
    if (eventTime === undefined || this.#metadata.offset % (eventTime.watermarkEveryRecords ?? 100) !== 0) {
      return undefined;
    }
    return maxTimestamp - (eventTime.maxOutOfOrdernessMs ?? 0) - 1;
  }

  /** The next record, ending at `position`, was consumed. */
  consumed(position: JsonValue): void {
    this.#metadata = { ...this.#metadata, offset: this.#metadata.offset + 1, position };
  }

  /** Advances the watermark; false when `watermark` is not ahead of the current one. */
  advanceWatermark(watermark: number, dataWatermark: number): boolean {
    if (watermark <= this.#metadata.watermark) return false;
    this.#metadata = {
      ...this.#metadata,
      watermark,
      dataWatermark: Math.max(this.#metadata.dataWatermark, dataWatermark),
    };
    return true;
  }
}
