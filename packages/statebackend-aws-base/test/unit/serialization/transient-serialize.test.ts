import { Serializers } from '../../../src/index.js';
import { IntSerializer } from '../../../src/serialization/int-serializer.js';

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
});
