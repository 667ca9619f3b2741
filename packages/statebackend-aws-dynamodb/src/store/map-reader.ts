import { ancestorsOf } from '../checkpoint/lineage.js';
import { bytesId, type CellRef, decodeSortKey, mapCellPrefix } from '../layout/item-key.js';
import { fromItem, type SlotItem } from '../layout/slot-item.js';
import { cellIdOf, partitionOf } from './entry-keys.js';
import type { StoreContext } from './store-context.js';
import { resolveSlots } from './visibility.js';

/**
 * Every entry of a map cell: one Query over the cell's sort-key prefix returns every slot of
 * every entry; each entry resolves as a point read would, and cached entries (which may be newer
 * than DynamoDB) are laid over the result. Ordered by the map key's sort-key bytes.
 */
export async function readMapCell(ctx: StoreContext, cell: CellRef): Promise<[Uint8Array, Uint8Array][]> {
  const pk = partitionOf(ctx, cell);
  const slots = new Map<string, { mapKey: Uint8Array; byEpoch: Map<number, SlotItem> }>();
  for await (const page of ctx.io.query({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
    ExpressionAttributeValues: { ':pk': { B: pk }, ':p': { B: mapCellPrefix(cell) } },
  })) {
    for (const item of page) {
      const sk = item.sk?.B;
      if (sk === undefined) continue;
      const decoded = decodeSortKey(sk);
      if (decoded.mapKey === undefined) continue;
      const id = bytesId(decoded.prefix);
      let found = slots.get(id);
      if (found === undefined) {
        found = { mapKey: decoded.mapKey, byEpoch: new Map() };
        slots.set(id, found);
      }
      found.byEpoch.set(decoded.epoch, fromItem(item));
    }
  }
  const ancestors = ancestorsOf(ctx.lineage, cell.keyGroup);
  const result = new Map<string, [Uint8Array, Uint8Array | undefined]>();
  for (const [id, { mapKey, byEpoch }] of slots) {
    const resolved = resolveSlots(byEpoch.get(ctx.epoch), ancestors, (epoch) => byEpoch.get(epoch));
    result.set(id, [mapKey, resolved.value]);
  }
  for (const entry of ctx.cache.entriesOfCell(cellIdOf(cell))) {
    const mapKey = entry.ref.mapKey;
    if (mapKey !== undefined) result.set(bytesId(entry.prefix), [mapKey, entry.value]);
  }
  const entries: [string, Uint8Array, Uint8Array][] = [];
  for (const [id, [mapKey, value]] of result) if (value !== undefined) entries.push([id, mapKey, value]);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return entries.map(([, mapKey, value]) => [mapKey, value]);
}
