import { assignToKeyGroup, Serializers, type TypeSerializer } from '../../../src/index.js';
import { MsgpackSerializer } from '../../../src/serialization/msgpack-serializer.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('deterministic key bytes', () => {
  it('every built-in serializer declares whether it is deterministic', () => {
    const declared: Record<string, boolean | undefined> = {
      string: Serializers.string.deterministic,
      number: Serializers.number.deterministic,
      int: Serializers.int.deterministic,
      bigint: Serializers.bigint.deterministic,
      boolean: Serializers.boolean.deterministic,
      bytes: Serializers.bytes.deterministic,
      json: Serializers.json().deterministic,
      msgpack: Serializers.msgpack().deterministic,
      'msgpack deterministic': Serializers.msgpack({ deterministic: true }).deterministic,
      map: Serializers.map(Serializers.string, Serializers.string).deterministic,
    };
    expect(declared).toEqual({
      string: true,
      number: true,
      int: true,
      bigint: true,
      boolean: true,
      bytes: true,
      json: false,
      msgpack: false,
      'msgpack deterministic': true,
      map: false,
    });
  });

  it.each<[string, TypeSerializer<unknown>, () => unknown]>([
    ['string', Serializers.string as TypeSerializer<unknown>, () => ['user', 42].join('-')],
    ['number', Serializers.number as TypeSerializer<unknown>, () => 0.1 + 0.2],
    ['bigint', Serializers.bigint as TypeSerializer<unknown>, () => 2n ** 65n],
    [
      'tuple',
      Serializers.tuple(Serializers.string, Serializers.int) as TypeSerializer<unknown>,
      () => ['k', 7],
    ],
  ])('%s: equal keys built separately give equal bytes and the same key group', (_name, serializer, make) => {
    const first = serializer.serialize(make());
    const second = serializer.serialize(make());
    expect(hex(first)).toBe(hex(second));
    expect(assignToKeyGroup(first, 128)).toBe(assignToKeyGroup(second, 128));
  });

  it('msgpack with deterministic: true writes equal objects equally whatever their property order', () => {
    const keys = new MsgpackSerializer<unknown>({ deterministic: true });
    const a = { tenant: 't1', user: { id: 7, region: 'eu' }, tags: [{ b: 1, a: 2 }] };
    const b = { tags: [{ a: 2, b: 1 }], user: { region: 'eu', id: 7 }, tenant: 't1' };
    expect(hex(keys.serialize(a))).toBe(hex(keys.serialize(b)));
    expect(keys.deserialize(keys.serialize(b))).toEqual(a);
  });

  it('msgpack by default keeps insertion order, so the same objects differ', () => {
    const values = Serializers.msgpack<unknown>();
    expect(hex(values.serialize({ a: 1, b: 2 }))).not.toBe(hex(values.serialize({ b: 2, a: 1 })));
  });

  it('key bytes are stable across releases (changing them would move keys to other key groups)', () => {
    expect(hex(Serializers.string.serialize('user-42'))).toBe('757365722d3432');
    expect(hex(Serializers.int.serialize(42))).toBe('0000002a');
    expect(hex(Serializers.number.serialize(42))).toBe('4045000000000000');
    expect(hex(Serializers.tuple(Serializers.string, Serializers.int).serialize(['u', 1]))).toBe(
      '0175' + '0400000001',
    );
    expect(hex(Serializers.msgpack({ deterministic: true }).serialize({ b: 1, a: 'x' }))).toBe(
      '82a161a178a16201',
    );
  });
});
