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
 * One data item: the newest version one writer epoch wrote, and the older versions that
 * checkpoints still restorable need (newest first): for each such checkpoint, the newest version
 * its cutoff covers, when that is not `cur` itself.
 */
export interface SlotItem {
  readonly cur: Version;
  readonly kept: readonly Version[];
}

/** DynamoDB's item limit (400 KB), names and values together. */
export const ITEM_LIMIT_BYTES = 400 * 1024;
/** Room for attribute names, numbers and the type bytes of one item. */
const ATTRIBUTE_OVERHEAD = 160;
/** Per extra kept version in `kx`: generation, expiry, flags and length. */
const EXTRA_VERSION_OVERHEAD = 21;

/** The bytes an item of `pk` and `sk` has for its values, every version together. */
export function valueBudget(pk: Uint8Array, sk: Uint8Array): number {
  return valueBudgetOfKeys(pk.length, sk.length);
}

/** {@link valueBudget} of keys of these lengths, before the keys are made. */
export function valueBudgetOfKeys(pkLength: number, skLength: number): number {
  return ITEM_LIMIT_BYTES - 4 - pkLength - skLength - ATTRIBUTE_OVERHEAD;
}

/** The bytes `slot`'s versions take in an item. */
export function slotValueBytes(slot: SlotItem): number {
  let bytes = slot.cur.value?.length ?? 0;
  slot.kept.forEach((version, i) => {
    bytes += (version.value?.length ?? 0) + (i === 0 ? 0 : EXTRA_VERSION_OVERHEAD);
  });
  return bytes;
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
  const [first, ...more] = slot.kept;
  if (first !== undefined) {
    item.pg = { N: String(first.gen) };
    if (first.value !== undefined) item.pv = { B: first.value };
    if (first.expiresAt !== undefined) item.px = { N: String(first.expiresAt) };
  }
  if (more.length > 0) item.kx = { B: encodeVersions(more) };
  const ttl = itemExpiry(slot);
  if (ttl !== undefined) item.ttl = { N: String(Math.ceil(ttl / 1000)) };
  return item;
}

// DynamoDB may delete the item once every version in it has expired, never earlier.
function itemExpiry(slot: SlotItem): number | undefined {
  let latest = 0;
  for (const version of [slot.cur, ...slot.kept]) {
    if (version.value !== undefined && version.expiresAt === undefined) return undefined;
    latest = Math.max(latest, version.expiresAt ?? 0);
  }
  return latest === 0 ? undefined : latest;
}

/** Reads a data item written by {@link toItem}. */
export function fromItem(item: Record<string, AttributeValue>): SlotItem {
  const cur: Version = { gen: numberOf(item.g), value: item.v?.B, expiresAt: optionalNumber(item.x) };
  if (item.pg === undefined) return { cur, kept: [] };
  const first: Version = { gen: numberOf(item.pg), value: item.pv?.B, expiresAt: optionalNumber(item.px) };
  const more = item.kx?.B === undefined ? [] : decodeVersions(item.kx.B);
  return { cur, kept: [first, ...more] };
}

// gen (f64), expiry (f64, NaN: none), has value (u8), length (u32), bytes
function encodeVersions(versions: readonly Version[]): Uint8Array {
  const out = new Uint8Array(
    versions.reduce((n, v) => n + EXTRA_VERSION_OVERHEAD + (v.value?.length ?? 0), 0),
  );
  const view = new DataView(out.buffer);
  let at = 0;
  for (const version of versions) {
    view.setFloat64(at, version.gen);
    view.setFloat64(at + 8, version.expiresAt ?? Number.NaN);
    view.setUint8(at + 16, version.value === undefined ? 0 : 1);
    view.setUint32(at + 17, version.value?.length ?? 0);
    if (version.value !== undefined) out.set(version.value, at + EXTRA_VERSION_OVERHEAD);
    at += EXTRA_VERSION_OVERHEAD + (version.value?.length ?? 0);
  }
  return out;
}

function decodeVersions(bytes: Uint8Array): Version[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const versions: Version[] = [];
  for (let at = 0; at < bytes.length; ) {
    const expiry = view.getFloat64(at + 8);
    const length = view.getUint32(at + 17);
    const start = at + EXTRA_VERSION_OVERHEAD;
    versions.push({
      gen: view.getFloat64(at),
      value: view.getUint8(at + 16) === 0 ? undefined : bytes.slice(start, start + length),
      expiresAt: Number.isNaN(expiry) ? undefined : expiry,
    });
    at = start + length;
  }
  return versions;
}

export function numberOf(value: AttributeValue | undefined): number {
  return value?.N === undefined ? 0 : Number(value.N);
}

function optionalNumber(value: AttributeValue | undefined): number | undefined {
  return value?.N === undefined ? undefined : Number(value.N);
}
