import { BaseSerializer } from './base-serializer.js';
import { FrameReader, writeFrames } from './framing.js';
import {
  type NestedPart,
  type NestedReader,
  readNestedSnapshot,
  resolveNestedCompatibility,
} from './nested-compatibility.js';
import type { SerializerCompatibility, SerializerSnapshot, TypeSerializer } from './type-serializer.js';

/** The value type of a tuple of serializers: `[TypeSerializer<string>, TypeSerializer<number>]` → `[string, number]`. */
export type TupleValue<S extends readonly TypeSerializer<unknown>[]> = {
  -readonly [I in keyof S]: S[I] extends TypeSerializer<infer U> ? U : never;
};

/**
 * Fixed-length tuples, one serializer per position: each component's bytes with its length.
 * Deterministic when every component is, which makes it the serializer for compound keys.
 *
 * @example
 * ```ts
 * const userAndDay = Serializers.tuple(Serializers.string, Serializers.int);
 * userAndDay.serialize(['user-42', 19_700]);
 * ```
 */
export class TupleSerializer<S extends readonly TypeSerializer<unknown>[]> extends BaseSerializer<
  TupleValue<S>
> {
  readonly id = 'tuple';
  readonly deterministic: boolean;
  readonly components: S;
  readonly #readers: readonly NestedReader[];

  constructor(components: S) {
    super();
    this.components = components;
    this.deterministic = components.every((component) => component.deterministic === true);
    this.#readers = components.map((component) => (bytes: Uint8Array) => component.deserialize(bytes));
  }

  serialize(value: TupleValue<S>): Uint8Array {
    if (!Array.isArray(value) || value.length !== this.components.length) {
      this.rejectValue(value, `arrays of exactly ${this.components.length} elements`);
    }
    return writeFrames(this.components.map((component, i) => component.serialize(value[i])));
  }

  deserialize(bytes: Uint8Array): TupleValue<S> {
    return this.#decodeWith(bytes, this.#readers);
  }

  override copy(value: TupleValue<S>): TupleValue<S> {
    return this.components.map((component, i) => component.copy(value[i])) as TupleValue<S>;
  }

  override resolveCompatibility(previous: SerializerSnapshot): SerializerCompatibility {
    if (previous.id !== this.id || previous.version !== this.version)
      return super.resolveCompatibility(previous);
    const stored = previous.config?.components;
    const storedArity = Array.isArray(stored) ? stored.length : 0;
    if (storedArity !== this.components.length) {
      return {
        kind: 'incompatible',
        reason: `the stored tuple has ${storedArity} components, the current one ${this.components.length}`,
      };
    }
    const parts: NestedPart[] = this.components.map((component, i) => ({
      label: `component ${i}`,
      current: component,
      previous: readNestedSnapshot(stored, i),
    }));
    return resolveNestedCompatibility(parts, (readers) => (bytes) => this.#decodeWith(bytes, readers));
  }

  protected override snapshotConfig(): Readonly<Record<string, unknown>> {
    return { components: this.components.map((component) => component.snapshot()) };
  }

  #decodeWith(bytes: Uint8Array, readers: readonly NestedReader[]): TupleValue<S> {
    const reader = new FrameReader(bytes, (reason) => this.rejectBytes(bytes, reason));
    const out = readers.map((read) => read(reader.frame()));
    reader.end();
    return out as TupleValue<S>;
  }
}
