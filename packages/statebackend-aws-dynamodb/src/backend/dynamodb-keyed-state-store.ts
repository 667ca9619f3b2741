import { StateValueTooLargeError } from '@statebackend/aws-base';
import type {
  KeyedStateStore,
  MaybePromise,
  RegisteredKeyedState,
  SerializedRef,
  StateCell,
  StoredMapEntry,
} from '@statebackend/aws-base/spi';
import { KeyTooLargeError } from '../errors.js';
import type { CellRef, EntryRef } from '../layout/item-key.js';
import type { DynamoDbStateStore, EntryKey } from '../store/dynamodb-state-store.js';
import { cellId, entryId, stateIdPart } from '../store/entry-cache.js';
import {
  decodeList,
  decodeStored,
  encodeList,
  encodeStoredTransient,
  expiryOf,
  listExpiry,
} from './stored-value-codec.js';

/** Largest key + namespace + map key: DynamoDB sort keys hold 1,024 bytes, with the state name. */
export const MAX_KEY_BYTES = 896;
const MAX_SORT_KEY_BYTES = 1024;
const SORT_KEY_OVERHEAD = 2 + 4 + 4 + 1 + 4 + 4;

/** What the store keeps per registered state: its id part, its name's size, its decoders. */
interface StateSlot {
  /** The state's part of every cache id (see `stateIdPart`). */
  readonly idPart: string;
  /** Bytes the state name and the sort key's framing take. */
  readonly sortKeyOverhead: number;
  /** One decoder per shape, so the store can keep what it decoded with its entry. */
  readonly value: (bytes: Uint8Array) => unknown;
  readonly list: (bytes: Uint8Array) => unknown;
}

/**
 * An entry of a state cell: its cache id from the cell's byte ids (built when first asked: a value
 * cell of the empty namespace is found in the cache by its key id alone), its bytes only when asked.
 */
class CellKey implements EntryKey {
  readonly plainState: string | undefined;
  readonly plainKeyId: string | undefined;
  readonly #idPart: string;
  readonly #state: string;
  readonly #cell: StateCell;
  readonly #userKey: SerializedRef | undefined;
  #id: string | undefined;

  constructor(idPart: string, state: string, cell: StateCell, userKey: SerializedRef | undefined) {
    const plain = userKey === undefined && cell.namespace.id === '';
    this.plainState = plain ? state : undefined;
    this.plainKeyId = plain ? cell.keyContext.keyId : undefined;
    this.#idPart = idPart;
    this.#state = state;
    this.#cell = cell;
    this.#userKey = userKey;
  }

  get id(): string {
    this.#id ??= entryId(
      cellId(this.#idPart, this.#cell.keyContext.keyId, this.#cell.namespace.id),
      this.#userKey?.id,
    );
    return this.#id;
  }

  /** The entry's bytes: the key context's, the namespace's and the map key's own. */
  ref(): EntryRef {
    const context = this.#cell.keyContext;
    return {
      state: this.#state,
      keyGroup: context.keyGroup,
      key: context.keyBytes,
      namespace: this.#cell.namespace.bytes,
      mapKey: this.#userKey?.bytes,
    };
  }
}

/**
 * The store contract of aws-base over a {@link DynamoDbStateStore}: a cell's value is serialized
 * when written (so a too-large value fails the write itself) and held as bytes in the store's
 * bounded cache, under an id made of the cell's byte ids, so that a cached entry is found without
 * its bytes or its table address.
 */
export class DynamoDbKeyedStateStore implements KeyedStateStore {
  readonly #store: DynamoDbStateStore;
  readonly #maxValueBytes: number;
  readonly #nativeTtl: boolean;
  readonly #states: StateSlot[] = [];

  /**
   * `maxValueBytes` is the largest serialized value a write accepts; with `nativeTtl`, entries carry
   * their expiry for DynamoDB's TTL.
   */
  constructor(store: DynamoDbStateStore, maxValueBytes: number, nativeTtl: boolean) {
    this.#store = store;
    this.#maxValueBytes = maxValueBytes;
    this.#nativeTtl = nativeTtl;
  }

