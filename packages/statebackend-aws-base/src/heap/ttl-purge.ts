import type { StoredMapEntry } from '../backend/state-store.js';
import type { StateKind } from '../state/state.js';
import type { StateTtlConfig } from '../state/ttl/state-ttl-config.js';
import { isExpired, type TtlValue } from '../state/ttl/ttl-value.js';
import { ListContainer, MapContainer } from './containers.js';

/**
 * A stored cell without its expired parts, never changing `stored`: the same reference when
 * nothing expired, `undefined` when everything did, otherwise a new container (at `version`)
 * holding what is left. Used by incremental cleanup and by full snapshots.
 */
export function withoutExpired(
  kind: StateKind,
  stored: unknown,
  ttl: StateTtlConfig,
  now: number,
  version: number,
): unknown {
  if (stored instanceof ListContainer) {
    const live = stored.elements.filter((element) => !isExpired(element as TtlValue<unknown>, ttl.ttl, now));
    if (live.length === stored.elements.length) return stored;
    return live.length === 0 ? undefined : new ListContainer(version, live);
  }
  if (stored instanceof MapContainer) {
    let live: Map<string, StoredMapEntry> | undefined;
    for (const [id, entry] of stored.entries) {
      if (!isExpired(entry[1] as TtlValue<unknown>, ttl.ttl, now)) continue;
      live ??= new Map(stored.entries);
      live.delete(id);
    }
    if (live === undefined) return stored;
    return live.size === 0 ? undefined : new MapContainer(version, live);
  }
  if (kind === 'list' || kind === 'map') return stored;
  return isExpired(stored as TtlValue<unknown>, ttl.ttl, now) ? undefined : stored;
}
