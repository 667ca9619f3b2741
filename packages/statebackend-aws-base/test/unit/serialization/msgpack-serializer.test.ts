import { DeserializationError, SerializationError, Serializers } from '../../../src/index.js';
import { MsgpackSerializer } from '../../../src/serialization/msgpack-serializer.js';

const msgpack = Serializers.msgpack<unknown>();
const roundTrip = (value: unknown, serializer = msgpack): unknown =>
  serializer.deserialize(serializer.serialize(value));

const clickEvent = {
  userId: 'user-4711',
  page: '/products/42',
  timestamp: 1_700_000_000_123,
  referrer: null,
  session: { id: 'c0ffee', pageViews: 7, startedAt: new Date(1_699_999_990_000) },
  tags: ['promo', 'summer'],
  price: 49.99,
};

describe('msgpack serializer', () => {
  it.each([
    ['an empty object', {}],
    ['an empty array', []],
    ['an empty string', ''],
    ['null', null],
    ['undefined', undefined],
    ['unicode text', 'Grüße 🚀 東京'],
    ['a click event with a nested Date', clickEvent],
    ['deeply nested arrays and objects', { a: [[[{ b: [1, [2, [3]]] }]]] }],
    [
      'the int32 and safe-integer limits',
      [2_147_483_647, -2_147_483_648, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
    ],
    ['bigints inside and beyond 64 bits', [5n, -(2n ** 63n), 2n ** 200n + 1n]],
    ['a Set', new Set([1, 'two'])],
    ['bytes', new Uint8Array([0, 1, 255])],
  ])('round-trips %s', (_name, value) => {
    expect(roundTrip(value)).toEqual(value);
  });

  it('keeps what JSON loses: undefined properties, NaN, infinities and Dates', () => {
    const decoded = roundTrip({
      gone: undefined,
      nan: Number.NaN,
      inf: -Infinity,
      at: new Date(5),
    }) as Record<string, unknown>;
    expect(Object.hasOwn(decoded, 'gone')).toBe(true);
    expect(decoded.nan).toBeNaN();
    expect(decoded.inf).toBe(-Infinity);
    expect(decoded.at).toEqual(new Date(5));
  });

  it('writes -0 as the integer 0', () => {
    expect(Object.is(roundTrip(-0), 0)).toBe(true);
  });

  it('reads Maps back as plain objects by default, and as Maps with preserveMaps', () => {
    const value = {
      counts: new Map<string, number>([
        ['a', 1],
        ['b', 2],
      ]),
    };
    expect(roundTrip(value)).toEqual({ counts: { a: 1, b: 2 } });
    const preserving = new MsgpackSerializer<unknown>({ preserveMaps: true });
    const decoded = roundTrip(value, preserving) as typeof value;
    expect(decoded.counts).toBeInstanceOf(Map);
    expect([...decoded.counts]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('stores the fields of a class instance, ignoring its toJSON', () => {
    class Account {
      balance = 10;
      toJSON(): string {
        return 'redacted';
      }
    }
    expect(roundTrip(new Account())).toEqual({ balance: 10 });
  });

  it('rejects a function anywhere in the value with a typed error', () => {
    const error = (() => {
      try {
        msgpack.serialize({ handler: () => 1 });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(SerializationError);
    expect(error).toMatchObject({ serializerId: 'msgpack', received: 'object, contains a function' });
  });

  it('rejects a symbol and a circular object', () => {
    expect(() => msgpack.serialize({ s: Symbol('x') })).toThrow(/contains a symbol/);
    const node: Record<string, unknown> = { id: 1 };
    node.next = { back: node };
    expect(() => msgpack.serialize(node)).toThrow(/circular at \$\.next\.back/);
  });

  it('keeps working after a rejected value', () => {
    expect(() => msgpack.serialize({ f: () => 1 })).toThrow(SerializationError);
    expect(roundTrip(clickEvent)).toEqual(clickEvent);
  });

  it('rejects truncated bytes, trailing bytes and the reserved byte 0xC1', () => {
    const bytes = msgpack.serialize(clickEvent);
    expect(() => msgpack.deserialize(bytes.subarray(0, bytes.length - 3))).toThrow(DeserializationError);
    expect(() => msgpack.deserialize(new Uint8Array([...bytes, 0x01]))).toThrow(DeserializationError);
    expect(() => msgpack.deserialize(new Uint8Array([0xc1]))).toThrow(/reserved byte 0xC1/);
    expect(() => msgpack.deserialize(new Uint8Array(0))).toThrow(DeserializationError);
  });

  it('reads a value from a view into a larger buffer', () => {
    const bytes = msgpack.serialize({ a: 1 });
    const padded = new Uint8Array(bytes.length + 4);
    padded.set(bytes, 2);
    expect(msgpack.deserialize(padded.subarray(2, 2 + bytes.length))).toEqual({ a: 1 });
  });

  it('returns bytes that later serializations do not overwrite', () => {
    const first = msgpack.serialize({ n: 1 });
    const snapshot = Uint8Array.from(first);
    for (let i = 0; i < 10_000; i++) msgpack.serialize({ n: i, pad: 'x'.repeat(100) });
    expect(first).toEqual(snapshot);
  });

  it('copies deeply', () => {
    const copy = msgpack.copy(clickEvent) as typeof clickEvent;
    copy.session.pageViews = 8;
    expect(clickEvent.session.pageViews).toBe(7);
    expect(copy).not.toBe(clickEvent);
  });
});
