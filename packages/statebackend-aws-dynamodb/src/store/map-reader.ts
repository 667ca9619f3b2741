import { ancestorsOf } from '../checkpoint/lineage.js';
import { bucketOf, bytesId, type CellRef, mapCellPrefix } from '../layout/item-key.js';
import { cellIdOf } from './entry-keys.js';
import { forEachEntrySlots } from './key-group-reader.js';
import type { StoreContext } from './store-context.js';
import { resolveSlots } from './visibility.js';

/**
 * Every entry of a map cell: one Query over the cell's sort-key prefix returns every slot of
 * every entry; each entry resolves as a point read would, and cached entries (which may be newer
 * than DynamoDB) are laid over the result. Ordered by the map key's sort-key bytes.
 */
export async function readMapCell(ctx: StoreContext, cell: CellRef): Promise<[Uint8Array, Uint8Array][]> {
  const ancestors = ancestorsOf(ctx.lineage, cell.keyGroup);
  const result = new Map<string, [Uint8Array, Uint8Array | undefined]>();
  const bucket = bucketOf(cell.key, ctx.maxParallelism, ctx.buckets);
  await forEachEntrySlots(
    ctx,
    cell.keyGroup,
    bucket,
    (decoded, slots) => {
      if (decoded.mapKey === undefined) return;
      const resolved = resolveSlots(slots.get(ctx.epoch), ancestors, (epoch) => slots.get(epoch));
      result.set(bytesId(decoded.prefix), [decoded.mapKey, resolved.value]);
    },
    mapCellPrefix(cell),
  );
  for (const entry of ctx.cache.entriesOfCell(cellIdOf(cell))) {
    const mapKey = entry.ref.mapKey;
    if (mapKey !== undefined) result.set(bytesId(entry.prefix), [mapKey, entry.value]);
  }
  const entries: [string, Uint8Array, Uint8Array][] = [];
  for (const [id, [mapKey, value]] of result) if (value !== undefined) entries.push([id, mapKey, value]);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return entries.map(([, mapKey, value]) => [mapKey, value]);
}
