import {
  DeserializationError,
  SerializationError,
  Serializers,
  type TypeSerializer,
} from '../../../src/index.js';

const roundTrip = <T>(serializer: TypeSerializer<T>, value: T): T =>
  serializer.deserialize(serializer.serialize(value));

describe('nullable serializer', () => {
  const nullableInt = Serializers.nullable(Serializers.int);

  it('round-trips null and values, including the inner serializer’s own edge values', () => {
    expect(roundTrip(nullableInt, null)).toBeNull();
    expect(roundTrip(nullableInt, 0)).toBe(0);
    expect(roundTrip(nullableInt, -2_147_483_648)).toBe(-2_147_483_648);
    expect(roundTrip(Serializers.nullable(Serializers.string), '')).toBe('');
  });

  it('keeps the inner serializer’s checks and determinism', () => {
    expect(() => nullableInt.serialize(1.5)).toThrow(SerializationError);
    expect(nullableInt.deterministic).toBe(true);
    expect(Serializers.nullable(Serializers.json()).deterministic).toBe(false);
  });

  it('rejects an unknown tag and bytes after null', () => {
    expect(() => nullableInt.deserialize(new Uint8Array([2, 0, 0, 0, 1]))).toThrow(/unknown tag 2/);
    expect(() => nullableInt.deserialize(new Uint8Array([0, 0]))).toThrow(DeserializationError);
    expect(() => nullableInt.deserialize(new Uint8Array([]))).toThrow(DeserializationError);
  });
});

describe('list serializer', () => {
  const strings = Serializers.list(Serializers.string);

  it('round-trips empty lists, empty elements, unicode and long lists', () => {
    expect(roundTrip(strings, [])).toEqual([]);
    expect(roundTrip(strings, ['', 'a', ''])).toEqual(['', 'a', '']);
    expect(roundTrip(strings, ['東京', '🚀'])).toEqual(['東京', '🚀']);
    const long = Array.from({ length: 1000 }, (_, i) => `page-${i}`.repeat(i % 7));
    expect(roundTrip(strings, long)).toEqual(long);
  });

  it('nests: lists of lists of nullable ints', () => {
    const nested = Serializers.list(Serializers.list(Serializers.nullable(Serializers.int)));
    expect(roundTrip(nested, [[1, null], [], [null]])).toEqual([[1, null], [], [null]]);
  });

  it('names the element serializer when an element is rejected', () => {
    expect(() => Serializers.list(Serializers.int).serialize([1, 2.5])).toThrow(/'int' serializer/);
    expect(() => strings.serialize('abc' as unknown as string[])).toThrow(
      /'list' serializer .* string \(length 3\)/,
    );
  });

  it('rejects a count larger than the data and truncated elements', () => {
    const bytes = strings.serialize(['abc', 'def']);
    expect(() => strings.deserialize(bytes.subarray(0, bytes.length - 1))).toThrow(/runs past the end/);
    expect(() => strings.deserialize(new Uint8Array([0xff, 0xff, 0x03]))).toThrow(DeserializationError);
    expect(() => strings.deserialize(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))).toThrow(/varint/);
  });

  it('copies elements with the element serializer', () => {
    const lists = Serializers.list(Serializers.bytes);
    const original = [new Uint8Array([1])];
    const copy = lists.copy(original);
    (copy[0] as Uint8Array)[0] = 9;
    expect(original[0]?.[0]).toBe(1);
  });
});

describe('map serializer', () => {
  const counts = Serializers.map(Serializers.string, Serializers.int);

  it('round-trips empty and non-empty Maps, keeping insertion order', () => {
    expect(roundTrip(counts, new Map())).toEqual(new Map());
    const value = new Map([
      ['z', 1],
      ['a', -2],
      ['', 0],
    ]);
    const decoded = roundTrip(counts, value);
    expect(decoded).toBeInstanceOf(Map);
    expect([...decoded]).toEqual([...value]);
  });

  it('round-trips non-string keys', () => {
    const byId = Serializers.map(Serializers.bigint, Serializers.msgpack<{ n: number }>());
    const value = new Map([
      [2n ** 70n, { n: 1 }],
      [-1n, { n: 2 }],
    ]);
    expect(roundTrip(byId, value)).toEqual(value);
  });

  it('is not deterministic, and rejects a plain object', () => {
    expect(counts.deterministic).toBe(false);
    expect(() => counts.serialize({ a: 1 } as unknown as Map<string, number>)).toThrow(
      /accepts Map instances/,
    );
  });

  it('rejects truncated entries', () => {
    const bytes = counts.serialize(new Map([['k', 1]]));
    expect(() => counts.deserialize(bytes.subarray(0, bytes.length - 2))).toThrow(DeserializationError);
  });
});

describe('tuple serializer', () => {
  const userAndDay = Serializers.tuple(Serializers.string, Serializers.int);

  it('round-trips compound keys with typed components', () => {
    const value: [string, number] = ['user-42', 19_700];
    expect(roundTrip(userAndDay, value)).toEqual(value);
    expect(roundTrip(userAndDay, ['', -1])).toEqual(['', -1]);
    const triple = Serializers.tuple(
      Serializers.bytes,
      Serializers.nullable(Serializers.string),
      Serializers.boolean,
    );
    expect(roundTrip(triple, [new Uint8Array([1]), null, true])).toEqual([new Uint8Array([1]), null, true]);
  });

  it('keeps component boundaries: ("ab", "c") and ("a", "bc") differ', () => {
    const pair = Serializers.tuple(Serializers.string, Serializers.string);
    expect(pair.serialize(['ab', 'c'])).not.toEqual(pair.serialize(['a', 'bc']));
  });

  it('is deterministic when every component is', () => {
    expect(userAndDay.deterministic).toBe(true);
    expect(Serializers.tuple(Serializers.string, Serializers.json()).deterministic).toBe(false);
  });

  it('rejects a tuple of the wrong length and trailing bytes', () => {
    expect(() => userAndDay.serialize(['only-one'] as unknown as [string, number])).toThrow(
      /arrays of exactly 2 elements/,
    );
    const bytes = userAndDay.serialize(['u', 1]);
    expect(() => userAndDay.deserialize(new Uint8Array([...bytes, 0]))).toThrow(/1 unexpected bytes/);
  });
});
