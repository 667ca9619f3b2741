import { BigIntSerializer } from './bigint-serializer.js';
import { BooleanSerializer } from './boolean-serializer.js';
import { BytesSerializer } from './bytes-serializer.js';
import { IntSerializer } from './int-serializer.js';
import { JsonSerializer } from './json-serializer.js';
import { ListSerializer } from './list-serializer.js';
import { MapSerializer } from './map-serializer.js';
import { MsgpackSerializer, type MsgpackSerializerOptions } from './msgpack-serializer.js';
import { NullableSerializer } from './nullable-serializer.js';
import { NumberSerializer } from './number-serializer.js';
import { StringSerializer } from './string-serializer.js';
import { TupleSerializer } from './tuple-serializer.js';
import type { TypeSerializer } from './type-serializer.js';

/**
 * The built-in serializers, ready to use in state descriptors.
 *
 * For keys (and namespaces and map keys) pick a deterministic one: `string`, `number`, `int`,
 * `bigint`, `boolean`, `bytes`, a `tuple` or `nullable` of those, or
 * `msgpack({ deterministic: true })`. For values, `msgpack()` is the fast general default.
 *
 * @example
 * ```ts
 * const bytes = Serializers.string.serialize('user-42');
 * const keyGroup = assignToKeyGroup(bytes, 128);
 * const profiles = Serializers.msgpack<Profile>();
 * const byUserAndDay = Serializers.tuple(Serializers.string, Serializers.int); // [string, number]
 * ```
 */
export const Serializers = Object.freeze({
  /** UTF-8 strings. Deterministic. */
  string: StringSerializer.INSTANCE as TypeSerializer<string>,
  /** Any number as a float64, `-0` and `NaN` included. Deterministic. */
  number: NumberSerializer.INSTANCE as TypeSerializer<number>,
  /** 32-bit signed integers; rejects anything else. Deterministic. */
  int: IntSerializer.INSTANCE as TypeSerializer<number>,
  /** Bigints of any size. Deterministic. */
  bigint: BigIntSerializer.INSTANCE as TypeSerializer<bigint>,
  /** `true` / `false`. Deterministic. */
  boolean: BooleanSerializer.INSTANCE as TypeSerializer<boolean>,
  /** Raw bytes, copied. Deterministic. */
  bytes: BytesSerializer.INSTANCE as TypeSerializer<Uint8Array>,
  /** UTF-8 JSON, for bytes other tools must read. Not deterministic. */
  json: <T>(): TypeSerializer<T> => new JsonSerializer<T>(),
  /** MessagePack via msgpackr: the fast default for structured values. */
  msgpack: <T>(options?: MsgpackSerializerOptions): TypeSerializer<T> => new MsgpackSerializer<T>(options),
  /** `null` or a value of `inner`. */
  nullable: <T>(inner: TypeSerializer<T>): TypeSerializer<T | null> => new NullableSerializer(inner),
  /** Arrays of `element`. */
  list: <T>(element: TypeSerializer<T>): TypeSerializer<T[]> => new ListSerializer(element),
  /** Whole `Map`s of `key` to `value`. */
  map: <K, V>(key: TypeSerializer<K>, value: TypeSerializer<V>): TypeSerializer<Map<K, V>> =>
    new MapSerializer(key, value),
  /** Fixed-length tuples, e.g. compound keys. */
  tuple: <S extends TypeSerializer<unknown>[]>(...components: S): TupleSerializer<S> =>
    new TupleSerializer(components),
});
