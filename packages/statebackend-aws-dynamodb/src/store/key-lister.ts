import { ancestorsOf, type LineageEntry } from '../checkpoint/lineage.js';
import { forEachParallel } from '../io/parallel.js';
import { bytesId, dataPartitionKey } from '../layout/item-key.js';
import type { CacheEntry } from './entry-cache.js';
import { forEachEntrySlots } from './key-group-reader.js';
import { resolveSlots } from './visibility.js';
import type { WriterScope } from './writer-scope.js';

const encoder = new TextEncoder();

/**
 * The keys that hold any entry of state `state` in `namespace`: a Query per partition of the
 * owner's key groups (never a Scan), each entry resolved as a read would (through `lineage`),
 * with the cached entries (`cached`, taken when the Queries are done) laid over. Each key once,
 * in no particular order.
 */
export async function listKeys(
  scope: Pick<WriterScope, 'io' | 'scopeBytes' | 'keyGroupRange' | 'buckets' | 'epoch'>,
  lineage: readonly LineageEntry[],
  cached: () => Iterable<CacheEntry>,
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
  for (let kg = scope.keyGroupRange.startKeyGroup; kg <= scope.keyGroupRange.endKeyGroup; kg++) {
    for (let bucket = 0; bucket < scope.buckets; bucket++) partitions.push([kg, bucket]);
  }
  await forEachParallel(partitions, 8, async ([keyGroup, bucket]) => {
    const pk = bytesId(dataPartitionKey(scope.scopeBytes, keyGroup, bucket));
    const ancestors = ancestorsOf(lineage, keyGroup);
    await forEachEntrySlots(
      scope,
      keyGroup,
      bucket,
      (decoded, slots) => {
        if (decoded.state !== state || bytesId(decoded.namespace) !== namespaceId) return;
        const resolved = resolveSlots(slots.get(scope.epoch), ancestors, (epoch) => slots.get(epoch));
        entries.set(pk + bytesId(decoded.prefix), [decoded.key, resolved.value !== undefined]);
      },
      prefix,
    );
  });
  for (const entry of cached()) {
    if (entry.ref.state !== state || bytesId(entry.ref.namespace) !== namespaceId) continue;
    entries.set(bytesId(entry.pk) + bytesId(entry.prefix), [entry.ref.key, entry.value !== undefined]);
  }
  const keys = new Map<string, Uint8Array>();
  for (const [key, present] of entries.values()) if (present) keys.set(bytesId(key), key);
  return [...keys.values()];
}
