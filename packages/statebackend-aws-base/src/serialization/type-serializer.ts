/**
 * The versioned description of a serializer's format, stored with every checkpoint so that a
 * restore can tell whether the serializer registered now still reads what was written.
 */
export interface SerializerSnapshot {
  /** Stable identifier of the serializer's format, e.g. `string`, `msgpack`, `json`. */
  readonly id: string;
  /** Format version; bumped whenever bytes written by the old version read differently. */
  readonly version: number;
  /** Serializer-specific configuration (nested serializers, schema ids...). JSON-safe. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** The outcome of checking a stored {@link SerializerSnapshot} against the current serializer. */
export type SerializerCompatibility =
  | { readonly kind: 'compatible-as-is' }
  | {
      readonly kind: 'compatible-after-migration';
      /** Reads bytes written in the stored format into a value of the current type. */
      readonly migrate: (bytes: Uint8Array) => unknown;
    }
  | { readonly kind: 'incompatible'; readonly reason: string };

/**
 * Turns values of type `T` into bytes and back. Implementations must be deterministic for
 * keys: equal keys serialize to equal bytes, because key groups and stored keys are derived
 * from the bytes.
 *
 * The array `serialize` returns may be a view into a larger buffer (mind `byteOffset`); it is
 * never written to afterwards, and callers must not write to it either.
 */
export interface TypeSerializer<T> {
  /**
   * Encodes `value`. Throws a `SerializationError` naming the serializer and the received type
   * when the value is outside what the serializer accepts.
   */
  serialize(value: T): Uint8Array;
  /**
   * Optional: {@link serialize} into bytes valid only until the next call (a scratch buffer, or
   * the value's own bytes), for callers that copy them at once into a larger buffer, as snapshots
   * do. Saves an allocation and a copy per value there.
   */
  serializeTransient?(value: T): Uint8Array;
  /** Decodes `bytes`. Throws a `DeserializationError` when they are truncated or corrupt. */
  deserialize(bytes: Uint8Array): T;
  /** The format written by this serializer, stored with checkpoints. */
  snapshot(): SerializerSnapshot;
  /** Whether bytes written under `previous` can be read by this serializer. */
  resolveCompatibility(previous: SerializerSnapshot): SerializerCompatibility;
  /** Independent copy of a mutable value; identity for immutable types. */
  copy(value: T): T;
  /**
   * True when values that are equal always serialize to the same bytes, which a key, namespace
   * or map-key serializer needs. Absent means unknown, treated as not deterministic.
   */
  readonly deterministic?: boolean;
}
