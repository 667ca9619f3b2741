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
