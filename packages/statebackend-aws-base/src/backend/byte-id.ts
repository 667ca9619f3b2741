/**
 * Serialized keys, namespaces and map keys become JavaScript strings with one character per
 * byte (latin1), so that in-memory maps compare them by their bytes, never by `toString()` of the
 * original value. The mapping is exact in both directions: two ids are equal exactly when the
 * bytes are.
 */

/** Separates the key id from the namespace id in a cell id; no byte maps to it (> 0xff). */
export const NAMESPACE_SEPARATOR = '\u0100';

// Short ids are built in JS: for a few bytes that beats crossing into native code.
const SHORT = 24;

/** The id of `bytes`: one character (0x00-0xff) per byte. */
export function bytesToId(bytes: Uint8Array): string {
  const length = bytes.length;
  if (length > SHORT) return Buffer.from(bytes.buffer, bytes.byteOffset, length).toString('latin1');
  let id = '';
  for (let i = 0; i < length; i++) id += String.fromCharCode(bytes[i] as number);
  return id;
}

/** The id of the `length` bytes at `start` of `bytes`: {@link bytesToId} without a view of them. */
export function idAt(bytes: Uint8Array, start: number, length: number): string {
  if (length > SHORT) return Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString('latin1');
  let id = '';
  for (let i = start; i < start + length; i++) id += String.fromCharCode(bytes[i] as number);
  return id;
}

/**
 * The id of a string key's bytes, when they are the string's own characters (ASCII strings
 * under UTF-8, the common case): then the key itself is the id and nothing is built.
 */
export function stringKeyId(key: string, bytes: Uint8Array): string {
  const length = bytes.length;
  if (key.length !== length) return bytesToId(bytes);
  for (let i = 0; i < length; i++) {
    if (key.charCodeAt(i) !== bytes[i]) return bytesToId(bytes);
  }
  return key;
}

/** The bytes an id stands for. */
export function idToBytes(id: string): Uint8Array {
  return new Uint8Array(Buffer.from(id, 'latin1'));
}

/** The cell id of a key in a namespace: the key id alone when the state is not namespaced. */
export function cellId(keyId: string, namespaceId: string | undefined): string {
  return namespaceId === undefined ? keyId : keyId + NAMESPACE_SEPARATOR + namespaceId;
}

/** The key id and namespace id of a namespaced cell id. */
export function splitCellId(id: string): { keyId: string; namespaceId: string } {
  const at = id.indexOf(NAMESPACE_SEPARATOR);
  return at < 0 ? { keyId: id, namespaceId: '' } : { keyId: id.slice(0, at), namespaceId: id.slice(at + 1) };
}

/**
 * A serialized value (namespace, map key) whose id is known without its bytes: they are made
 * from the id on first use, for the stores that need them.
 */
export class IdOnlyRef<T> {
  readonly value: T;
  readonly id: string;
  #bytes: Uint8Array | undefined;

  constructor(value: T, id: string) {
    this.value = value;
    this.id = id;
  }

  get bytes(): Uint8Array {
    this.#bytes ??= idToBytes(this.id);
    return this.#bytes;
  }
}
