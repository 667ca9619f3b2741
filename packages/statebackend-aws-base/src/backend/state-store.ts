import type { KeyContext } from './key-context.js';
import type { RegisteredKeyedState } from './registered-state.js';

/** A value now or later: in-memory stores answer synchronously, remote ones with a promise. */
export type MaybePromise<T> = T | Promise<T>;

/** A serialized namespace or map key: the value, its bytes and its id (the bytes as a string). */
export interface SerializedRef<T = unknown> {
  readonly value: T;
  readonly bytes: Uint8Array;
  readonly id: string;
}

/**
 * Where one state value lives: the key (with its bytes and key group), the namespace and the
 * cell id (key id, or key id + separator + namespace id) that in-memory stores key maps by.
 */
export interface StateCell {
  readonly keyContext: KeyContext<unknown>;
  readonly namespace: SerializedRef;
  readonly cellId: string;
}

/** One entry of a map state as a store returns it: the map key (a copy) and what is stored under it. */
export type StoredMapEntry = readonly [userKey: unknown, stored: unknown];

/**
 * The store contract: what a keyed backend's storage provides, addressed by (state, key group, key,
 * namespace[, map key]). Keyed-state operations (defaults, TTL, reduce, merge, copies) are built on
 * these by the state handles, so a store only moves stored values in and out. A keyed backend
 * hands its store to `AwsKeyedStateBackendBase`, which calls it and nothing else.
 *
 * What is stored is opaque to the store: the user's value (already copied) or, with TTL, a
 * `TtlValue` wrapping it. `undefined` always means "nothing stored". Stores never hand out a
 * value they may still change: a list returned by `readList` must not change afterwards. Any
 * primitive may answer with a value (in-memory stores) or a promise (remote ones).
 *
 * @example
 * ```ts
 * class MyBackend<K> extends AwsKeyedStateBackendBase<K> {
 *   readonly limits = {};
 *   constructor(parameters: KeyedStateBackendParameters<K>) {
 *     super(parameters, new MyStore());  // MyStore implements KeyedStateStore
 *   }
 * }
 * ```
 */
export interface KeyedStateStore {
  /** The value of a value, reducing or aggregating state cell. */
  read(state: RegisteredKeyedState, cell: StateCell): MaybePromise<unknown>;
  write(state: RegisteredKeyedState, cell: StateCell, stored: unknown): MaybePromise<void>;
  /** Removes whatever the cell holds: a value, a whole list or a whole map. */
  remove(state: RegisteredKeyedState, cell: StateCell): MaybePromise<void>;

  /** The elements of a list cell, in order; undefined when empty. Treat as read-only. */
  readList(state: RegisteredKeyedState, cell: StateCell): MaybePromise<readonly unknown[] | undefined>;
  /** Appends non-empty `elements` to a list cell. The array is the store's to keep. */
  appendList(state: RegisteredKeyedState, cell: StateCell, elements: readonly unknown[]): MaybePromise<void>;
  /** Replaces a list cell with non-empty `elements`. The array is the store's to keep. */
  writeList(state: RegisteredKeyedState, cell: StateCell, elements: readonly unknown[]): MaybePromise<void>;

  readEntry(state: RegisteredKeyedState, cell: StateCell, userKey: SerializedRef): MaybePromise<unknown>;
  writeEntry(
    state: RegisteredKeyedState,
    cell: StateCell,
    userKey: SerializedRef,
    stored: unknown,
  ): MaybePromise<void>;
  removeEntry(state: RegisteredKeyedState, cell: StateCell, userKey: SerializedRef): MaybePromise<void>;
  /** Every entry of a map cell, as a list taken at the call. */
  readEntries(state: RegisteredKeyedState, cell: StateCell): MaybePromise<readonly StoredMapEntry[]>;

  /** The serialized keys that have state in `namespace`, each once. */
  iterateKeys(
    state: RegisteredKeyedState,
    namespace: SerializedRef,
  ): Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

  /** A state was registered (its `index` is new): the store prepares its storage for it. */
  registerState(state: RegisteredKeyedState): void;
  /** Before an operation on a state with incremental TTL cleanup: in-memory stores check a few entries. */
  cleanupStep(state: RegisteredKeyedState): void;
  /** Releases the store's resources; called once, when the backend is disposed. */
  dispose(): Promise<void>;
}

/** How a primitive of the contract counts in the backend's state metrics (see `countingStore`). */
export type StoreAccess = 'read' | 'write' | 'none';

/**
 * Every primitive of {@link KeyedStateStore} and how it counts: the one list a decorator of the
 * contract goes by. Typed against the contract, so a primitive added there must be classified here.
 */
export const STORE_ACCESS: { readonly [P in keyof KeyedStateStore]: StoreAccess } = Object.freeze({
  read: 'read',
  write: 'write',
  remove: 'write',
  readList: 'read',
  appendList: 'write',
  writeList: 'write',
  readEntry: 'read',
  writeEntry: 'write',
  removeEntry: 'write',
  readEntries: 'read',
  iterateKeys: 'none',
  registerState: 'none',
  cleanupStep: 'none',
  dispose: 'none',
});
