import { StateBackendError } from '../../errors.js';
import { isBuiltInStringSerializer } from '../../serialization/string-serializer.js';
import type { TypeSerializer } from '../../serialization/type-serializer.js';
import { isAscii } from '../../serialization/utf8.js';
import type { MapState } from '../../state/map-state.js';
import { type TtlValue, ttlValue } from '../../state/ttl/ttl-value.js';
import { bytesToId, IdOnlyRef, stringKeyId } from '../byte-id.js';
import type { MaybePromise, SerializedRef, StoredMapEntry } from '../state-store.js';
import { StateHandle, settled } from './state-handle.js';
import { partitionByExpiry, readThroughTtl } from './ttl-read.js';

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * {@link MapState} over a store's map cell: one stored entry per map key. With TTL every entry
 * carries its own timestamp, as in Flink's `TtlMapState`.
 */
export class MapStateHandle<K, V> extends StateHandle implements MapState<K, V> {
  get(key: K): Promise<V | undefined> {
    // The hot path (a synchronous store, no TTL) answers without an async frame.
    try {
      this.beforeAccess();
      const userKey = this.#userKey(key);
      if (this.state.ttl !== undefined) return this.#read(userKey);
      const stored = this.store.readEntry(this.state, this, userKey);
      if (stored instanceof Promise) return this.#read(userKey, stored);
      return Promise.resolve(
        stored === undefined ? undefined : (this.copyOut(stored, this.state.serializer) as V),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  put(key: K, value: V): Promise<void> {
    try {
      this.beforeAccess();
      const written = this.#put(key, value);
      return written instanceof Promise ? written : RESOLVED;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async putAll(entries: Iterable<readonly [K, V]>): Promise<void> {
    this.beforeAccess();
    for (const [key, value] of entries) {
      const written = this.#put(key, value);
      if (written instanceof Promise) await written;
    }
  }

  remove(key: K): Promise<void> {
    try {
      this.beforeAccess();
      return settled(this.store.removeEntry(this.state, this, this.#userKey(key)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async contains(key: K): Promise<boolean> {
    this.beforeAccess();
    return (await this.#find(this.#userKey(key))) !== undefined;
  }

  async entries(): Promise<Array<[K, V]>> {
    const serializer = this.state.serializer;
    const userKeySerializer = this.#userKeySerializer();
    return (await this.#visibleEntries()).map(([key, value]) => [
      this.copyOut(key, userKeySerializer) as K,
      this.copyOut(value, serializer) as V,
    ]);
  }

  async keys(): Promise<K[]> {
    const userKeySerializer = this.#userKeySerializer();
    return (await this.#visibleEntries()).map(([key]) => this.copyOut(key, userKeySerializer) as K);
  }

  async values(): Promise<V[]> {
    const serializer = this.state.serializer;
    return (await this.#visibleEntries()).map(([, value]) => this.copyOut(value, serializer) as V);
  }

  async isEmpty(): Promise<boolean> {
    return (await this.#visibleEntries()).length === 0;
  }

  #put(key: K, value: V): MaybePromise<void> {
    if (value === undefined) return this.store.removeEntry(this.state, this, this.#userKey(key));
    const userKey = this.#userKey(key, true);
    const copy = this.copyIn(value, this.state.serializer, 'mapValue');
    const stored = this.state.ttl === undefined ? copy : ttlValue(copy, this.now());
    return this.store.writeEntry(this.state, this, userKey, stored);
  }

  async #read(userKey: SerializedRef, read?: Promise<unknown>): Promise<V | undefined> {
    const found = await this.#find(userKey, read);
    return found === undefined ? undefined : (this.copyOut(found, this.state.serializer) as V);
  }

  /** The stored user value under `userKey` after the TTL check, not yet copied. */
  async #find(userKey: SerializedRef, read?: Promise<unknown>): Promise<unknown> {
    let stored = read ?? this.store.readEntry(this.state, this, userKey);
    if (stored instanceof Promise) stored = await stored;
    const ttl = this.state.ttl;
    if (ttl === undefined) return stored;
    return readThroughTtl(stored as TtlValue<unknown> | undefined, ttl, this.now(), {
      remove: () => this.store.removeEntry(this.state, this, userKey),
      write: (refreshed) => this.store.writeEntry(this.state, this, userKey, refreshed),
    });
  }

  /** The entries a read sees, as [stored user key, stored user value], after the TTL check. */
  async #visibleEntries(): Promise<Array<readonly [unknown, unknown]>> {
    this.beforeAccess();
    let stored = this.store.readEntries(this.state, this);
    if (stored instanceof Promise) stored = await stored;
    const ttl = this.state.ttl;
    if (ttl === undefined) return [...stored];
    const now = this.now();
    const { visible, kept, changed } = partitionByExpiry(
      stored,
      (entry) => entry[1] as TtlValue<unknown>,
      ([key, value], at): StoredMapEntry => [key, ttlValue((value as TtlValue<unknown>).userValue, at)],
      ttl,
      now,
    );
    if (changed) {
      const live = new Set(kept.map(([key]) => key));
      for (const [key] of stored) {
        const userKey = this.#userKey(key as K);
        if (!live.has(key)) await this.store.removeEntry(this.state, this, userKey);
      }
      if (ttl.refreshOnRead) {
        for (const [key, value] of kept)
          await this.store.writeEntry(this.state, this, this.#userKey(key as K), value);
      }
    }
    return visible.map(([key, value]) => [key, (value as TtlValue<unknown>).userValue] as const);
  }

  #userKeySerializer(): TypeSerializer<unknown> {
    const serializer = this.state.userKeySerializer;
    if (serializer === undefined)
      throw new StateBackendError(`State '${this.state.name}' is not a map state`);
    return serializer;
  }

  /**
   * The serialized map key; throws a typed error for a key its serializer rejects. For a write,
   * the key kept with the entry is a private copy.
   */
  #userKey(key: K, forWrite = false): SerializedRef {
    const serializer = this.#userKeySerializer();
    // An ASCII string under the built-in string serializer is its own id (see `KeyContext.keyId`).
    if (typeof key === 'string' && isBuiltInStringSerializer(serializer) && isAscii(key)) {
      return new IdOnlyRef(key, key);
    }
    let bytes: Uint8Array;
    try {
      bytes = serializer.serialize(key);
    } catch (error) {
      throw this.serializationError(key, serializer, 'mapKey', error);
    }
    const id = typeof key === 'string' ? stringKeyId(key, bytes) : bytesToId(bytes);
    return { value: forWrite ? this.copyOut(key, serializer) : key, bytes, id };
  }
}
