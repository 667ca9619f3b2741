import { DeserializationError, SerializationError, Serializers } from '../../../src/index.js';

const json = Serializers.json<unknown>();
const roundTrip = (value: unknown): unknown => json.deserialize(json.serialize(value));

describe('json serializer', () => {
  it.each([
    ['an empty object', {}],
    ['an empty array', []],
    ['an empty string', ''],
    ['null', null],
    ['unicode text', { name: 'Zoë 🚀', city: '東京' }],
    ['nested structures', { a: [1, { b: [true, null, 'x'] }], c: { d: { e: -1.25 } } }],
  ])('round-trips %s', (_name, value) => {
    expect(roundTrip(value)).toEqual(value);
  });

  it('writes UTF-8 JSON text any tool can read', () => {
    expect(new TextDecoder().decode(json.serialize({ a: 1, b: 'é' }))).toBe('{"a":1,"b":"é"}');
  });

  it('follows JSON.stringify: Dates become strings and NaN becomes null', () => {
    expect(roundTrip({ at: new Date(0), n: Number.NaN })).toEqual({
      at: '1970-01-01T00:00:00.000Z',
      n: null,
    });
  });

  it('is not deterministic: property order changes the bytes', () => {
    expect(json.deterministic).toBe(false);
    expect(json.serialize({ a: 1, b: 2 })).not.toEqual(json.serialize({ b: 2, a: 1 }));
  });

  it('rejects a circular object, naming where the cycle closes', () => {
    const session: Record<string, unknown> = { id: 's1' };
    session.self = { owner: session };
    expect(() => json.serialize(session)).toThrow(SerializationError);
    expect(() => json.serialize(session)).toThrow(/object, circular at \$\.self\.owner/);
  });

  it('rejects a bigint, a function and undefined at the top level', () => {
    expect(() => json.serialize({ big: 1n })).toThrow(/BigInt/);
    expect(() => json.serialize(() => 1)).toThrow(/received: function\. It accepts JSON-compatible values/);
    expect(() => json.serialize(undefined)).toThrow(/received: undefined/);
  });

  it('rejects bytes that are not JSON', () => {
    expect(() => json.deserialize(new TextEncoder().encode('{"a":'))).toThrow(DeserializationError);
    expect(() => json.deserialize(new Uint8Array([0xff]))).toThrow(/not UTF-8 JSON/);
  });

  it('copies deeply', () => {
    const original = { nested: { count: 1 } };
    const copy = json.copy(original) as typeof original;
    copy.nested.count = 2;
    expect(original.nested.count).toBe(1);
  });
});
