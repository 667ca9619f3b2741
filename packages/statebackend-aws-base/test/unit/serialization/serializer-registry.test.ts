import {
  BaseSerializer,
  SerializerRegistry,
  type SerializerSnapshot,
  Serializers,
  StateBackendError,
  type TypeSerializer,
  UnknownSerializerError,
} from '../../../src/index.js';
import { MsgpackSerializer } from '../../../src/serialization/msgpack-serializer.js';
import { voidNamespaceSerializer } from '../../../src/serialization/void-namespace-serializer.js';
import { VoidNamespace } from '../../../src/spi.js';

const stored = (serializer: TypeSerializer<unknown>): SerializerSnapshot =>
  JSON.parse(JSON.stringify(serializer.snapshot())) as SerializerSnapshot;

const as = <T>(serializer: TypeSerializer<T>): TypeSerializer<unknown> =>
  serializer as TypeSerializer<unknown>;

describe('SerializerRegistry', () => {
  const registry = SerializerRegistry.withBuiltIns();

  it.each<[string, TypeSerializer<unknown>, unknown]>([
    ['string', as(Serializers.string), 'héllo'],
    ['number', as(Serializers.number), -0.5],
    ['int', as(Serializers.int), 7],
    ['bigint', as(Serializers.bigint), -(2n ** 90n)],
    ['boolean', as(Serializers.boolean), true],
    ['bytes', as(Serializers.bytes), new Uint8Array([1, 2])],
    ['json', as(Serializers.json()), { a: [1] }],
    ['msgpack', as(Serializers.msgpack()), { at: new Date(3) }],
    ['msgpack with Maps', as(new MsgpackSerializer({ preserveMaps: true })), { m: new Map([[1, 2]]) }],
    ['nullable', as(Serializers.nullable(Serializers.string)), null],
    ['list', as(Serializers.list(Serializers.list(Serializers.int))), [[1], []]],
    ['map', as(Serializers.map(Serializers.string, Serializers.bigint)), new Map([['k', 1n]])],
    ['void namespace (every non-namespaced state records it)', as(voidNamespaceSerializer), VoidNamespace],
    [
      'tuple',
      as(Serializers.tuple(Serializers.string, Serializers.int, Serializers.bytes)),
      ['a', 1, new Uint8Array()],
    ],
  ])('decodes %s data with the serializer resolved from its stored snapshot', (_name, writer, value) => {
    const snapshot = stored(writer);
    const reader = registry.resolve(snapshot);
    expect(reader.deserialize(writer.serialize(value))).toEqual(value);
    expect(reader.snapshot()).toEqual(snapshot);
  });

  it('lists the known ids when an id is unknown', () => {
    let error: unknown;
    try {
      registry.resolve({ id: 'avro', version: 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnknownSerializerError);
    expect((error as Error).message).toContain('Cannot resolve serializer avro@1');
    expect((error as Error).message).toContain(
      'Known ids: bigint, boolean, bytes, int, json, list, map, msgpack',
    );
  });

  it('rejects a version newer than the factory reads, and malformed composite configs', () => {
    expect(() => registry.resolve({ id: 'string', version: 2 })).toThrow(/reads versions 1 to 1/);
    expect(() => registry.resolve({ id: 'list', version: 1 })).toThrow(/no valid 'element' snapshot/);
    expect(() => registry.resolve({ id: 'tuple', version: 1, config: { components: 'x' } })).toThrow(
      UnknownSerializerError,
    );
    expect(() =>
      registry.resolve({ id: 'list', version: 1, config: { element: { id: 'nope', version: 1 } } }),
    ).toThrow(/Cannot resolve serializer nope@1/);
  });

  it('resolves application serializers registered under their own id', () => {
    class UpperCaseSerializer extends BaseSerializer<string> {
      readonly id = 'upper-case';
      readonly deterministic = true;
      serialize(value: string): Uint8Array {
        return Serializers.string.serialize(value.toUpperCase());
      }
      deserialize(bytes: Uint8Array): string {
        return Serializers.string.deserialize(bytes);
      }
    }
    const custom = SerializerRegistry.withBuiltIns().register('upper-case', () => new UpperCaseSerializer());
    const listSnapshot = stored(as(Serializers.list(new UpperCaseSerializer())));
    const reader = custom.resolve(listSnapshot);
    expect(reader.deserialize(Serializers.list(Serializers.string).serialize(['A']))).toEqual(['A']);
    expect(() => custom.register('upper-case', () => new UpperCaseSerializer())).toThrow(StateBackendError);
    expect(custom.register('upper-case', () => Serializers.string, { replace: true }).has('upper-case')).toBe(
      true,
    );
  });
});
