import { type RegisteredKeyedState, type TtlValue, ttlValue } from '@statebackend/aws-base/spi';

/**
 * What a keyed backend hands a store is opaque: the user's value, or with TTL a `TtlValue`
 * wrapping it. Here it becomes bytes: the serializer's bytes, preceded by the last access time
 * (f64) when the state has a TTL.
 */
export function encodeStored(state: RegisteredKeyedState, stored: unknown): Uint8Array {
  if (state.ttl === undefined) return state.serializer.serialize(stored);
  const wrapped = stored as TtlValue<unknown>;
  const value = state.serializer.serialize(wrapped.userValue);
  const out = new Uint8Array(8 + value.length);
  new DataView(out.buffer).setFloat64(0, wrapped.lastAccessTimestamp);
  out.set(value, 8);
  return out;
}

/**
 * {@link encodeStored} into bytes that may be valid only until the serializer's next call (its
 * `serializeTransient`, when it has one, without TTL): for a caller that copies them at once.
 */
export function encodeStoredTransient(state: RegisteredKeyedState, stored: unknown): Uint8Array {
  const serializer = state.serializer;
  if (state.ttl !== undefined || serializer.serializeTransient === undefined) {
    return encodeStored(state, stored);
  }
  return serializer.serializeTransient(stored);
}

export function decodeStored(state: RegisteredKeyedState, bytes: Uint8Array): unknown {
  if (state.ttl === undefined) return state.serializer.deserialize(bytes);
  const lastAccess = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat64(0);
  return ttlValue(state.serializer.deserialize(bytes.subarray(8)), lastAccess);
}

/** When DynamoDB's native TTL may delete the value: last access + TTL; undefined without TTL. */
export function expiryOf(state: RegisteredKeyedState, stored: unknown): number | undefined {
  if (state.ttl === undefined) return undefined;
  return (stored as TtlValue<unknown>).lastAccessTimestamp + state.ttl.ttl;
}

/** A list cell as one value: element count (u32), then each element's length (u32) and bytes. */
export function encodeList(state: RegisteredKeyedState, elements: readonly unknown[]): Uint8Array {
  return storedListOf(elements.map((element) => encodeStored(state, element)));
}

export function decodeList(state: RegisteredKeyedState, bytes: Uint8Array): unknown[] {
  return listElements(bytes).map((element) => decodeStored(state, element));
}

/** The elements of a stored list, as views into `bytes`. */
export function listElements(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0);
  const elements: Uint8Array[] = [];
  let at = 4;
  for (let i = 0; i < count; i++) {
    const length = view.getUint32(at);
    elements.push(bytes.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return elements;
}

/** Stored elements as one stored list (see {@link encodeList}). */
export function storedListOf(elements: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(4 + elements.reduce((sum, e) => sum + 4 + e.length, 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, elements.length);
  let at = 4;
  for (const element of elements) {
    view.setUint32(at, element.length);
    out.set(element, at + 4);
    at += 4 + element.length;
  }
  return out;
}

/** The latest expiry of a list's elements (the item may go once all have expired). */
export function listExpiry(state: RegisteredKeyedState, elements: readonly unknown[]): number | undefined {
  if (state.ttl === undefined) return undefined;
  let latest = 0;
  for (const element of elements) latest = Math.max(latest, expiryOf(state, element) ?? 0);
  return latest;
}
