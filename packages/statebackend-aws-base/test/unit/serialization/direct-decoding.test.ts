import { DeserializationError, Serializers, type TypeSerializer } from '../../../src/index.js';
import { BooleanSerializer } from '../../../src/serialization/boolean-serializer.js';
import { directDecodingOf } from '../../../src/serialization/direct-decoding.js';
import { IntSerializer } from '../../../src/serialization/int-serializer.js';
import { NumberSerializer } from '../../../src/serialization/number-serializer.js';
import { StringSerializer } from '../../../src/serialization/string-serializer.js';

// A direct decoding reads from a larger buffer exactly what `deserialize` returns for the same
// bytes, and rejects what it rejects with its error.

/** What the direct decoding of `serializer` reads from `bytes` placed inside a larger buffer. */
function read<T>(serializer: TypeSerializer<T>, bytes: Uint8Array): T {
  const decoding = directDecodingOf(serializer);
  if (decoding === undefined) throw new Error('no direct decoding');
  const buffer = new Uint8Array(bytes.length + 10).fill(0xee);
  buffer.set(bytes, 3);
  return decoding.get(buffer, 3, bytes.length);
}

function roundTrips<T>(serializer: TypeSerializer<T>, values: readonly T[]): void {
  for (const value of values) {
    const bytes = serializer.serialize(value);
    expect(read(serializer, bytes)).toEqual(serializer.deserialize(bytes));
  }
}

describe('direct decodings of the built-in serializers', () => {
  it('int: the deserialized value, and its error for what it rejects', () => {
    roundTrips(Serializers.int, [0, 1, -1, 258, 2_147_483_647, -2_147_483_648, 123_456_789]);
    expect(Object.is(read(Serializers.int, new Uint8Array(4)), 0)).toBe(true);
    for (const bad of [new Uint8Array(3), new Uint8Array(5), new Uint8Array(0)]) {
      expect(() => read(Serializers.int, bad)).toThrow(DeserializationError);
    }
  });

  it('number: the deserialized value, -0 and NaN kept', () => {
    roundTrips(Serializers.number, [0, 1.5, -1e300, 5e-324, Number.NEGATIVE_INFINITY, 2 ** 53 + 2]);
    expect(Object.is(read(Serializers.number, Serializers.number.serialize(-0)), -0)).toBe(true);
    expect(read(Serializers.number, Serializers.number.serialize(Number.NaN))).toBeNaN();
    expect(() => read(Serializers.number, new Uint8Array(4))).toThrow(DeserializationError);
  });

  it('boolean: the deserialized value', () => {
    roundTrips(Serializers.boolean, [true, false]);
    for (const bad of [new Uint8Array([2]), new Uint8Array(0), new Uint8Array([1, 0])]) {
      expect(() => read(Serializers.boolean, bad)).toThrow(DeserializationError);
    }
  });

  it('string: ASCII or not, short or long', () => {
    roundTrips(Serializers.string, [
      '',
      'user-42',
      'x'.repeat(24),
      'x'.repeat(25),
      'x'.repeat(300),
      `${'x'.repeat(10)}é`,
      'Grüße, 世界',
      '\ufeffbom',
      '😀'.repeat(40),
    ]);
    expect(() => read(Serializers.string, new Uint8Array([0x61, 0xff]))).toThrow(DeserializationError);
    expect(() => read(Serializers.string, new Uint8Array([0xc3]))).toThrow(DeserializationError);
  });

  it('only the built-in serializers as they are have one', () => {
    class Lower extends StringSerializer {
      override deserialize(bytes: Uint8Array): string {
        return super.deserialize(bytes).toLowerCase();
      }
    }
    expect(directDecodingOf(new Lower())).toBeUndefined();
    expect(directDecodingOf(Serializers.bytes)).toBeUndefined();
    expect(directDecodingOf(Serializers.msgpack())).toBeUndefined();
    expect(directDecodingOf(Serializers.nullable(Serializers.int))).toBeUndefined();
    for (const serializer of [
      IntSerializer.INSTANCE,
      NumberSerializer.INSTANCE,
      StringSerializer.INSTANCE,
      BooleanSerializer.INSTANCE,
    ]) {
      expect(directDecodingOf(serializer as TypeSerializer<unknown>)).toBeDefined();
    }
  });
});
