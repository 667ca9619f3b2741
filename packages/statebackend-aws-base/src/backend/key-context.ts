import type { TypeSerializer } from '../serialization/type-serializer.js';
import type { NamespacedStateOf } from '../state/namespace.js';
import type { State } from '../state/state.js';
import type { StateDescriptor } from '../state/state-descriptor.js';
import { idToBytes } from './byte-id.js';

/**
 * The state of one key, for one record. Handles obtained from it are bound to its key, so
 * awaits of records for other keys can interleave freely without touching this key's state.
 *
 * @example
 * ```ts
 * await backend.withKey(event.userId, async (ctx) => {
 *   const clicks = ctx.getState(clicksDescriptor);
 *   await clicks.update((await clicks.value()) + 1);
 * });
 * ```
 */
export interface KeyedContext<K> {
  /** The key, as passed to `withKey`. */
  readonly key: K;
  /** The key group of the key's serialized bytes. */
  readonly keyGroup: number;
  /** The key's state for `descriptor`, registering it on first use. */
  getState<S extends State, T>(descriptor: StateDescriptor<S, T>): S;
  /**
   * The key's state for `descriptor` in namespaces of `namespaceSerializer` (e.g. windows),
   * registering it on first use. Merging states (list, reducing, aggregating) can also merge
   * namespaces.
   */
  getPartitionedState<N, S extends State, T>(
    descriptor: StateDescriptor<S, T>,
    namespaceSerializer: TypeSerializer<N>,
  ): NamespacedStateOf<N, S>;
}

/** What a {@link KeyContext} asks its backend for. */
export interface KeyedStateFactory<K> {
  createState<S extends State, T>(context: KeyContext<K>, descriptor: StateDescriptor<S, T>): S;
  createPartitionedState<N, S extends State, T>(
    context: KeyContext<K>,
    descriptor: StateDescriptor<S, T>,
    namespaceSerializer: TypeSerializer<N>,
  ): NamespacedStateOf<N, S>;
}

/**
 * The key of one record, serialized once: its bytes, its id (the bytes as a string, for
 * in-memory maps) and its key group. Stores address state by these, never by the key object.
 */
export class KeyContext<K> implements KeyedContext<K> {
  readonly key: K;
  /**
   * The key's bytes as a string, one character per byte: two keys have the same id exactly when
   * their serialized bytes are equal. An ASCII string key under the built-in string serializer
   * is its own id, its UTF-8 bytes being its character codes.
   */
  readonly keyId: string;
  readonly keyGroup: number;
  readonly #factory: KeyedStateFactory<K>;
  #keyBytes: Uint8Array | undefined;

  /**
   * `keyBytes` may be left out when `keyId` is known without them (an ASCII string key under the
   * built-in string serializer is its own id): they are then made from the id on first use.
   */
  constructor(
    key: K,
    keyBytes: Uint8Array | undefined,
    keyId: string,
    keyGroup: number,
    factory: KeyedStateFactory<K>,
  ) {
    this.key = key;
    this.#keyBytes = keyBytes;
    this.keyId = keyId;
    this.keyGroup = keyGroup;
    this.#factory = factory;
  }

  /** The key's serialized bytes; never written to. */
  get keyBytes(): Uint8Array {
    // The id holds one character per byte, so it gives the bytes back exactly.
    this.#keyBytes ??= idToBytes(this.keyId);
    return this.#keyBytes;
  }

  getState<S extends State, T>(descriptor: StateDescriptor<S, T>): S {
    return this.#factory.createState(this, descriptor);
  }

  getPartitionedState<N, S extends State, T>(
    descriptor: StateDescriptor<S, T>,
    namespaceSerializer: TypeSerializer<N>,
  ): NamespacedStateOf<N, S> {
    return this.#factory.createPartitionedState(this, descriptor, namespaceSerializer);
  }

  toString(): string {
    return `KeyContext(key group ${this.keyGroup})`;
  }
}
