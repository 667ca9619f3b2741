import type { CheckpointingKeyedStateBackend } from '../backend/checkpointing-keyed-state-backend.js';
import type { JsonValue } from '../checkpoint/json.js';
import { ProcessorDriverError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { MetricGroup } from '../metrics/metric-group.js';
import type { TtlTimeProvider } from '../state/ttl/time-provider.js';
import type { ProcessContext } from './process-context.js';
import type { Timer } from './timers/timer.js';

/** What the driver hands `createBackend`. */
export interface DriverBackendContext {
  /**
   * The clock the backend's TTL must read (pass it as the keyed backend's `clock`): the
   * processing clock, or the watermark with `ttlTime: 'event'`.
   */
  readonly clock: TtlTimeProvider;
}

/** Event time: where records' timestamps come from and how watermarks follow them. */
export interface EventTimeOptions<R> {
  /** The record's event time, in milliseconds. */
  timestampOf(record: R): number;
  /** How late a record may arrive behind the latest timestamp seen. Default 0. */
  readonly maxOutOfOrdernessMs?: number;
  /**
   * A watermark is emitted before every this many records, the first one included (counted from
   * the start of the stream, so the same records see the same watermarks after a restore).
   * Emitting waits for the records in flight, then fires the due event-time timers. Default 100.
   */
  readonly watermarkEveryRecords?: number;
}

/** When the driver checkpoints. */
export interface CheckpointCadence {
  /** After this many records. Default 1000. */
  readonly everyRecords?: number;
  /** After this many milliseconds with records processed since the last one. Default 10 000. */
  readonly intervalMs?: number;
}

/** A completed checkpoint, as `onCheckpoint` reports it. */
export interface DriverCheckpoint<P extends JsonValue = JsonValue> {
  readonly checkpointId: number;
  /** Records consumed up to it, from the start of the stream. */
  readonly offset: number;
  readonly position: P | undefined;
}

/**
 * Options of a {@link ProcessorDriver} of records `R` keyed by `K`, whose source positions are
 * `P` (what `positionOf` returns; by default the number of records consumed). `P` is stored as
 * JSON: declare an object position with a `type` alias (`type Position = { next: number }`), since
 * TypeScript does not treat an `interface` as having the index signature `JsonValue` needs.
 */
export interface ProcessorDriverOptions<R, K, P extends JsonValue = JsonValue> {
  /**
   * Creates the keyed backend, restored from the latest complete checkpoint (e.g. a
   * `CheckpointingHeapBackendBuilder` with `restoreFrom: 'latest'`), passing `context.clock` as its TTL clock.
   */
  createBackend(context: DriverBackendContext): Promise<CheckpointingKeyedStateBackend<K>>;
  /** The record's key; records of one key are processed one after another, in order. */
  keyOf(record: R): K;
  /** Processes one record with the state and timers of its key. */
  process(record: R, ctx: ProcessContext<K>): void | Promise<void>;
  /** Called when a timer of the key fires. */
  onTimer?(timer: Timer<K>, ctx: ProcessContext<K>): void | Promise<void>;
  /**
   * The source position after `record` (what the caller's source resumes from), stored with each
   * checkpoint. Positions must not decrease along the source. Default: `offset + 1`, the number of
   * records consumed, which only fits one writer per key-group range: writers that may be rescaled
   * over one shared source need positions of that source (e.g. its offsets).
   */
  positionOf?(record: R, offset: number): P;
  /**
   * Orders two positions (negative, zero or positive as `a` is before, at or after `b`). Called
   * only when a restore merged writers checkpointed at different positions (a rescale): the driver
   * resumes from the smallest and skips, for each key group, the records its writer had already
   * applied. Default: numbers in numeric order; a restore that must order other positions
   * without it fails with a {@link ProcessorDriverError}.
   *
   * @example
   * ```ts
   * comparePositions: (a, b) => a.next - b.next, // with positionOf: (r) => ({ next: r.offset + 1 })
   * ```
   */
  comparePositions?(a: P, b: P): number;
  readonly eventTime?: EventTimeOptions<R>;
  readonly checkpoint?: CheckpointCadence;
  /** Records and timers processed concurrently (records of one key still run in order). Default 32. */
  readonly maxInFlight?: number;
  /** The clock TTL reads: `processing` (default) or `event` (the watermark, reproducible on replay). */
  readonly ttlTime?: 'processing' | 'event';
  /**
   * At the end of the input, emit a final watermark that fires every event-time timer, as Flink
   * does for bounded input. Default true.
   */
  readonly fireTimersAtEnd?: boolean;
  /** The processing clock. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Where the driver registers its metrics (under `driver`: `records`, `timersFired`, `inFlight`,
   * `offset`, `currentWatermark`); none without it.
   */
  readonly metricGroup?: MetricGroup;
  /** Called after each checkpoint completed. */
  onCheckpoint?(checkpoint: DriverCheckpoint<P>): void;
  readonly logger?: Logger;
}

/** Throws a {@link ProcessorDriverError} naming the first option out of range. */
export function validateDriverOptions(options: ProcessorDriverOptions<unknown, unknown, never>): void {
  const positive = (name: string, value: number | undefined, integer: boolean): void => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !(value > 0) || (integer && !Number.isSafeInteger(value))) {
      throw new ProcessorDriverError(
        `Invalid processor driver option ${name}: received ${String(value)}; expected a positive ${integer ? 'integer' : 'number'}.`,
      );
    }
  };
  for (const name of ['createBackend', 'keyOf', 'process'] as const) {
    if (typeof options[name] !== 'function') {
      throw new ProcessorDriverError(
        `Invalid processor driver option ${name}: received ${typeof options[name]}; expected a function.`,
      );
    }
  }
  for (const name of ['onTimer', 'positionOf', 'comparePositions', 'onCheckpoint'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new ProcessorDriverError(
        `Invalid processor driver option ${name}: received ${typeof options[name]}; expected a function or nothing.`,
      );
    }
  }
  positive('checkpoint.everyRecords', options.checkpoint?.everyRecords, true);
  positive('checkpoint.intervalMs', options.checkpoint?.intervalMs, false);
  positive('maxInFlight', options.maxInFlight, true);
  positive('eventTime.watermarkEveryRecords', options.eventTime?.watermarkEveryRecords, true);
  const lateness = options.eventTime?.maxOutOfOrdernessMs;
  if (lateness !== undefined && !(lateness >= 0 && Number.isFinite(lateness))) {
    throw new ProcessorDriverError(
      `Invalid processor driver option eventTime.maxOutOfOrdernessMs: received ${String(lateness)}; expected a finite number >= 0.`,
    );
  }
  if (options.ttlTime === 'event' && options.eventTime === undefined) {
    throw new ProcessorDriverError(
      "Invalid processor driver option ttlTime: 'event' needs eventTime options to derive watermarks from.",
    );
  }
}
