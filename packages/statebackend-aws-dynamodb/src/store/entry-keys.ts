import {
  bucketOf,
  bytesId,
  type CellRef,
  dataPartitionKey,
  type EntryRef,
  entryPrefix,
  mapCellPrefix,
} from '../layout/item-key.js';
import type { StoreContext } from './store-context.js';

/** Separates the partition key from the sort-key prefix in an entry id; no byte maps to it. */
const SEPARATOR = '\u0100';

/** Where an entry lives: its partition key, its sort-key prefix and its cache id. */
export interface EntryAddress {
  readonly pk: Uint8Array;
  readonly prefix: Uint8Array;
  readonly id: string;
}

export function partitionOf(ctx: StoreContext, ref: CellRef): Uint8Array {
  return dataPartitionKey(ctx.scopeBytes, ref.keyGroup, bucketOf(ref.key, ctx.maxParallelism, ctx.buckets));
}

export function addressOf(ctx: StoreContext, ref: EntryRef): EntryAddress {
  const pk = partitionOf(ctx, ref);
  const prefix = entryPrefix(ref);
  return { pk, prefix, id: bytesId(pk) + SEPARATOR + bytesId(prefix) };
}

/** The id of a map cell, for the cache's per-cell index. */
export function cellIdOf(ctx: StoreContext, ref: CellRef): string {
  return bytesId(partitionOf(ctx, ref)) + SEPARATOR + bytesId(mapCellPrefix(ref));
}
