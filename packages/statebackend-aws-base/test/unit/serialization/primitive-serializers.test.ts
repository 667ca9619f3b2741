import {
  DeserializationError,
  SerializationError,
  Serializers,
  StateBackendError,
  type TypeSerializer,
} from '../../../src/index.js';
import { INT32_MAX, INT32_MIN } from '../../../src/serialization/int-serializer.js';

const roundTrip = <T>(serializer: TypeSerializer<T>, value: T): T =>
  serializer.deserialize(serializer.serialize(value));
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Calls `fn` and returns what it threw, failing the test when it did not throw. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('string serializer', () => {
  it.each([
    ['empty', ''],
    ['ascii', 'user-42'],
    ['unicode', 'Grüße, 東京 🚀'],
    ['a leading byte-order mark', '\uFEFFbom'],
    ['NUL characters', 'a\u0000b'],
    ['a long string', 'x'.repeat(100_000)],
  ])('round-trips %s', (_name, value) => {
    expect(roundTrip(Serializers.string, value)).toBe(value);
  });

  it('writes plain UTF-8', () => {
    expect(hex(Serializers.string.serialize('é€'))).toBe('c3a9e282ac');
  });

  it('rejects a non-string and a lone surrogate with a SerializationError naming the type', () => {
    const error = thrown(() => Serializers.string.serialize(42 as unknown as string));
    expect(error).toBeInstanceOf(SerializationError);
    expect(error).toBeInstanceOf(StateBackendError);
    expect(error).toMatchObject({
      name: 'SerializationError',
      serializerId: 'string',
      received: 'number 42',
    });
    expect(() => Serializers.string.serialize('bad \uD800 surrogate')).toThrow(
      /string \(length 15\), with a lone surrogate/,
    );
  });

  it('rejects invalid UTF-8 with a DeserializationError', () => {
    const error = thrown(() => Serializers.string.deserialize(new Uint8Array([0x61, 0xff, 0xfe])));
    expect(error).toBeInstanceOf(DeserializationError);
    expect(error).toMatchObject({ serializerId: 'string', byteLength: 3 });
  });
});

describe('number serializer', () => {
  it.each([
    0,
    -0,
    1,
    -1.5,
    Math.PI,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.MAX_SAFE_INTEGER,
    Infinity,
    -Infinity,
  ])('round-trips %p exactly', (value) => {
    expect(Object.is(roundTrip(Serializers.number, value), value)).toBe(true);
  });

  it('round-trips NaN, always as the same bytes', () => {
    expect(roundTrip(Serializers.number, Number.NaN)).toBeNaN();
    const otherNaN = new Float64Array(new BigUint64Array([0x7ff8_0000_0000_0001n]).buffer)[0] as number;
    expect(hex(Serializers.number.serialize(otherNaN))).toBe(hex(Serializers.number.serialize(Number.NaN)));
  });

  it('writes 8 big-endian bytes and tells 0 from -0', () => {
    expect(hex(Serializers.number.serialize(1))).toBe('3ff0000000000000');
    expect(hex(Serializers.number.serialize(-0))).toBe('8000000000000000');
  });

  it('rejects a non-number, and bytes of the wrong length', () => {
    expect(() => Serializers.number.serialize('1' as unknown as number)).toThrow(SerializationError);
    expect(() => Serializers.number.deserialize(new Uint8Array(7))).toThrow(DeserializationError);
  });
});

describe('int serializer', () => {
  it.each([0, 1, -1, INT32_MAX, INT32_MIN, 123_456_789])('round-trips %p', (value) => {
    expect(roundTrip(Serializers.int, value)).toBe(value);
  });

  it('writes 4 big-endian two-complement bytes', () => {
    expect(hex(Serializers.int.serialize(-2))).toBe('fffffffe');
    expect(hex(Serializers.int.serialize(INT32_MAX))).toBe('7fffffff');
  });

  it.each([
    ['a fraction', 1.5, 'number 1.5'],
    ['one above the maximum', INT32_MAX + 1, 'number 2147483648'],
    ['one below the minimum', INT32_MIN - 1, 'number -2147483649'],
    ['NaN', Number.NaN, 'number NaN'],
    ['Infinity', Infinity, 'number Infinity'],
    ['a string', '12', 'string (length 2)'],
  ])('rejects %s, saying what it received and accepts', (_name, value, received) => {
    const error = thrown(() => Serializers.int.serialize(value as number));
    expect(error).toBeInstanceOf(SerializationError);
    expect(error).toMatchObject({ serializerId: 'int', received });
    expect((error as Error).message).toContain('integers from -2147483648 to 2147483647');
  });

  it('rejects bytes that are not 4 long', () => {
    expect(() => Serializers.int.deserialize(new Uint8Array(3))).toThrow(
      /cannot decode 3 bytes: expected exactly 4/,
    );
  });
});

