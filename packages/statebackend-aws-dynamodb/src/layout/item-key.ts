import { keyGroupHash } from '@statebackend/aws-base/spi';

/**
 * The address of one logical state entry: a value/list cell, or one entry of a map cell. Every
 * part is serialized bytes; nothing is ever turned into text with `toString()`.
 */
export interface EntryRef {
  readonly state: string;
  readonly keyGroup: number;
  readonly key: Uint8Array;
  readonly namespace: Uint8Array;
  /** Present for a map entry. */
  readonly mapKey?: Uint8Array | undefined;
}

/** A map cell: every entry under (state, key, namespace). */
export type CellRef = Omit<EntryRef, 'mapKey'>;

const DATA = 0x01;
const META = 0x02;
const CELL = 0x00;
const MAP_ENTRY = 0x01;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Partition key of a data partition: scope, 0x00, 0x01, key group (u16), bucket (u8). */
export function dataPartitionKey(scope: Uint8Array, keyGroup: number, bucket: number): Uint8Array {
  const pk = new Uint8Array(scope.length + 5);
  pk.set(scope, 0);
  pk[scope.length + 1] = DATA;
  pk[scope.length + 2] = keyGroup >>> 8;
  pk[scope.length + 3] = keyGroup & 0xff;
  pk[scope.length + 4] = bucket;
  return pk;
}

/** Partition key of the scope's claims and commit records. */
export function metaPartitionKey(scope: Uint8Array): Uint8Array {
  const pk = new Uint8Array(scope.length + 2);
  pk.set(scope, 0);
  pk[scope.length + 1] = META;
  return pk;
}

/** The scope whose meta partition `pk` is, or undefined for any other partition key. */
export function scopeOfMetaPartitionKey(pk: Uint8Array): string | undefined {
  const at = pk.length - 2;
  if (at < 1 || pk[at] !== 0x00 || pk[at + 1] !== META) return undefined;
  // A scope has no 0x00 byte; a data partition key can end like a meta one, but has one earlier.
  if (pk.subarray(0, at).includes(0x00)) return undefined;
  try {
    return decoder.decode(pk.subarray(0, at));
  } catch {
    return undefined;
  }
}

/** Scope bytes; a 0x00 byte would make partition keys ambiguous, so callers validate first. */
export function scopeBytes(scope: string): Uint8Array {
  return encoder.encode(scope);
}

/**
 * The bucket of a key inside its key group. Uses hash bits above those the key group takes, so
 * a key group's keys spread over `buckets` partitions.
 */
export function bucketOf(key: Uint8Array, maxParallelism: number, buckets: number): number {
  if (buckets <= 1) return 0;
  return Math.floor(keyGroupHash(key) / maxParallelism) % buckets;
}

/** Where a store's entries go: its scope and how its key groups split into partitions. */
export interface TableLayout {
  readonly scopeBytes: Uint8Array;
  readonly maxParallelism: number;
  readonly buckets: number;
}

/** Where an entry lives in the table: its partition key and its sort key without the epoch. */
export interface EntryAddress {
  readonly pk: Uint8Array;
  readonly prefix: Uint8Array;
}

/** The partition of a cell's entries. */
export function partitionOf(layout: TableLayout, ref: CellRef): Uint8Array {
  return dataPartitionKey(
    layout.scopeBytes,
    ref.keyGroup,
    bucketOf(ref.key, layout.maxParallelism, layout.buckets),
  );
}

/** The address of an entry. */
export function entryAddress(layout: TableLayout, ref: EntryRef): EntryAddress {
  return { pk: partitionOf(layout, ref), prefix: entryPrefix(ref) };
}

/** The sort-key prefix every slot of `ref` shares (everything but the epoch). */
export function entryPrefix(ref: EntryRef): Uint8Array {
  const name = encoder.encode(ref.state);
  const mapKey = ref.mapKey;
  const size =
    2 +
    name.length +
    4 +
    ref.key.length +
    4 +
    ref.namespace.length +
    1 +
    (mapKey === undefined ? 0 : 4 + mapKey.length);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = writeCellPrefix(out, view, name, ref);
  out[at++] = mapKey === undefined ? CELL : MAP_ENTRY;
  if (mapKey !== undefined) {
    view.setUint32(at, mapKey.length);
    out.set(mapKey, at + 4);
    at += 4 + mapKey.length;
  }
  return out;
}

/** The sort-key prefix of every entry of a map cell. */
export function mapCellPrefix(ref: CellRef): Uint8Array {
  const name = encoder.encode(ref.state);
  const out = new Uint8Array(2 + name.length + 4 + ref.key.length + 4 + ref.namespace.length + 1);
  const at = writeCellPrefix(out, new DataView(out.buffer), name, ref);
  out[at] = MAP_ENTRY;
  return out;
}

function writeCellPrefix(out: Uint8Array, view: DataView, name: Uint8Array, ref: CellRef): number {
  view.setUint16(0, name.length);
  out.set(name, 2);
  let at = 2 + name.length;
  view.setUint32(at, ref.key.length);
  out.set(ref.key, at + 4);
  at += 4 + ref.key.length;
  view.setUint32(at, ref.namespace.length);
  out.set(ref.namespace, at + 4);
  return at + 4 + ref.namespace.length;
}

/** The bytes a slot's sort key adds to its entry prefix: the epoch. */
export const SLOT_EPOCH_BYTES = 4;

/** The full sort key: the entry prefix and the writer's epoch (u32), its slot. */
export function slotSortKey(prefix: Uint8Array, epoch: number): Uint8Array {
  // Big-endian, as DataView.setUint32 writes it; without a DataView per key (a flush makes thousands).
  const at = prefix.length;
  const sk = new Uint8Array(at + SLOT_EPOCH_BYTES);
  sk.set(prefix, 0);
  sk[at] = epoch >>> 24;
  sk[at + 1] = (epoch >>> 16) & 0xff;
  sk[at + 2] = (epoch >>> 8) & 0xff;
  sk[at + 3] = epoch & 0xff;
  return sk;
}

/** What a data item's sort key says. */
export interface DecodedSortKey {
  readonly state: string;
  readonly key: Uint8Array;
  readonly namespace: Uint8Array;
  readonly mapKey: Uint8Array | undefined;
  readonly epoch: number;
  /** The sort key without the epoch: equal for every slot of one logical entry. */
  readonly prefix: Uint8Array;
}

/** Decodes a data sort key written by {@link slotSortKey}. */
export function decodeSortKey(sk: Uint8Array): DecodedSortKey {
  const view = new DataView(sk.buffer, sk.byteOffset, sk.byteLength);
  const nameLength = view.getUint16(0);
  const state = decoder.decode(sk.subarray(2, 2 + nameLength));
  let at = 2 + nameLength;
  const keyLength = view.getUint32(at);
  const key = sk.slice(at + 4, at + 4 + keyLength);
  at += 4 + keyLength;
  const nsLength = view.getUint32(at);
  const namespace = sk.slice(at + 4, at + 4 + nsLength);
  at += 4 + nsLength;
  const type = sk[at++];
  let mapKey: Uint8Array | undefined;
  if (type === MAP_ENTRY) {
    const length = view.getUint32(at);
    mapKey = sk.slice(at + 4, at + 4 + length);
    at += 4 + length;
  }
  return { state, key, namespace, mapKey, epoch: view.getUint32(at), prefix: sk.slice(0, at) };
}

/** Bytes as a string, one character per byte: a map key for in-memory indexes. */
export function bytesId(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
