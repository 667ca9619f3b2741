import { ancestorsOf, type LineageEntry } from '../checkpoint/lineage.js';
import { bucketOf, bytesId, type CellRef, mapCellPrefix } from '../layout/item-key.js';
import type { CacheEntry } from './entry-cache.js';
import { forEachEntrySlots } from './key-group-reader.js';
import { resolveSlots } from './visibility.js';
import type { WriterScope } from './writer-scope.js';

/**
 * Every entry of a map cell: one Query over the cell's sort-key prefix returns every slot of
 * every entry; each entry resolves as a point read would (through `lineage`), and the cell's
 * entries the cache holds (`cached`, which may be newer than DynamoDB, taken when the Query is
 * done) are laid over the result. Ordered by the map key's sort-key bytes.
 */
export async function readMapCell(
  scope: Pick<WriterScope, 'io' | 'scopeBytes' | 'maxParallelism' | 'buckets' | 'epoch'>,
  lineage: readonly LineageEntry[],
  cached: () => readonly CacheEntry[],
  cell: CellRef,
): Promise<[Uint8Array, Uint8Array][]> {
  const ancestors = ancestorsOf(lineage, cell.keyGroup);
  const result = new Map<string, [Uint8Array, Uint8Array | undefined]>();
  const bucket = bucketOf(cell.key, scope.maxParallelism, scope.buckets);
  await forEachEntrySlots(
    scope,
    cell.keyGroup,
    bucket,
    (decoded, slots) => {
      if (decoded.mapKey === undefined) return;
      const resolved = resolveSlots(slots.get(scope.epoch), ancestors, (epoch) => slots.get(epoch));
      result.set(bytesId(decoded.prefix), [decoded.mapKey, resolved.value]);
    },
    mapCellPrefix(cell),
  );
  for (const entry of cached()) {
    const mapKey = entry.ref.mapKey;
    if (mapKey !== undefined) result.set(bytesId(entry.prefix), [mapKey, entry.value]);
  }
  const entries: [string, Uint8Array, Uint8Array][] = [];
  for (const [id, [mapKey, value]] of result) if (value !== undefined) entries.push([id, mapKey, value]);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return entries.map(([, mapKey, value]) => [mapKey, value]);
}
