import type { JsonValue } from '../checkpoint/json.js';

/** The `format` of the metadata a processor driver stores with each checkpoint. */
export const DRIVER_METADATA_FORMAT = 'statebackend-driver';

/**
 * What a processor driver stores with each checkpoint, besides the state: where to resume the
 * source and the event-time progress, so that a restored job continues exactly where the
 * checkpoint was taken.
 */
export interface DriverMetadata {
  /** Records consumed from the start of the stream up to the checkpoint, across restarts. */
  readonly offset: number;
  /** The caller's source position after the last record of the checkpoint; undefined before the first. */
  readonly position: JsonValue | undefined;
  /** The watermark emitted last; `-Infinity` before the first. */
  readonly watermark: number;
  /** The watermark the records implied last (the TTL clock in event time); `-Infinity` before the first. */
  readonly dataWatermark: number;
  /** The highest record timestamp seen; `-Infinity` before the first. */
  readonly maxTimestamp: number;
}

/** The metadata of a fresh start. */
export const INITIAL_DRIVER_METADATA: DriverMetadata = Object.freeze({
  offset: 0,
  position: undefined,
  watermark: Number.NEGATIVE_INFINITY,
  dataWatermark: Number.NEGATIVE_INFINITY,
  maxTimestamp: Number.NEGATIVE_INFINITY,
});

/** As JSON (which has no infinities: `null` stands for `-Infinity`). */
export function encodeDriverMetadata(metadata: DriverMetadata): JsonValue {
  const time = (t: number): JsonValue => (Number.isFinite(t) ? t : null);
  return {
    format: DRIVER_METADATA_FORMAT,
    version: 1,
    offset: metadata.offset,
    ...(metadata.position === undefined ? {} : { position: metadata.position }),
    watermark: time(metadata.watermark),
    dataWatermark: time(metadata.dataWatermark),
    maxTimestamp: time(metadata.maxTimestamp),
  };
}

/**
 * Reads metadata written by {@link encodeDriverMetadata}; undefined for anything else (state
 * restored from a checkpoint or savepoint that some other program wrote), which restores the
 * state but starts the source from its beginning.
 */
export function decodeDriverMetadata(json: JsonValue | undefined): DriverMetadata | undefined {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const record = json as { readonly [key: string]: JsonValue };
  if (record.format !== DRIVER_METADATA_FORMAT || record.version !== 1) return undefined;
  const offset = record.offset;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return undefined;
  const time = (value: JsonValue | undefined): number =>
    typeof value === 'number' ? value : Number.NEGATIVE_INFINITY;
  return {
    offset,
    position: record.position,
    watermark: time(record.watermark),
    dataWatermark: time(record.dataWatermark),
    maxTimestamp: time(record.maxTimestamp),
  };
}
