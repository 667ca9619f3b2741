import type { JsonValue } from '../checkpoint/json.js';
import { KeyGroupRange } from '../keygroup/key-group-range.js';

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
  /**
   * Key groups whose state is ahead of {@link position}, each with the position up to which its
   * records are already applied: after a restore that merged writers checkpointed at different
   * positions, until the source passes them. Absent when every key group is at `position`.
   */
  readonly ahead?: readonly KeyGroupPosition[];
}

/** Key groups whose records are applied up to `position` (the position after the last one). */
export interface KeyGroupPosition {
  readonly keyGroupRange: KeyGroupRange;
  readonly position: JsonValue;
}

/** The metadata of a fresh start. */
export const INITIAL_DRIVER_METADATA: DriverMetadata = Object.freeze({
  offset: 0,
  position: undefined,
  watermark: Number.NEGATIVE_INFINITY,
  dataWatermark: Number.NEGATIVE_INFINITY,
  maxTimestamp: Number.NEGATIVE_INFINITY,
});

/**
 * As JSON (which has no infinities: `null` stands for `-Infinity`). Version 1, or 2 when key
 * groups are {@link DriverMetadata.ahead} (so that a reader that predates it does not resume them
 * from `position` and apply records twice).
 */
export function encodeDriverMetadata(metadata: DriverMetadata): JsonValue {
  const time = (t: number): JsonValue => (Number.isFinite(t) ? t : null);
  const ahead = metadata.ahead ?? [];
  return {
    format: DRIVER_METADATA_FORMAT,
    version: ahead.length === 0 ? 1 : 2,
    offset: metadata.offset,
    ...(metadata.position === undefined ? {} : { position: metadata.position }),
    watermark: time(metadata.watermark),
    dataWatermark: time(metadata.dataWatermark),
    maxTimestamp: time(metadata.maxTimestamp),
    ...(ahead.length === 0
      ? {}
      : {
          ahead: ahead.map(({ keyGroupRange: r, position }) => ({
            start: r.startKeyGroup,
            end: r.endKeyGroup,
            position,
          })),
        }),
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
  if (record.format !== DRIVER_METADATA_FORMAT || (record.version !== 1 && record.version !== 2)) {
    return undefined;
  }
  const offset = record.offset;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return undefined;
  const ahead = record.version === 2 ? decodeAhead(record.ahead) : [];
  if (ahead === undefined) return undefined;
  const time = (value: JsonValue | undefined): number =>
    typeof value === 'number' ? value : Number.NEGATIVE_INFINITY;
  return {
    offset,
    position: record.position,
    watermark: time(record.watermark),
    dataWatermark: time(record.dataWatermark),
    maxTimestamp: time(record.maxTimestamp),
    ...(ahead.length === 0 ? {} : { ahead }),
  };
}

function decodeAhead(json: JsonValue | undefined): KeyGroupPosition[] | undefined {
  if (!Array.isArray(json)) return undefined;
  const ahead: KeyGroupPosition[] = [];
  for (const entry of json as readonly JsonValue[]) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
    const { start, end, position } = entry as { readonly [key: string]: JsonValue };
    const keyGroup = (n: JsonValue | undefined): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
    if (!keyGroup(start) || !keyGroup(end) || start > end || position === undefined) return undefined;
    ahead.push({ keyGroupRange: KeyGroupRange.of(start, end), position });
  }
  return ahead;
}
