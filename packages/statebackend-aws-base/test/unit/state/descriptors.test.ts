import {
  type AggregateFunction,
  AggregatingStateDescriptor,
  InvalidStateDescriptorError,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  Serializers,
  StateDescriptor,
  StateTtlConfig,
  ValueStateDescriptor,
} from '../../../src/index.js';
import { MsgpackSerializer } from '../../../src/serialization/msgpack-serializer.js';

const count: AggregateFunction<number, number, number> = {
  createAccumulator: () => 0,
  add: (_, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

describe('state descriptors', () => {
  it('carry their kind, name and serializer, and print as their class', () => {
    const value = new ValueStateDescriptor('clicks', Serializers.int, 0);
    const list = new ListStateDescriptor('pages', Serializers.string);
    const map = new MapStateDescriptor('cart', Serializers.string, Serializers.int);
    const reducing = new ReducingStateDescriptor('sum', (a: number, b: number) => a + b, Serializers.number);
    const aggregating = new AggregatingStateDescriptor('count', count, Serializers.int);
    expect([value, list, map, reducing, aggregating].map((d) => [d.kind, d.name, String(d)])).toEqual([
      ['value', 'clicks', "ValueStateDescriptor('clicks')"],
      ['list', 'pages', "ListStateDescriptor('pages')"],
      ['map', 'cart', "MapStateDescriptor('cart')"],
      ['reducing', 'sum', "ReducingStateDescriptor('sum')"],
      ['aggregating', 'count', "AggregatingStateDescriptor('count')"],
    ]);
    expect(value).toBeInstanceOf(ValueStateDescriptor);
    expect(value).toBeInstanceOf(StateDescriptor);
    expect(value.defaultValue).toBe(0);
    expect(list.elementSerializer).toBe(Serializers.string);
    expect(map.userKeySerializer).toBe(Serializers.string);
    expect(map.valueSerializer).toBe(Serializers.int);
    expect(aggregating.accumulatorSerializer).toBe(Serializers.int);
  });

  it('default to MessagePack, deterministic for map keys', () => {
    const value = new ValueStateDescriptor<{ a: number }>('v');
    const map = new MapStateDescriptor<object, string>('m');
    expect(value.serializer).toBeInstanceOf(MsgpackSerializer);
    expect(value.serializer.deterministic).toBe(false);
    expect(map.userKeySerializer.deterministic).toBe(true);
    expect(map.valueSerializer.snapshot().id).toBe('msgpack');
  });

  it('enableTimeToLive() sets the TTL and returns the descriptor', () => {
    const ttl = StateTtlConfig.newBuilder(1_000).build();
    const descriptor = new ListStateDescriptor('l');
    expect(descriptor.ttlConfig).toBeUndefined();
    expect(descriptor.enableTimeToLive(ttl)).toBe(descriptor);
    expect(descriptor.ttlConfig).toBe(ttl);
  });

  it.each([
    [
      'an empty name',
      () => new ValueStateDescriptor('', Serializers.int),
      /non-empty string, received an empty string/,
    ],
    ['a blank name', () => new ListStateDescriptor('  '), /non-empty string/],
    [
      'a name that is not a string',
      () => new ValueStateDescriptor(7 as unknown as string),
      /received number/,
    ],
    [
      'no reduce function',
      () => new ReducingStateDescriptor('r', undefined as never),
      /reduce function is not a function/,
    ],
    [
      'an aggregate function without merge',
      () => new AggregatingStateDescriptor('a', { ...count, merge: undefined } as never),
      /has no merge\(\) method/,
    ],
    [
      'a serializer that is not one',
      () => new ValueStateDescriptor('v', {} as never),
      /not a TypeSerializer/,
    ],
  ])('rejects %s with InvalidStateDescriptorError', (_, create, message) => {
    expect(create).toThrow(InvalidStateDescriptorError);
    expect(create).toThrow(message);
  });
});
