import { SerializationError, Serializers, type TypeSerializer } from '../../../src/index.js';
import { BooleanSerializer } from '../../../src/serialization/boolean-serializer.js';
import { directEncodingOf } from '../../../src/serialization/direct-encoding.js';
import { IntSerializer } from '../../../src/serialization/int-serializer.js';
import { NumberSerializer } from '../../../src/serialization/number-serializer.js';
import { StringSerializer } from '../../../src/serialization/string-serializer.js';

// A direct encoding writes exactly what `serialize` returns, length-prefixed (unsigned LEB128),
// into a larger buffer: snapshots written either way read the same.

function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  const prefix: number[] = [];
  let v = bytes.length;
  while (v >= 0x80) {
    prefix.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  prefix.push(v);
  return new Uint8Array([...prefix, ...bytes]);
}

/** What the direct encoding of `serializer` writes for `value` at an offset into a used buffer. */
function written<T>(serializer: TypeSerializer<T>, value: T): Uint8Array {
  const encoding = directEncodingOf(serializer);
  if (encoding === undefined) throw new Error('no direct encoding');
  const room = encoding.maxLength(value);
  const buffer = new Uint8Array(room + 10).fill(0xee);
  const end = encoding.put(value, buffer, 3);
  expect(end - 3).toBeLessThanOrEqual(room);
  // Nothing is written past the room it asked for.
  expect(buffer.subarray(3 + room)).toEqual(new Uint8Array(buffer.length - 3 - room).fill(0xee));
  return buffer.subarray(3, end);
}

describe('direct encodings of the built-in serializers', () => {
  it('int: the serializer bytes, and its error for what it rejects', () => {
    for (const value of [0, -0, 1, -1, 258, 2_147_483_647, -2_147_483_648, 123_456_789]) {
      expect(written(Serializers.int, value)).toEqual(lengthPrefixed(Serializers.int.serialize(value)));
    }
    for (const bad of [1.5, 2_147_483_648, Number.NaN, '1' as unknown as number]) {
      expect(() => written(Serializers.int, bad)).toThrow(SerializationError);
    }
  });

  it('number: the serializer bytes, NaN canonical, -0 kept', () => {
    for (const value of [0, -0, 1.5, -1e300, 5e-324, Number.NaN, Number.NEGATIVE_INFINITY, 2 ** 53 + 2]) {
      expect(written(Serializers.number, value)).toEqual(lengthPrefixed(Serializers.number.serialize(value)));
    }
    expect(() => written(Serializers.number, 1n as unknown as number)).toThrow(SerializationError);
  });

  it('boolean: the serializer bytes', () => {
    for (const value of [true, false]) {
      expect(written(Serializers.boolean, value)).toEqual(
        lengthPrefixed(Serializers.boolean.serialize(value)),
      );
    }
    expect(() => written(Serializers.boolean, 1 as unknown as boolean)).toThrow(SerializationError);
  });

  it('string: UTF-8 with the right length prefix, ASCII or not, short or long', () => {
    const values = [
      '',
      'user-42',
      'x'.repeat(127),
      'x'.repeat(128),
      `${'x'.repeat(126)}é`,
      'Grüße, 世界',
      '😀'.repeat(40),
      'é'.repeat(50),
      'a'.repeat(20_000),
      `${'日'.repeat(6000)}`,
    ];
    for (const value of values) {
      expect(written(Serializers.string, value)).toEqual(lengthPrefixed(Serializers.string.serialize(value)));
    }
    expect(() => written(Serializers.string, 'a\ud800b')).toThrow(SerializationError);
    expect(() => written(Serializers.string, 42 as unknown as string)).toThrow(SerializationError);
  });

  it('only the built-in serializers as they are have one', () => {
    class Upper extends StringSerializer {
      override serialize(value: string): Uint8Array {
        return super.serialize(value.toUpperCase());
      }
    }
    expect(directEncodingOf(new Upper())).toBeUndefined();
    expect(directEncodingOf(Serializers.bytes)).toBeUndefined();
    expect(directEncodingOf(Serializers.msgpack())).toBeUndefined();
    expect(directEncodingOf(Serializers.nullable(Serializers.int))).toBeUndefined();
    for (const serializer of [
      IntSerializer.INSTANCE,
      NumberSerializer.INSTANCE,
      StringSerializer.INSTANCE,
      BooleanSerializer.INSTANCE,
    ]) {
      expect(directEncodingOf(serializer as TypeSerializer<unknown>)).toBeDefined();
    }
  });
});
