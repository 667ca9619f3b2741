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
 * The primitives a store provides, addressed by (state, key group, key, namespace[, map key]).
 * Keyed-state operations (defaults, TTL, reduce, merge, copies) are built on these by the state
 * handles, so a store only moves stored values in and out.
 *
 * What is stored is opaque to the store: the user's value (already copied) or, with TTL, a
 * `TtlValue` wrapping it. `undefined` always means "nothing stored". Stores never hand out a
 * value they may still change: a list returned by `readList` must not change afterwards.
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
}
