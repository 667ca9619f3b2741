import {
  checkSerializerCompatibility,
  IncompatibleSerializerError,
  type SerializerCompatibility,
  type SerializerSnapshot,
  Serializers,
  StateBackendError,
  type TypeSerializer,
} from '../../../src/index.js';
import { MsgpackSerializer } from '../../../src/serialization/msgpack-serializer.js';

/** The snapshot as a checkpoint stores and reads it back: through JSON. */
const stored = (serializer: TypeSerializer<unknown>): SerializerSnapshot =>
  JSON.parse(JSON.stringify(serializer.snapshot())) as SerializerSnapshot;

const resolve = <T>(current: TypeSerializer<T>, previous: TypeSerializer<unknown>): SerializerCompatibility =>
  current.resolveCompatibility(stored(previous));

/** Reads bytes written by `previous` with `current`, as a restore would after resolving. */
function readOld<T>(current: TypeSerializer<T>, previous: TypeSerializer<unknown>, value: unknown): unknown {
  const result = resolve(current, previous);
  const bytes = previous.serialize(value);
  if (result.kind === 'incompatible') throw new Error(result.reason);
  return result.kind === 'compatible-as-is' ? current.deserialize(bytes) : result.migrate(bytes);
}

const as = <T>(serializer: TypeSerializer<T>): TypeSerializer<unknown> =>
  serializer as TypeSerializer<unknown>;

describe('resolveCompatibility', () => {
  it.each<[string, TypeSerializer<unknown>]>([
    ['string', as(Serializers.string)],
    ['msgpack', as(Serializers.msgpack())],
    ['msgpack deterministic (same format)', as(Serializers.msgpack({ deterministic: true }))],
    ['list of int', as(Serializers.list(Serializers.int))],
    ['tuple', as(Serializers.tuple(Serializers.string, Serializers.nullable(Serializers.bigint)))],
    ['map', as(Serializers.map(Serializers.string, Serializers.json()))],
  ])('%s reads its own stored snapshot as-is', (_name, serializer) => {
    expect(serializer.resolveCompatibility(stored(serializer)).kind).toBe('compatible-as-is');
  });

  it('msgpack reads the deterministic variant as-is: sorting keys changes no format', () => {
    expect(resolve(Serializers.msgpack(), as(Serializers.msgpack({ deterministic: true }))).kind).toBe(
      'compatible-as-is',
    );
  });

  it('int widens to number and to bigint after migration', () => {
    expect(resolve(Serializers.number, as(Serializers.int)).kind).toBe('compatible-after-migration');
    expect(readOld(Serializers.number, as(Serializers.int), -2_147_483_648)).toBe(-2_147_483_648);
    expect(readOld(Serializers.bigint, as(Serializers.int), 123)).toBe(123n);
  });

  it('number does not narrow to int', () => {
    const result = resolve(Serializers.int, as(Serializers.number));
    expect(result).toEqual({ kind: 'incompatible', reason: "'int' cannot read the 'number' format" });
  });

  it('json migrates to msgpack', () => {
    const value = { user: 'u1', visits: [1, 2], nested: { ok: true } };
    expect(resolve(Serializers.msgpack(), as(Serializers.json())).kind).toBe('compatible-after-migration');
    expect(readOld(Serializers.msgpack(), as(Serializers.json()), value)).toEqual(value);
  });

  it('msgpack switching preserveMaps migrates with the old decoder', () => {
    const previous = as(new MsgpackSerializer({ preserveMaps: true }));
    const value = { counts: new Map([['a', 1]]) };
    expect(resolve(Serializers.msgpack(), previous).kind).toBe('compatible-after-migration');
    expect(readOld(Serializers.msgpack(), previous, value)).toEqual(value);
  });

  it('unrelated formats and newer versions are incompatible, with a reason', () => {
    expect(resolve(Serializers.string, as(Serializers.bytes))).toMatchObject({ kind: 'incompatible' });
    expect(Serializers.string.resolveCompatibility({ id: 'string', version: 2 })).toEqual({
      kind: 'incompatible',
      reason: "'string' reads version 1, the data is version 2",
    });
  });

  it('composites migrate element by element, keeping their structure', () => {
    const oldList = as(Serializers.list(Serializers.nullable(Serializers.int)));
    const newList = Serializers.list(Serializers.nullable(Serializers.number));
    expect(readOld(newList, oldList, [1, null, -3])).toEqual([1, null, -3]);

    const oldMap = as(Serializers.map(Serializers.string, Serializers.int));
    const newMap = Serializers.map(Serializers.string, Serializers.bigint);
    expect(readOld(newMap, oldMap, new Map([['a', 7]]))).toEqual(new Map([['a', 7n]]));

    const oldTuple = as(Serializers.tuple(Serializers.string, Serializers.int));
    const newTuple = Serializers.tuple(Serializers.string, Serializers.number);
    expect(readOld(newTuple, oldTuple, ['k', 5])).toEqual(['k', 5]);
  });

  it('composites are incompatible when a part is, and say which part', () => {
    expect(resolve(Serializers.list(Serializers.int), as(Serializers.list(Serializers.string)))).toEqual({
      kind: 'incompatible',
      reason: "element: 'int' cannot read the 'string' format",
    });
    expect(
      resolve(
        Serializers.map(Serializers.int, Serializers.int),
        as(Serializers.map(Serializers.string, Serializers.int)),
      ),
    ).toMatchObject({ reason: expect.stringMatching(/^map key: /) });
    expect(
      resolve(
        Serializers.tuple(Serializers.string),
        as(Serializers.tuple(Serializers.string, Serializers.int)),
      ),
    ).toEqual({ kind: 'incompatible', reason: 'the stored tuple has 2 components, the current one 1' });
    expect(Serializers.list(Serializers.int).resolveCompatibility({ id: 'list', version: 1 })).toMatchObject({
      reason: 'the stored snapshot records no element serializer',
    });
  });
});

describe('checkSerializerCompatibility', () => {
  it('returns the compatibility when the current serializer reads the stored one', () => {
    expect(
      checkSerializerCompatibility('clicks', 'value', stored(as(Serializers.int)), as(Serializers.int)),
    ).toEqual({
      kind: 'compatible-as-is',
    });
    const result = checkSerializerCompatibility(
      'clicks',
      'value',
      stored(as(Serializers.int)),
      as(Serializers.number),
    );
    expect(result.kind).toBe('compatible-after-migration');
  });

  it('throws an IncompatibleSerializerError naming the state, role and both serializers', () => {
    let error: unknown;
    try {
      checkSerializerCompatibility('clicks', 'mapValue', stored(as(Serializers.json())), as(Serializers.int));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IncompatibleSerializerError);
    expect(error).toBeInstanceOf(StateBackendError);
    expect(error).toMatchObject({
      name: 'IncompatibleSerializerError',
      stateName: 'clicks',
      role: 'mapValue',
      stored: 'json@1',
      current: 'int@1',
    });
    expect((error as Error).message).toMatch(
      /^State 'clicks': the map value serializer int@1 cannot read data written by json@1 \('int' cannot read the 'json' format\)/,
    );
  });

  it.each(['key', 'namespace', 'mapKey'] as const)('refuses a migration of the %s serializer', (role) => {
    expect(() =>
      checkSerializerCompatibility('visits', role, stored(as(Serializers.int)), as(Serializers.number)),
    ).toThrow(/keys, namespaces and map keys must read the stored bytes as-is/);
  });
});
