import type { StateTtlConfig } from '../../state/ttl/state-ttl-config.js';
import { isExpired, type TtlValue, ttlValue } from '../../state/ttl/ttl-value.js';
import type { MaybePromise } from '../state-store.js';

/** How a read reaches the one stored TTL value it looks at. */
export interface TtlSlot {
  remove(): MaybePromise<void>;
  write(stored: TtlValue<unknown>): MaybePromise<void>;
}

/**
 * Reads a stored TTL value as Flink's `getWithTtlCheckAndUpdate` does: an expired value is
 * removed, and returned only with `ReturnExpiredIfNotCleanedUp`; a live value is refreshed to
 * `now` with `OnReadAndWrite`. Returns the user value, or undefined.
 */
export async function readThroughTtl(
  stored: TtlValue<unknown> | undefined,
  ttl: StateTtlConfig,
  now: number,
  slot: TtlSlot,
): Promise<unknown> {
  if (stored === undefined) return undefined;
  if (isExpired(stored, ttl.ttl, now)) {
    await slot.remove();
    return ttl.returnExpired ? stored.userValue : undefined;
  }
  if (ttl.refreshOnRead) await slot.write(ttlValue(stored.userValue, now));
  return stored.userValue;
}

/** The user value of a stored TTL value if it has not expired, ignoring visibility (for adds and merges). */
export function unexpiredValue(
  stored: TtlValue<unknown> | undefined,
  ttl: StateTtlConfig,
  now: number,
): unknown {
  return stored === undefined || isExpired(stored, ttl.ttl, now) ? undefined : stored.userValue;
}

/**
 * Splits stored list elements or map entries at `now`: what a read returns (expired ones only
 * with `ReturnExpiredIfNotCleanedUp`), what stays stored (refreshed with `OnReadAndWrite`), and
 * whether the stored form changed.
 */
export function partitionByExpiry<E>(
  items: readonly E[],
  ttlOf: (item: E) => TtlValue<unknown>,
  refresh: (item: E, now: number) => E,
  ttl: StateTtlConfig,
  now: number,
): { visible: E[]; kept: E[]; changed: boolean } {
  const visible: E[] = [];
  const kept: E[] = [];
  let changed = ttl.refreshOnRead && items.length > 0;
  for (const item of items) {
    if (isExpired(ttlOf(item), ttl.ttl, now)) {
      changed = true;
      if (ttl.returnExpired) visible.push(item);
    } else {
      const live = ttl.refreshOnRead ? refresh(item, now) : item;
      visible.push(live);
      kept.push(live);
    }
  }
  return { visible, kept, changed };
}
