import { BaseSerializer } from './base-serializer.js';
import { FrameReader, writeFrames } from './framing.js';
import { type NestedReader, readNestedSnapshot, resolveNestedCompatibility } from './nested-compatibility.js';
import type { SerializerCompatibility, SerializerSnapshot, TypeSerializer } from './type-serializer.js';

/**
 * Arrays of values of one serializer: the element count, then each element's bytes with its
 * length. Deterministic when the element serializer is. Holes in sparse arrays are read as
 * whatever the element serializer reads `undefined` as, so prefer dense arrays.
 *
 * @example
 * ```ts
 * const pages = Serializers.list(Serializers.string);
 * pages.serialize(['/home', '/cart']);
 * ```
 */
export class ListSerializer<T> extends BaseSerializer<T[]> {
  readonly id = 'list';
  readonly deterministic: boolean;
  readonly element: TypeSerializer<T>;
  readonly #readElement: NestedReader = (bytes) => this.element.deserialize(bytes);

  constructor(element: TypeSerializer<T>) {
    super();
    this.element = element;
    this.deterministic = element.deterministic === true;
  }

  serialize(value: T[]): Uint8Array {
    if (!Array.isArray(value)) this.rejectValue(value, 'arrays');
    const frames = new Array<Uint8Array>(value.length);
    for (let i = 0; i < value.length; i++) frames[i] = this.element.serialize(value[i] as T);
    return writeFrames(frames, { count: value.length });
  }

  deserialize(bytes: Uint8Array): T[] {
    return this.#decodeWith(bytes, this.#readElement);
  }

  override copy(value: T[]): T[] {
    return value.map((element) => this.element.copy(element));
  }

  override resolveCompatibility(previous: SerializerSnapshot): SerializerCompatibility {
    if (previous.id !== this.id || previous.version !== this.version)
      return super.resolveCompatibility(previous);
    const parts = [
      { label: 'element', current: this.element, previous: readNestedSnapshot(previous.config, 'element') },
    ];
    return resolveNestedCompatibility(
      parts,
      ([read = this.#readElement]) =>
        (bytes) =>
          this.#decodeWith(bytes, read),
    );
  }

  protected override snapshotConfig(): Readonly<Record<string, unknown>> {
    return { element: this.element.snapshot() };
  }

  #decodeWith(bytes: Uint8Array, read: NestedReader): T[] {
    const reader = new FrameReader(bytes, (reason) => this.rejectBytes(bytes, reason));
    const count = reader.varint();
    // Each element takes at least its one-byte length, which bounds a corrupt count.
    if (count > bytes.length) return this.rejectBytes(bytes, `count ${count} exceeds the data`);
    const out = new Array<T>(count);
    for (let i = 0; i < count; i++) out[i] = read(reader.frame()) as T;
    reader.end();
    return out;
  }
}
