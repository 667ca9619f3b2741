import { BaseSerializer } from './base-serializer.js';
import { FrameReader } from './framing.js';
import { type NestedReader, readNestedSnapshot, resolveNestedCompatibility } from './nested-compatibility.js';
import type { SerializerCompatibility, SerializerSnapshot, TypeSerializer } from './type-serializer.js';

/**
 * Wraps a serializer so that `null` is a value too: one tag byte (0 for `null`, 1 otherwise)
 * followed by the inner serializer's bytes. Deterministic when the inner serializer is.
 *
 * @example
 * ```ts
 * const maybeCount = Serializers.nullable(Serializers.int);
 * maybeCount.deserialize(maybeCount.serialize(null)); // null
 * ```
 */
export class NullableSerializer<T> extends BaseSerializer<T | null> {
  readonly id = 'nullable';
  readonly deterministic: boolean;
  readonly inner: TypeSerializer<T>;
  readonly #readInner: NestedReader = (bytes) => this.inner.deserialize(bytes);

  constructor(inner: TypeSerializer<T>) {
    super();
    this.inner = inner;
    this.deterministic = inner.deterministic === true;
  }

  serialize(value: T | null): Uint8Array {
    if (value === null) return Uint8Array.of(0);
    const bytes = this.inner.serialize(value);
    const out = new Uint8Array(bytes.length + 1);
    out[0] = 1;
    out.set(bytes, 1);
    return out;
  }

  deserialize(bytes: Uint8Array): T | null {
    return this.#decodeWith(bytes, this.#readInner);
  }

  override copy(value: T | null): T | null {
    return value === null ? null : this.inner.copy(value);
  }

  override resolveCompatibility(previous: SerializerSnapshot): SerializerCompatibility {
    if (previous.id !== this.id || previous.version !== this.version)
      return super.resolveCompatibility(previous);
    const parts = [
      { label: 'inner', current: this.inner, previous: readNestedSnapshot(previous.config, 'inner') },
    ];
    return resolveNestedCompatibility(
      parts,
      ([read = this.#readInner]) =>
        (bytes) =>
          this.#decodeWith(bytes, read),
    );
  }

  protected override snapshotConfig(): Readonly<Record<string, unknown>> {
    return { inner: this.inner.snapshot() };
  }

  #decodeWith(bytes: Uint8Array, read: NestedReader): T | null {
    const reader = new FrameReader(bytes, (reason) => this.rejectBytes(bytes, reason));
    const tag = reader.byte();
    if (tag === 0) {
      reader.end();
      return null;
    }
    if (tag !== 1) return this.rejectBytes(bytes, `unknown tag ${tag}, expected 0 (null) or 1`);
    return read(reader.rest()) as T;
  }
}
