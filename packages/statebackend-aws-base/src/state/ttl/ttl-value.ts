/**
 * A stored value with the timestamp of its last access, as Flink's `TtlValue`. Immutable: a
 * refresh stores a new one, so a snapshot holding the old one never changes.
 */
export interface TtlValue<T> {
  readonly userValue: T;
  readonly lastAccessTimestamp: number;
}

/** Wraps a value with its access time. */
export function ttlValue<T>(userValue: T, lastAccessTimestamp: number): TtlValue<T> {
  return { userValue, lastAccessTimestamp };
}

/**
 * True when a value last accessed at `lastAccessTimestamp` has expired at `now`: expiry is
 * `lastAccessTimestamp + ttl`, and a value is expired from that instant on (as Flink's
 * `TtlUtils.expired`).
 */
export function isExpired(value: TtlValue<unknown>, ttl: number, now: number): boolean {
  return value.lastAccessTimestamp + ttl <= now;
}
