import { ancestorsOf } from '../checkpoint/lineage.js';
import { forEachParallel } from '../io/parallel.js';
import { bytesId, dataPartitionKey, decodeSortKey } from '../layout/item-key.js';
import { fromItem, type SlotItem } from '../layout/slot-item.js';
import type { StoreContext } from './store-context.js';
import { resolveSlots } from './visibility.js';

const encoder = new TextEncoder();

/**
 * The keys that hold any entry of state `state` in `namespace`: a Query per partition of the
 * owner's key groups (never a Scan), each entry resolved as a read would, with cached entries
 * laid over. Each key once, in no particular order.
 */
export async function listKeys(
  ctx: StoreContext,
  state: string,
  namespace: Uint8Array,
): Promise<Uint8Array[]> {
  const name = encoder.encode(state);
  const prefix = new Uint8Array(2 + name.length);
  new DataView(prefix.buffer).setUint16(0, name.length);
  prefix.set(name, 2);
  const namespaceId = bytesId(namespace);
  // entry prefix id -> [key, present]
  const entries = new Map<string, [Uint8Array, boolean]>();
  const partitions: [number, Uint8Array][] = [];
  for (let kg = ctx.keyGroupRange.startKeyGroup; kg <= ctx.keyGroupRange.endKeyGroup; kg++) {
    for (let bucket = 0; bucket < ctx.buckets; bucket++)
      partitions.push([kg, dataPartitionKey(ctx.scopeBytes, kg, bucket)]);
  }
  await forEachParallel(partitions, 8, async ([keyGroup, pk]) => {
    const slots = new Map<string, { key: Uint8Array; byEpoch: Map<number, SlotItem> }>();
    for await (const page of ctx.io.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': { B: pk }, ':p': { B: prefix } },
    })) {
      for (const item of page) {
        const sk = item.sk?.B;
        if (sk === undefined) continue;
        const decoded = decodeSortKey(sk);
        if (decoded.state !== state || bytesId(decoded.namespace) !== namespaceId) continue;
        const id = bytesId(pk) + bytesId(decoded.prefix);
        let found = slots.get(id);
        if (found === undefined) {
          found = { key: decoded.key, byEpoch: new Map() };
          slots.set(id, found);
        }
        found.byEpoch.set(decoded.epoch, fromItem(item));
      }
    }
    const ancestors = ancestorsOf(ctx.lineage, keyGroup);
    for (const [id, { key, byEpoch }] of slots) {
      const resolved = resolveSlots(byEpoch.get(ctx.epoch), ancestors, (epoch) => byEpoch.get(epoch));
      entries.set(id, [key, resolved.value !== undefined]);
    }
  });
  for (const entry of ctx.cache.all()) {
    if (entry.ref.state !== state || bytesId(entry.ref.namespace) !== namespaceId) continue;
    entries.set(bytesId(entry.pk) + bytesId(entry.prefix), [entry.ref.key, entry.value !== undefined]);
  }
  const keys = new Map<string, Uint8Array>();
  for (const [key, present] of entries.values()) if (present) keys.set(bytesId(key), key);
  return [...keys.values()];
}
