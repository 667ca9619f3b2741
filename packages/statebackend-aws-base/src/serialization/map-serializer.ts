import { BaseSerializer } from './base-serializer.js';
import { FrameReader, writeFrames } from './framing.js';
import { type NestedReader, readNestedSnapshot, resolveNestedCompatibility } from './nested-compatibility.js';
import type { SerializerCompatibility, SerializerSnapshot, TypeSerializer } from './type-serializer.js';

/**
 * `Map`s with a key and a value serializer: the entry count, then each key and value with its
 * length, in insertion order. Insertion order is kept on read, which also makes the bytes
 * depend on it: not deterministic, so not for keys.
 *
 * (For `MapState`, whose entries are stored one by one, the state descriptor takes the key and
 * value serializers directly; this serializer is for a whole `Map` held as one value.)
 */
export class MapSerializer<K, V> extends BaseSerializer<Map<K, V>> {
  readonly id = 'map';
  readonly deterministic = false;
  readonly key: TypeSerializer<K>;
  readonly value: TypeSerializer<V>;
  readonly #readKey: NestedReader = (bytes) => this.key.deserialize(bytes);
  readonly #readValue: NestedReader = (bytes) => this.value.deserialize(bytes);

  constructor(key: TypeSerializer<K>, value: TypeSerializer<V>) {
    super();
    this.key = key;
    this.value = value;
  }

  serialize(map: Map<K, V>): Uint8Array {
    if (!(map instanceof Map)) this.rejectValue(map, 'Map instances');
    const frames: Uint8Array[] = [];
    for (const [key, value] of map) frames.push(this.key.serialize(key), this.value.serialize(value));
    return writeFrames(frames, { count: map.size });
  }

  deserialize(bytes: Uint8Array): Map<K, V> {
    return this.#decodeWith(bytes, this.#readKey, this.#readValue);
  }

  override copy(map: Map<K, V>): Map<K, V> {
    const out = new Map<K, V>();
    for (const [key, value] of map) out.set(this.key.copy(key), this.value.copy(value));
    return out;
  }

  override resolveCompatibility(previous: SerializerSnapshot): SerializerCompatibility {
    if (previous.id !== this.id || previous.version !== this.version)
      return super.resolveCompatibility(previous);
    const parts = [
      { label: 'map key', current: this.key, previous: readNestedSnapshot(previous.config, 'key') },
      { label: 'map value', current: this.value, previous: readNestedSnapshot(previous.config, 'value') },
    ];
    return resolveNestedCompatibility(
      parts,
      ([readKey = this.#readKey, readValue = this.#readValue]) =>
        (bytes) =>
          this.#decodeWith(bytes, readKey, readValue),
    );
  }

  protected override snapshotConfig(): Readonly<Record<string, unknown>> {
    return { key: this.key.snapshot(), value: this.value.snapshot() };
  }

  #decodeWith(bytes: Uint8Array, readKey: NestedReader, readValue: NestedReader): Map<K, V> {
    const reader = new FrameReader(bytes, (reason) => this.rejectBytes(bytes, reason));
    const count = reader.varint();
    if (count * 2 > bytes.length) return this.rejectBytes(bytes, `count ${count} exceeds the data`);
    const out = new Map<K, V>();
    for (let i = 0; i < count; i++) {
      const key = readKey(reader.frame()) as K;
      out.set(key, readValue(reader.frame()) as V);
    }
    reader.end();
    return out;
  }
}
