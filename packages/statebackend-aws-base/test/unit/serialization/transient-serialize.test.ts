import { SerializationError, Serializers } from '../../../src/index.js';
import { IntSerializer } from '../../../src/serialization/int-serializer.js';
import { StringSerializer } from '../../../src/serialization/string-serializer.js';

// serializeTransient writes the same bytes as serialize, into an array the caller copies at once.

describe('serializeTransient', () => {
  it('int: the same bytes as serialize, in a scratch array the next call overwrites', () => {
    const int = Serializers.int;
    const first = int.serializeTransient?.(258);
    expect(first).toEqual(int.serialize(258));
    const kept = first?.slice();
    const second = int.serializeTransient?.(-1);
    expect(second).toEqual(int.serialize(-1));
    expect(kept).toEqual(new Uint8Array([0, 0, 1, 2]));
    // serialize itself still hands out arrays of their own.
    const a = int.serialize(1);
    int.serialize(2);
    expect(a).toEqual(new Uint8Array([0, 0, 0, 1]));
    expect(() => int.serializeTransient?.(1.5)).toThrow(/integers from/);
    expect(IntSerializer.INSTANCE.serializeTransient).toBeDefined();
  });

  it('bytes: the value itself, checked as serialize checks it', () => {
    const value = new Uint8Array([1, 2, 3]);
    expect(Serializers.bytes.serializeTransient?.(value)).toBe(value);
    expect(Serializers.bytes.serialize(value)).not.toBe(value);
    expect(() => Serializers.bytes.serializeTransient?.('x' as unknown as Uint8Array)).toThrow();
  });

  it('number: the same bytes as serialize, NaN canonical', () => {
    const number = Serializers.number;
    for (const value of [0, -0, 1.5, -1e300, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53 + 2]) {
      expect(number.serializeTransient?.(value)).toEqual(number.serialize(value));
    }
    expect(() => number.serializeTransient?.('1' as unknown as number)).toThrow(SerializationError);
  });

  it('string: the same bytes as serialize, ASCII or not, and the same error for a lone surrogate', () => {
    const string = Serializers.string;
    for (const value of [
      '',
      'user-42',
      'x'.repeat(64),
      'x'.repeat(65),
      'Grüße',
      '日本',
      '😀',
      'a'.repeat(5000),
    ]) {
      expect(string.serializeTransient?.(value)).toEqual(string.serialize(value));
    }
    expect(() => string.serializeTransient?.('\ud800')).toThrow(SerializationError);
    expect(() => string.serializeTransient?.(7 as unknown as string)).toThrow(SerializationError);
  });

  it('a subclass that changes serialize keeps its bytes in the transient form too', () => {
    class Upper extends StringSerializer {
      override serialize(value: string): Uint8Array {
        return super.serialize(value.toUpperCase());
      }
    }
    expect(new Upper().serializeTransient('abc')).toEqual(new TextEncoder().encode('ABC'));
  });
});
