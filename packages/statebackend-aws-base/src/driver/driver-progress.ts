import type { JsonValue } from '../checkpoint/json.js';
import type { DriverMetadata } from './driver-metadata.js';
import type { KeyGroupsAhead } from './key-groups-ahead.js';
import type { EventTimeOptions } from './processor-driver-options.js';
import type { ResumePoint } from './resume-point.js';

/** Whether a record was already applied to a key group before the restore (then it is skipped there). */
export type AppliedBefore = (keyGroup: number) => boolean;

/**
 * Where the driver is: in the source (records consumed, position, key groups restored ahead of
 * it) and in event time (timestamps seen, watermarks). What each checkpoint stores, and what a
 * restore continues from.
 */
export class DriverProgress {
  #metadata: DriverMetadata;
  /** Key groups restored ahead of the position, until the source passes them. */
  #ahead: KeyGroupsAhead | undefined;

  constructor(resume: ResumePoint) {
    this.#metadata = resume.progress;
    this.#ahead = resume.ahead;
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

  /** What a checkpoint taken now stores: the progress, with the key groups still ahead of it. */
  get checkpointMetadata(): DriverMetadata {
    const ahead = this.#ahead?.aheadOf(this.#metadata.position) ?? [];
    return ahead.length === 0 ? this.#metadata : { ...this.#metadata, ahead };
  }

  /**
   * Which key groups the record that ends at `position` was already applied to. Throws what
   * `comparePositions` throws.
   */
  appliedBefore(position: JsonValue): AppliedBefore | undefined {
    const ahead = this.#ahead;
    if (ahead === undefined) return undefined;
    // The record itself may be the last one some key group skips.
    if (ahead.passedBy(position)) this.#ahead = undefined;
    return (keyGroup) => ahead.alreadyApplied(keyGroup, position);
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
