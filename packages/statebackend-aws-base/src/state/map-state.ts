import type { TypeSerializer } from '../serialization/type-serializer.js';
import { defaultKeySerializer, defaultValueSerializer } from './default-serializers.js';
import type { State } from './state.js';
import { StateDescriptor } from './state-descriptor.js';

/**
 * A map per key (and namespace). Entries are stored one by one: reading or writing one entry
 * never reads the whole map. Map keys are compared by their serialized bytes.
 */
export interface MapState<K, V> extends State {
  /** The value under `key`, or undefined. */
  get(key: K): Promise<V | undefined>;
  /** Sets the value under `key`; the state keeps its own copy. */
  put(key: K, value: V): Promise<void>;
  /** Sets every entry of `entries` (a `Map`, or an iterable of pairs). */
  putAll(entries: Iterable<readonly [K, V]>): Promise<void>;
  /** Removes the entry under `key`, if any. */
  remove(key: K): Promise<void>;
  /** True when an entry exists under `key`. */
  contains(key: K): Promise<boolean>;
  /** A copy of every entry, in no particular order. */
  entries(): Promise<Array<[K, V]>>;
  /** Every key, in no particular order. */
  keys(): Promise<K[]>;
  /** Every value, in no particular order. */
  values(): Promise<V[]>;
  /** True when the map has no entry. */
  isEmpty(): Promise<boolean>;
}

/**
 * Describes a {@link MapState}: name, map-key serializer (deterministic MessagePack when
 * omitted; it must be deterministic) and map-value serializer (MessagePack when omitted).
 *
 * @example
 * ```ts
 * const cart = new MapStateDescriptor('cart', Serializers.string, Serializers.int);
 * await backend.withKey('user-1', (ctx) => ctx.getState(cart).put('sku-42', 2));
 * ```
 */
export class MapStateDescriptor<K, V> extends StateDescriptor<MapState<K, V>, V> {
  readonly kind = 'map' as const;
  /** The serializer of the map's keys. Must be deterministic. */
  readonly userKeySerializer: TypeSerializer<K>;

  constructor(name: string, keySerializer?: TypeSerializer<K>, valueSerializer?: TypeSerializer<V>) {
    super(name, valueSerializer ?? defaultValueSerializer<V>());
    this.userKeySerializer = keySerializer ?? defaultKeySerializer<K>();
  }

  /** The serializer of the map's values (same as `serializer`). */
  get valueSerializer(): TypeSerializer<V> {
    return this.serializer;
  }
}
