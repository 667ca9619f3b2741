import { StateBackendError } from '../../errors.js';
import { ByteReader } from './byte-reader.js';
import {
  ENTRY_HAS_TTL,
  ENTRY_HAS_USER_KEY,
  ENTRY_IS_TOMBSTONE,
  type RawEntry,
} from './key-group-file-format.js';

const EMPTY = new Uint8Array(0);

const failVerified = (reason: string): never => {
  throw new StateBackendError(`A verified key-group block failed to decode (${reason}); this is a bug.`);
};

/**
 * Calls `visit` for each of the `entries` entries of a block that the reader already verified
 * (checksum and structure, see `KeyGroupFileReader.forEachBlock`). The entry object and the views
 * in it are reused between calls; the views point into `bytes`, which is never changed.
 */
export function decodeVerifiedBlock(
  bytes: Uint8Array,
  entries: number,
  keyGroup: number,
  visit: (keyGroup: number, entry: RawEntry) => void,
): void {
  const reader = new ByteReader(bytes, failVerified);
  const entry: RawEntry = {
    stateIndex: 0,
    key: bytes,
    namespace: bytes,
    userKey: undefined,
    value: bytes,
    ttlTimestamp: undefined,
    tombstone: false,
  };
  for (let i = 0; i < entries; i++) {
    const flags = reader.readU8();
    entry.stateIndex = reader.readVarUint();
    entry.key = reader.readLengthPrefixed();
    entry.namespace = reader.readLengthPrefixed();
    if (flags & ENTRY_IS_TOMBSTONE) {
      entry.userKey = undefined;
      entry.value = EMPTY;
      entry.ttlTimestamp = undefined;
      entry.tombstone = true;
      visit(keyGroup, entry);
      continue;
    }
    entry.tombstone = false;
    entry.userKey = flags & ENTRY_HAS_USER_KEY ? reader.readLengthPrefixed() : undefined;
    entry.value = reader.readLengthPrefixed();
    entry.ttlTimestamp = flags & ENTRY_HAS_TTL ? reader.readU64() : undefined;
    visit(keyGroup, entry);
  }
}

/**
 * Like {@link decodeVerifiedBlock} for the plain cells of one state (no map key, no TTL, no
 * tombstone; the namespace is skipped), without an entry object or a view per field: calls `cell`
 * with where each cell's key and value bytes are in `bytes`, skipping the entries of other states.
 * Returns false, having visited only some cells, at the first entry of the state that is not such
 * a cell or whose key is 128 bytes or longer: the caller then decodes the block the general way.
 */
export function decodeValueCellsDirect(
  bytes: Uint8Array,
  entries: number,
  stateIndex: number,
  cell: (keyStart: number, keyLength: number, valueStart: number, valueLength: number) => void,
): boolean {
  let p = 0;
  for (let i = 0; i < entries; i++) {
    const flags = bytes[p++] as number;
    let index = bytes[p] as number;
    if (index < 0x80) p++;
    else ({ value: index, next: p } = readVarUint(bytes, p));
    const keyLength = bytes[p] as number;
    if (keyLength >= 0x80 || flags !== 0 || index !== stateIndex) {
      // A long key, another state's entry or a cell this does not read: the general way.
      if (index === stateIndex) return false;
      p = skipEntry(bytes, p, flags);
      continue;
    }
    const keyStart = p + 1;
    p = skipField(bytes, keyStart + keyLength); // the namespace
    let valueLength = bytes[p] as number;
    if (valueLength < 0x80) p++;
    else ({ value: valueLength, next: p } = readVarUint(bytes, p));
    cell(keyStart, keyLength, p, valueLength);
    p += valueLength;
  }
  if (p !== bytes.length) failVerified(`${bytes.length - p} bytes after its last entry`);
  return true;
}

function readVarUint(bytes: Uint8Array, position: number): { value: number; next: number } {
  let value = 0;
  let multiplier = 1;
  let p = position;
  for (let i = 0; i < 8; i++) {
    const byte = bytes[p++];
    if (byte === undefined) break;
    value += (byte & 0x7f) * multiplier;
    if (byte < 0x80) return { value, next: p };
    multiplier *= 0x80;
  }
  return failVerified(`a varint at byte ${position} does not end`);
}

/** The position after the length-prefixed field at `position`. */
function skipField(bytes: Uint8Array, position: number): number {
  const length = bytes[position] as number;
  if (length < 0x80) return position + 1 + length;
  const { value, next } = readVarUint(bytes, position);
  return next + value;
}

/** The position after the rest of an entry whose flags and state index were read. */
function skipEntry(bytes: Uint8Array, position: number, flags: number): number {
  let p = skipField(bytes, skipField(bytes, position)); // key, namespace
  if (flags & ENTRY_IS_TOMBSTONE) return p;
  if (flags & ENTRY_HAS_USER_KEY) p = skipField(bytes, p);
  p = skipField(bytes, p);
  return flags & ENTRY_HAS_TTL ? p + 8 : p;
}
