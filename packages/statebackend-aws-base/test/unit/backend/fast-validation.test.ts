import { fastAcceptCheck } from '../../../src/backend/states/fast-validation.js';
import { Serializers, type TypeSerializer } from '../../../src/index.js';

const samples: unknown[] = [
  0,
  -0,
  1,
  -1.5,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.MAX_SAFE_INTEGER,
  '',
  'text',
  'é✓',
  '\uD800',
  'a\uDC00b',
  true,
  false,
  0n,
  -(2n ** 100n),
  null,
  undefined,
  {},
  [],
  Symbol('s'),
];

function accepts(serializer: TypeSerializer<unknown>, value: unknown): boolean {
  try {
    serializer.serialize(value);
    return true;
  } catch {
    return false;
  }
}

describe('checks of the built-in serializers that skip serializing on write', () => {
  it.each([
    ['number', Serializers.number],
    ['int', Serializers.int],
    ['string', Serializers.string],
    ['boolean', Serializers.boolean],
    ['bigint', Serializers.bigint],
  ])('accept exactly what the %s serializer accepts', (_, serializer) => {
    const check = fastAcceptCheck(serializer as TypeSerializer<unknown>);
    expect(check).toBeDefined();
    for (const value of samples) {
      expect({ value, accepted: check?.(value) }).toEqual({
        value,
        accepted: accepts(serializer as TypeSerializer<unknown>, value),
      });
    }
  });

  it('exist only for serializers of immutable values', () => {
    expect(fastAcceptCheck(Serializers.msgpack())).toBeUndefined();
    expect(fastAcceptCheck(Serializers.bytes as TypeSerializer<unknown>)).toBeUndefined();
  });
});
