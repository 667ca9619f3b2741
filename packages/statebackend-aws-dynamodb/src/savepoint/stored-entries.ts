import type { CheckpointedState, KeyGroupEntryWriter, RawEntry } from '@statebackend/aws-base/spi';
import { listElements } from '../backend/stored-value-codec.js';
import type { VisibleEntry } from '../store/key-group-reader.js';

/**
 * What the keyed backend stores (see `stored-value-codec.ts`) and what the canonical savepoint
 * format holds, translated at the byte level, without the job's serializers: a value or map entry
 * is the serializer's bytes, after the last-access time (f64) when the state has TTL; a list is
 * one item: element count (u32), then each element's length (u32) and bytes, each element stored
 * like a value. Savepoints hold a list's elements as consecutive entries and the TTL timestamp
 * beside the value.
 */
export interface StateShape {
  readonly state: CheckpointedState;
  readonly index: number;
  readonly list: boolean;
  /** The TTL in milliseconds, when the state has one. */
  readonly ttlMs: number | undefined;
  readonly cleanupFullSnapshot: boolean;
}

export function shapeOf(state: CheckpointedState, index: number): StateShape {
  const ttlMs = typeof state.ttl?.ttl === 'number' ? state.ttl.ttl : undefined;
  return {
    state,
    index,
    list: state.kind === 'list',
    ttlMs,
    cleanupFullSnapshot: state.ttl?.cleanupFullSnapshot === true,
  };
}

/**
 * Writes a stored entry as savepoint entries; with `dropExpired`, leaves out what expired at
 * `now` when the state asks for cleanup in full snapshots. Returns the number written.
 */
export function writeStoredEntry(
  shape: StateShape,
  entry: VisibleEntry,
  out: KeyGroupEntryWriter,
  dropExpired: boolean,
  now: number,
): number {
  const write = (element: Uint8Array): number => {
    let value = element;
    let lastAccess: number | undefined;
    if (shape.ttlMs !== undefined) {
      lastAccess = new DataView(element.buffer, element.byteOffset, element.byteLength).getFloat64(0);
      value = element.subarray(8);
      if (dropExpired && shape.cleanupFullSnapshot && lastAccess + shape.ttlMs <= now) return 0;
    }
    out.writeEntry(shape.index, entry.key, entry.namespace, entry.mapKey, value, lastAccess);
    return 1;
  };
  if (!shape.list) return write(entry.value);
  let written = 0;
  for (const element of listElements(entry.value)) written += write(element);
  return written;
}

/** A savepoint entry's value as stored: with its TTL timestamp in front when the state has TTL. */
export function storedValueOf(shape: StateShape, entry: RawEntry): Uint8Array {
  if (shape.ttlMs === undefined) return entry.value.slice();
  const out = new Uint8Array(8 + entry.value.length);
  new DataView(out.buffer).setFloat64(0, entry.ttlTimestamp ?? 0);
  out.set(entry.value, 8);
  return out;
}
