import { bytesToId } from '@statebackend/aws-base/spi';
import { bucketOf, type CellRef, dataPartitionKey, type EntryRef, entryPrefix } from '../layout/item-key.js';
import type { StoreContext } from './store-context.js';

/** Separates the parts of an id; ids of bytes are latin1 (one character per byte), never this. */
const SEPARATOR = '\u0100';
const NO_MAP_KEY = '\u0101';

export function partitionOf(ctx: StoreContext, ref: CellRef): Uint8Array {
  return dataPartitionKey(ctx.scopeBytes, ref.keyGroup, bucketOf(ref.key, ctx.maxParallelism, ctx.buckets));
}

/**
 * The cache id of a cell: built from strings of the bytes, without the partition and sort keys,
 * since a cache hit needs neither. The state name goes first with its length, so no two
 * (state, key, namespace) share an id.
 */
export function cellIdOf(ref: CellRef): string {
  return `${ref.state.length}:${ref.state}${SEPARATOR}${bytesToId(ref.key)}${SEPARATOR}${bytesToId(ref.namespace)}`;
}

/** The cache id of an entry: its cell's id and the map key's bytes. */
export function entryIdOf(ref: EntryRef): string {
  return cellIdOf(ref) + SEPARATOR + (ref.mapKey === undefined ? NO_MAP_KEY : bytesToId(ref.mapKey));
}

/** Where an entry lives in the table: its partition key and its sort key without the epoch. */
export interface EntryAddress {
  readonly pk: Uint8Array;
  readonly prefix: Uint8Array;
}

export function addressOf(ctx: StoreContext, ref: EntryRef): EntryAddress {
  return { pk: partitionOf(ctx, ref), prefix: entryPrefix(ref) };
}

/** The map cell an entry belongs to, for the cache's per-cell index; undefined for a value cell. */
export function mapCellOf(ref: EntryRef): string | undefined {
  return ref.mapKey === undefined ? undefined : cellIdOf(ref);
}
