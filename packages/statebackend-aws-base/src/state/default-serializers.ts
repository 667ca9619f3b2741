import { MsgpackSerializer } from '../serialization/msgpack-serializer.js';
import type { TypeSerializer } from '../serialization/type-serializer.js';

// One shared instance of each: descriptors without a serializer all store the same format.
const valueSerializer = new MsgpackSerializer<unknown>();
const keySerializer = new MsgpackSerializer<unknown>({ deterministic: true });

/**
 * The serializer a descriptor uses for values when none is given: MessagePack, lossless for
 * plain objects, arrays, Dates, Sets, bigints and typed arrays.
 */
export function defaultValueSerializer<T>(): TypeSerializer<T> {
  return valueSerializer as TypeSerializer<T>;
}

/**
 * The serializer a map state uses for its keys when none is given: deterministic MessagePack,
 * so equal keys always give equal bytes.
 */
export function defaultKeySerializer<T>(): TypeSerializer<T> {
  return keySerializer as TypeSerializer<T>;
}
