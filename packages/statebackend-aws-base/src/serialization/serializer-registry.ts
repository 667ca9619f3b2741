import { StateBackendError, UnknownSerializerError } from '../errors.js';
import { BigIntSerializer } from './bigint-serializer.js';
import { BooleanSerializer } from './boolean-serializer.js';
import { BytesSerializer } from './bytes-serializer.js';
import { IntSerializer } from './int-serializer.js';
import { JsonSerializer } from './json-serializer.js';
import { ListSerializer } from './list-serializer.js';
import { MapSerializer } from './map-serializer.js';
import { MsgpackSerializer } from './msgpack-serializer.js';
import { readNestedSnapshot } from './nested-compatibility.js';
import { NullableSerializer } from './nullable-serializer.js';
import { NumberSerializer } from './number-serializer.js';
import { StringSerializer } from './string-serializer.js';
import { TupleSerializer } from './tuple-serializer.js';
import type { SerializerSnapshot, TypeSerializer } from './type-serializer.js';
import { voidNamespaceSerializer } from './void-namespace-serializer.js';

/**
 * Builds a serializer from a snapshot recorded with a checkpoint. Composite factories resolve
 * their nested snapshots through `registry`.
 */
export type SerializerFactory = (
  snapshot: SerializerSnapshot,
  registry: SerializerRegistry,
) => TypeSerializer<unknown>;

interface Registration {
  readonly factory: SerializerFactory;
  readonly maxVersion: number;
}

/**
 * Maps snapshot ids to serializer factories, so that a checkpoint can be read with exactly the
 * serializers recorded in it, without the application's state descriptors (e.g. to dump state).
 *
 * @example
 * ```ts
 * const registry = SerializerRegistry.withBuiltIns().register('geo-point', () => new GeoPointSerializer());
 * const serializer = registry.resolve(stored.valueSerializer);
 * const value = serializer.deserialize(bytes);
 * ```
 */
export class SerializerRegistry {
  readonly #registrations = new Map<string, Registration>();

  /** A registry that knows every built-in serializer of this package. */
  static withBuiltIns(): SerializerRegistry {
    const registry = new SerializerRegistry();
    const simple: readonly TypeSerializer<unknown>[] = [
      StringSerializer.INSTANCE,
      NumberSerializer.INSTANCE,
      IntSerializer.INSTANCE,
      BigIntSerializer.INSTANCE,
      BooleanSerializer.INSTANCE,
      BytesSerializer.INSTANCE,
      new JsonSerializer(),
      voidNamespaceSerializer,
    ];
    for (const serializer of simple) registry.register(serializer.snapshot().id, () => serializer);
    return registry
      .register(
        'msgpack',
        (snapshot) => new MsgpackSerializer({ preserveMaps: snapshot.config?.preserveMaps === true }),
      )
      .register('nullable', (snapshot, r) => new NullableSerializer(r.#resolveNested(snapshot, 'inner')))
      .register('list', (snapshot, r) => new ListSerializer(r.#resolveNested(snapshot, 'element')))
      .register(
        'map',
        (snapshot, r) =>
          new MapSerializer(r.#resolveNested(snapshot, 'key'), r.#resolveNested(snapshot, 'value')),
      )
      .register('tuple', (snapshot, r) => {
        const components = snapshot.config?.components;
        if (!Array.isArray(components)) throw r.#malformed(snapshot, "its config has no 'components' array");
        return new TupleSerializer(components.map((_, i) => r.#resolveNested(snapshot, i)));
      });
  }

  /**
   * Registers `factory` for snapshots with this `id` and a version up to `maxVersion` (default
   * 1). Throws if the id is taken, unless `replace` is set.
   */
  register(
    id: string,
    factory: SerializerFactory,
    options: { maxVersion?: number; replace?: boolean } = {},
  ): this {
    if (this.#registrations.has(id) && options.replace !== true) {
      throw new StateBackendError(
        `A serializer factory is already registered under '${id}'. Pick another id, or pass { replace: true }.`,
      );
    }
    this.#registrations.set(id, { factory, maxVersion: options.maxVersion ?? 1 });
    return this;
  }

  /** Whether a factory is registered under `id`. */
  has(id: string): boolean {
    return this.#registrations.has(id);
  }

  /** The registered ids, sorted. */
  ids(): string[] {
    return [...this.#registrations.keys()].sort();
  }

  /**
   * The serializer `snapshot` describes. Throws an {@link UnknownSerializerError} for an id
   * nobody registered or a version newer than its factory reads.
   */
  resolve(snapshot: SerializerSnapshot): TypeSerializer<unknown> {
    const registration = this.#registrations.get(snapshot.id);
    if (registration === undefined)
      throw new UnknownSerializerError(snapshot.id, snapshot.version, this.ids());
    if (
      !Number.isInteger(snapshot.version) ||
      snapshot.version < 1 ||
      snapshot.version > registration.maxVersion
    ) {
      throw this.#malformed(snapshot, `this library reads versions 1 to ${registration.maxVersion}`);
    }
    return registration.factory(snapshot, this);
  }

  #resolveNested(snapshot: SerializerSnapshot, key: string | number): TypeSerializer<unknown> {
    const source = typeof key === 'number' ? snapshot.config?.components : snapshot.config;
    const nested = readNestedSnapshot(source, key);
    if (nested === undefined)
      throw this.#malformed(snapshot, `its config has no valid '${String(key)}' snapshot`);
    return this.resolve(nested);
  }

  #malformed(snapshot: SerializerSnapshot, detail: string): UnknownSerializerError {
    return new UnknownSerializerError(snapshot.id, snapshot.version, this.ids(), detail);
  }
}