  registerState(state: RegisteredKeyedState): void {
    this.#states[state.index] = {
      idPart: stateIdPart(state.name),
      sortKeyOverhead: Buffer.byteLength(state.name) + SORT_KEY_OVERHEAD,
      value: (bytes) => decodeStored(state, bytes),
      list: (bytes) => decodeList(state, bytes),
    };
  }

  cleanupStep(): void {}

  read(state: RegisteredKeyedState, cell: StateCell): MaybePromise<unknown> {
    return this.#store.readAt(this.#key(state, cell), this.#slot(state).value);
  }

  write(state: RegisteredKeyedState, cell: StateCell, stored: unknown): MaybePromise<void> {
    const key = this.#key(state, cell);
    // The store copies the bytes at once: a serializer's scratch bytes do.
    return this.#put(state, key, encodeStoredTransient(state, stored), expiryOf(state, stored), stored);
  }

  remove(state: RegisteredKeyedState, cell: StateCell): MaybePromise<void> {
    if (state.kind === 'map') return this.#store.clearMap(cellRefOf(state, cell));
    return this.#store.deleteAt(this.#key(state, cell));
  }

  readList(state: RegisteredKeyedState, cell: StateCell): MaybePromise<readonly unknown[] | undefined> {
    return this.#store.readAt(this.#key(state, cell), this.#slot(state).list) as MaybePromise<
      readonly unknown[] | undefined
    >;
  }

  async appendList(
    state: RegisteredKeyedState,
    cell: StateCell,
    elements: readonly unknown[],
  ): Promise<void> {
    const existing = (await this.readList(state, cell)) ?? [];
    await this.writeList(state, cell, [...existing, ...elements]);
  }

  writeList(state: RegisteredKeyedState, cell: StateCell, elements: readonly unknown[]): MaybePromise<void> {
    const key = this.#key(state, cell);
    return this.#put(state, key, encodeList(state, elements), listExpiry(state, elements), elements);
  }

  readEntry(state: RegisteredKeyedState, cell: StateCell, userKey: SerializedRef): MaybePromise<unknown> {
    return this.#store.readAt(this.#key(state, cell, userKey), this.#slot(state).value);
  }

  writeEntry(
    state: RegisteredKeyedState,
    cell: StateCell,
    userKey: SerializedRef,
    stored: unknown,
  ): MaybePromise<void> {
    const key = this.#key(state, cell, userKey);
    // The store copies the bytes at once: a serializer's scratch bytes do.
    return this.#put(state, key, encodeStoredTransient(state, stored), expiryOf(state, stored), stored);
  }

  removeEntry(state: RegisteredKeyedState, cell: StateCell, userKey: SerializedRef): MaybePromise<void> {
    return this.#store.deleteAt(this.#key(state, cell, userKey));
  }

  async readEntries(state: RegisteredKeyedState, cell: StateCell): Promise<readonly StoredMapEntry[]> {
    const userKeys = state.userKeySerializer;
    if (userKeys === undefined) return [];
    const entries = await this.#store.entries(cellRefOf(state, cell));
    return entries.map(
      ([mapKey, value]): StoredMapEntry => [userKeys.deserialize(mapKey), decodeStored(state, value)],
    );
  }

  async *iterateKeys(state: RegisteredKeyedState, namespace: SerializedRef): AsyncGenerator<Uint8Array> {
    yield* await this.#store.keys(state.name, namespace.bytes);
  }

  async dispose(): Promise<void> {
    await this.#store.close();
  }

  /**
   * Stores (a copy of) `bytes`, refusing them before anything changes when they exceed the limit.
   * They may be a serializer's scratch bytes: nothing may serialize before the store copied them.
   */
  #put(
    state: RegisteredKeyedState,
    key: EntryKey,
    bytes: Uint8Array,
    expiresAt: number | undefined,
    decoded: unknown,
  ): MaybePromise<void> {
    const limit = this.#maxValueBytes;
    if (bytes.length > limit) {
      return Promise.reject(new StateValueTooLargeError(state.name, bytes.length, limit, 'DynamoDB item'));
    }
    return this.#store.putAt(key, bytes, this.#nativeTtl ? expiresAt : undefined, decoded);
  }

  #slot(state: RegisteredKeyedState): StateSlot {
    const slot = this.#states[state.index];
    if (slot === undefined) throw new RangeError(`State '${state.name}' is not registered with this store`);
    return slot;
  }

  /**
   * The entry of a cell (and map key), from the byte ids the cell carries: an id is one character
   * per byte, so its length is the bytes'. Throws a `KeyTooLargeError` when they do not fit a sort key.
   */
  #key(state: RegisteredKeyedState, cell: StateCell, userKey?: SerializedRef): CellKey {
    const slot = this.#slot(state);
    const keyId = cell.keyContext.keyId;
    const namespaceId = cell.namespace.id;
    const keyBytes = keyId.length + namespaceId.length + (userKey?.id.length ?? 0);
    if (keyBytes > MAX_KEY_BYTES || keyBytes + slot.sortKeyOverhead > MAX_SORT_KEY_BYTES) {
      throw new KeyTooLargeError(state.name, keyBytes, MAX_KEY_BYTES);
    }
    return new CellKey(slot.idPart, state.name, cell, userKey);
  }
}

/** The map cell of a state cell, by its bytes. */
function cellRefOf(state: RegisteredKeyedState, cell: StateCell): CellRef {
  const context = cell.keyContext;
  return {
    state: state.name,
    keyGroup: context.keyGroup,
    key: context.keyBytes,
    namespace: cell.namespace.bytes,
  };
}
