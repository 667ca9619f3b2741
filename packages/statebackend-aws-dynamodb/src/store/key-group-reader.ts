import { ancestorsOf, type LineageEntry } from '../checkpoint/lineage.js';
import type { DynamoIo } from '../io/dynamo-io.js';
import { type DecodedSortKey, dataPartitionKey, decodeSortKey } from '../layout/item-key.js';
import { fromItem, type SlotItem } from '../layout/slot-item.js';
import { resolveSlots } from './visibility.js';

/** One logical entry as a reader sees it: its address and the version visible to it. */
export interface VisibleEntry {
  readonly state: string;
  readonly key: Uint8Array;
  readonly namespace: Uint8Array;
  /** Present for a map entry. */
  readonly mapKey: Uint8Array | undefined;
  readonly value: Uint8Array;
  readonly expiresAt: number | undefined;
}

/** Where a key group's data is, and whose versions a reader sees. */
export interface KeyGroupReadScope {
  readonly io: DynamoIo;
  readonly scopeBytes: Uint8Array;
  readonly buckets: number;
  /** The reader's own slot, whose newest version always wins; undefined for a reader that writes nothing. */
  readonly ownEpoch: number | undefined;
  readonly lineage: readonly LineageEntry[];
}

/**
 * Every present entry of key group `keyGroup`, resolved as a read would resolve it (own slot,
 * then ancestors within their cutoffs): one paged Query per bucket partition, never a Scan.
 * Ordered by sort key, so entries of one state and key are together.
 */
export async function readKeyGroup(scope: KeyGroupReadScope, keyGroup: number): Promise<VisibleEntry[]> {
  const ancestors = ancestorsOf(scope.lineage, keyGroup);
  const perBucket = await Promise.all(
    Array.from({ length: scope.buckets }, (_, bucket) => readPartition(scope, keyGroup, bucket, ancestors)),
  );
  const entries = perBucket.flat();
  entries.sort((a, b) => Buffer.compare(a.prefix, b.prefix));
  return entries.map((e) => e.entry);
}

async function readPartition(
  scope: KeyGroupReadScope,
  keyGroup: number,
  bucket: number,
  ancestors: readonly LineageEntry[],
): Promise<{ prefix: Uint8Array; entry: VisibleEntry }[]> {
  const found: { prefix: Uint8Array; entry: VisibleEntry }[] = [];
  await forEachEntrySlots(scope, keyGroup, bucket, (decoded, slots) => {
    const own = scope.ownEpoch === undefined ? undefined : slots.get(scope.ownEpoch);
    const resolved = resolveSlots(own, ancestors, (epoch) => slots.get(epoch));
    if (resolved.value === undefined) return;
    const { state, key, namespace, mapKey, prefix } = decoded;
    found.push({
      prefix,
      entry: { state, key, namespace, mapKey, value: resolved.value, expiresAt: resolved.expiresAt },
    });
  });
  return found;
}

/**
 * Calls `visit` for every logical entry stored in one bucket partition of `keyGroup`, with the
 * slot items of every writer epoch that holds it (one paged Query, never a Scan), optionally only
 * entries whose sort key starts with `sortKeyPrefix`.
 */
export async function forEachEntrySlots(
  scope: Pick<KeyGroupReadScope, 'io' | 'scopeBytes'>,
  keyGroup: number,
  bucket: number,
  visit: (decoded: DecodedSortKey, slots: ReadonlyMap<number, SlotItem>) => void,
  sortKeyPrefix?: Uint8Array,
): Promise<void> {
  const pk = dataPartitionKey(scope.scopeBytes, keyGroup, bucket);
  const query =
    sortKeyPrefix === undefined
      ? { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { B: pk } } }
      : {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': { B: pk }, ':p': { B: sortKeyPrefix } },
        };
  // Slots of one entry differ only in the epoch at the end of the sort key: they come together.
  let current: DecodedSortKey | undefined;
  let slots = new Map<number, SlotItem>();
  for await (const page of scope.io.query(query)) {
    for (const item of page) {
      const sk = item.sk?.B;
      if (sk === undefined) continue;
      const decoded = decodeSortKey(sk);
      if (current === undefined || Buffer.compare(current.prefix, decoded.prefix) !== 0) {
        if (current !== undefined) visit(current, slots);
        current = decoded;
        slots = new Map();
      }
      slots.set(decoded.epoch, fromItem(item));
    }
  }
  if (current !== undefined) visit(current, slots);
}
