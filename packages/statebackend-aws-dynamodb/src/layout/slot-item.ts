import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** One version of an entry in a writer's slot. */
export interface Version {
  /** The writer's interval (generation) that wrote it; 1 is the first after a claim. */
  readonly gen: number;
  /** Serialized value; undefined for a deletion (tombstone). */
  readonly value: Uint8Array | undefined;
  /** When the value expires (state TTL), milliseconds since the epoch. */
  readonly expiresAt: number | undefined;
}

/**
 * One data item: the newest version one writer epoch wrote, and the version its last complete
 * checkpoint needs when the newest one is not covered by it yet.
 */
export interface SlotItem {
  readonly cur: Version;
  readonly prev: Version | undefined;
}

/** DynamoDB's item limit (400 KB), names and values together. */
export const ITEM_LIMIT_BYTES = 400 * 1024;
/** Room for attribute names, numbers and the type bytes of one item. */
const ATTRIBUTE_OVERHEAD = 160;

/**
 * The largest serialized value an entry can hold: half of what an item keeps after its keys, as
 * each item may carry the previous checkpointed version beside the newest.
 */
export function valueLimit(pk: Uint8Array, sk: Uint8Array): number {
  return Math.floor((ITEM_LIMIT_BYTES - 4 - pk.length - sk.length - ATTRIBUTE_OVERHEAD) / 2);
}

/** The item to put for `slot`, with the native-TTL attribute when every version expires. */
export function toItem(pk: Uint8Array, sk: Uint8Array, slot: SlotItem): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    pk: { B: pk },
    sk: { B: sk },
    g: { N: String(slot.cur.gen) },
  };
  if (slot.cur.value !== undefined) item.v = { B: slot.cur.value };
  if (slot.cur.expiresAt !== undefined) item.x = { N: String(slot.cur.expiresAt) };
  const prev = slot.prev;
  if (prev !== undefined) {
    item.pg = { N: String(prev.gen) };
    if (prev.value !== undefined) item.pv = { B: prev.value };
    if (prev.expiresAt !== undefined) item.px = { N: String(prev.expiresAt) };
  }
  const ttl = itemExpiry(slot);
  if (ttl !== undefined) item.ttl = { N: String(Math.ceil(ttl / 1000)) };
  return item;
}

// DynamoDB may delete the item once every version in it has expired, never earlier.
function itemExpiry(slot: SlotItem): number | undefined {
  const versions = slot.prev === undefined ? [slot.cur] : [slot.cur, slot.prev];
  let latest = 0;
  for (const version of versions) {
    if (version.value !== undefined && version.expiresAt === undefined) return undefined;
    latest = Math.max(latest, version.expiresAt ?? 0);
  }
  return latest === 0 ? undefined : latest;
}

/** Reads a data item written by {@link toItem}. */
export function fromItem(item: Record<string, AttributeValue>): SlotItem {
  const cur: Version = { gen: numberOf(item.g), value: item.v?.B, expiresAt: optionalNumber(item.x) };
  const prev: Version | undefined =
    item.pg === undefined
      ? undefined
      : { gen: numberOf(item.pg), value: item.pv?.B, expiresAt: optionalNumber(item.px) };
  return { cur, prev };
}

export function numberOf(value: AttributeValue | undefined): number {
  return value?.N === undefined ? 0 : Number(value.N);
}

function optionalNumber(value: AttributeValue | undefined): number | undefined {
  return value?.N === undefined ? undefined : Number(value.N);
}
