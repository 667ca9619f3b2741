import { ancestorsOf } from '../checkpoint/lineage.js';
import { forEachParallel } from '../io/parallel.js';
import { bytesId, dataPartitionKey } from '../layout/item-key.js';
import { forEachEntrySlots } from './key-group-reader.js';
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
  const partitions: [number, number][] = [];
  for (let kg = ctx.keyGroupRange.startKeyGroup; kg <= ctx.keyGroupRange.endKeyGroup; kg++) {
    for (let bucket = 0; bucket < ctx.buckets; bucket++) partitions.push([kg, bucket]);
  }
  await forEachParallel(partitions, 8, async ([keyGroup, bucket]) => {
    const pk = bytesId(dataPartitionKey(ctx.scopeBytes, keyGroup, bucket));
    const ancestors = ancestorsOf(ctx.lineage, keyGroup);
    await forEachEntrySlots(
      ctx,
      keyGroup,
      bucket,
      (decoded, slots) => {
        if (decoded.state !== state || bytesId(decoded.namespace) !== namespaceId) return;
        const resolved = resolveSlots(slots.get(ctx.epoch), ancestors, (epoch) => slots.get(epoch));
        entries.set(pk + bytesId(decoded.prefix), [decoded.key, resolved.value !== undefined]);
      },
      prefix,
    );
  });
  for (const entry of ctx.cache.all()) {
    if (entry.ref.state !== state || bytesId(entry.ref.namespace) !== namespaceId) continue;
    entries.set(bytesId(entry.pk) + bytesId(entry.prefix), [entry.ref.key, entry.value !== undefined]);
  }
  const keys = new Map<string, Uint8Array>();
  for (const [key, present] of entries.values()) if (present) keys.set(bytesId(key), key);
  return [...keys.values()];
}