describe('bigint serializer', () => {
  const huge = 2n ** 4000n + 12_345n;
  it.each([
    ['0n', 0n],
    ['1n', 1n],
    ['-1n', -1n],
    ['127n', 127n],
    ['128n', 128n],
    ['-128n', -128n],
    ['-129n', -129n],
    ['2^63, beyond int64', 2n ** 63n],
    ['-2^63 - 1, beyond int64', -(2n ** 63n) - 1n],
    ['2^4000 + 12345', huge],
    ['-(2^4000 + 12345)', -huge],
  ])('round-trips %s', (_name, value) => {
    expect(roundTrip(Serializers.bigint, value)).toBe(value);
  });

  it('writes the shortest two-complement form, like Java BigInteger.toByteArray', () => {
    expect(hex(Serializers.bigint.serialize(0n))).toBe('00');
    expect(hex(Serializers.bigint.serialize(-1n))).toBe('ff');
    expect(hex(Serializers.bigint.serialize(127n))).toBe('7f');
    expect(hex(Serializers.bigint.serialize(128n))).toBe('0080');
    expect(hex(Serializers.bigint.serialize(-128n))).toBe('80');
    expect(hex(Serializers.bigint.serialize(-129n))).toBe('ff7f');
    expect(Serializers.bigint.serialize(huge).length).toBe(501);
  });

  it('rejects a number and empty bytes', () => {
    expect(() => Serializers.bigint.serialize(5 as unknown as bigint)).toThrow(
      /received: number 5\. It accepts bigints/,
    );
    expect(() => Serializers.bigint.deserialize(new Uint8Array(0))).toThrow(DeserializationError);
  });
});

describe('boolean serializer', () => {
  it('round-trips true and false as one byte', () => {
    expect(roundTrip(Serializers.boolean, true)).toBe(true);
    expect(roundTrip(Serializers.boolean, false)).toBe(false);
    expect(hex(Serializers.boolean.serialize(true))).toBe('01');
  });

  it('rejects a truthy non-boolean and any byte other than 0 or 1', () => {
    expect(() => Serializers.boolean.serialize(1 as unknown as boolean)).toThrow(SerializationError);
    expect(() => Serializers.boolean.deserialize(new Uint8Array([2]))).toThrow(DeserializationError);
    expect(() => Serializers.boolean.deserialize(new Uint8Array([1, 0]))).toThrow(DeserializationError);
  });
});

describe('bytes serializer', () => {
  it('round-trips empty and non-empty arrays, and Buffers as plain Uint8Arrays', () => {
    expect(roundTrip(Serializers.bytes, new Uint8Array(0))).toEqual(new Uint8Array(0));
    expect(roundTrip(Serializers.bytes, new Uint8Array([0, 255, 7]))).toEqual(new Uint8Array([0, 255, 7]));
    const fromBuffer = roundTrip(Serializers.bytes, Buffer.from('abc'));
    expect(fromBuffer.constructor).toBe(Uint8Array);
    expect(hex(fromBuffer)).toBe('616263');
  });

  it('copies, so later writes to the caller’s array do not change what was serialized or read', () => {
    const original = new Uint8Array([1, 2, 3]);
    const bytes = Serializers.bytes.serialize(original);
    original[0] = 99;
    expect(bytes[0]).toBe(1);
    const decoded = Serializers.bytes.deserialize(bytes);
    bytes[1] = 99;
    expect(decoded[1]).toBe(2);
  });

  it('rejects a plain array of numbers', () => {
    expect(() => Serializers.bytes.serialize([1, 2] as unknown as Uint8Array)).toThrow(/array \(length 2\)/);
  });
});
