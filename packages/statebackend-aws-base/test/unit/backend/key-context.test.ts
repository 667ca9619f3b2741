import { interleave, seededRandom } from '@statebackend/testkit';
import type { KeyContext } from '../../../src/backend/key-context.js';
import { HeapKeyedStateBackend } from '../../../src/heap/heap-keyed-state-backend.js';
import {
  type AggregateFunction,
  AggregatingStateDescriptor,
  assignToKeyGroup,
  KeyGroupRange,
  KeySerializationError,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  Serializers,
  type TypeSerializer,
  ValueStateDescriptor,
} from '../../../src/index.js';

interface Order {
  readonly customer: string;
  readonly item: string;
  readonly amount: number;
  readonly window: number;
}

const orders = new ValueStateDescriptor('orders', Serializers.int, 0);
const history = new ListStateDescriptor<string>('history', Serializers.string);
const perItem = new MapStateDescriptor('per-item', Serializers.string, Serializers.int);
const total = new ReducingStateDescriptor('total', (a: number, b: number) => a + b, Serializers.number);
const largest: AggregateFunction<number, { max: number }, number> = {
  createAccumulator: () => ({ max: Number.NEGATIVE_INFINITY }),
  add: (value, acc) => ({ max: Math.max(acc.max, value) }),
  getResult: (acc) => acc.max,
  merge: (a, b) => ({ max: Math.max(a.max, b.max) }),
};
const maxAmount = new AggregatingStateDescriptor('max', largest);
const perWindow = new ListStateDescriptor<number>('per-window', Serializers.number);

function newBackend(
  keySerializer: TypeSerializer<string> = Serializers.string,
): HeapKeyedStateBackend<string> {
  return new HeapKeyedStateBackend({
    jobId: 'job',
    operatorId: 'op',
    keyGroupRange: KeyGroupRange.of(0, 127),
    maxParallelism: 128,
    keySerializer,
  });
}

/** Processes one order with awaits that yield `turns[i]` times between state accesses. */
function process(
  backend: HeapKeyedStateBackend<string>,
  order: Order,
  turns: readonly number[],
): Promise<void> {
  return backend.withKey(order.customer, async (ctx) => {
    const count = ctx.getState(orders);
    const seen = await count.value();
    await interleave(turns[0] ?? 0);
    await count.update(seen + 1);
    await ctx.getState(history).add(`${order.item}:${order.amount}`);
    await interleave(turns[1] ?? 0);
    const items = ctx.getState(perItem);
    await items.put(order.item, ((await items.get(order.item)) ?? 0) + 1);
    await ctx.getState(total).add(order.amount);
    await interleave(turns[2] ?? 0);
    await ctx.getState(maxAmount).add(order.amount);
    await ctx.getPartitionedState(perWindow, Serializers.int).inNamespace(order.window).add(order.amount);
  });
}

async function stateOf(backend: HeapKeyedStateBackend<string>, customer: string): Promise<unknown[]> {
  return backend.withKey(customer, async (ctx) => {
    const windows = ctx.getPartitionedState(perWindow, Serializers.int);
    return [
      await ctx.getState(orders).value(),
      await ctx.getState(history).get(),
      (await ctx.getState(perItem).entries()).sort(([a], [b]) => a.localeCompare(b)),
      await ctx.getState(total).get(),
      await ctx.getState(maxAmount).get(),
      await windows.inNamespace(0).get(),
      await windows.inNamespace(1).get(),
    ];
  });
}

describe('key context', () => {
  it('1,000 records of 100 keys processed concurrently with interleaved awaits end exactly as sequential processing', async () => {
    const random = seededRandom(7);
    const records: Order[] = Array.from({ length: 1_000 }, () => ({
      customer: `customer-${Math.floor(random() * 100)}`,
      item: `item-${Math.floor(random() * 5)}`,
      amount: Math.round(random() * 10_000) / 100,
      window: Math.floor(random() * 2),
    }));
    const turns = records.map(() => [0, 1, 2].map(() => Math.floor(random() * 6)));

    const sequential = newBackend();
    for (const [i, record] of records.entries()) await process(sequential, record, turns[i] ?? []);
    const concurrent = newBackend();
    await Promise.all(records.map((record, i) => process(concurrent, record, turns[i] ?? [])));

    const customers = [...new Set(records.map((record) => record.customer))];
    expect(customers.length).toBeGreaterThan(90);
    for (const customer of customers) {
      expect({ customer, state: await stateOf(concurrent, customer) }).toEqual({
        customer,
        state: await stateOf(sequential, customer),
      });
    }
  });

  it('serializes the key and finds its key group once per record, however many state accesses follow', async () => {
    let serialized = 0;
    const counting: TypeSerializer<string> = {
      ...Serializers.string,
      deterministic: true,
      snapshot: () => Serializers.string.snapshot(),
      resolveCompatibility: (previous) => Serializers.string.resolveCompatibility(previous),
      copy: (value) => value,
      deserialize: (bytes) => Serializers.string.deserialize(bytes),
      serialize: (value) => {
        serialized++;
        return Serializers.string.serialize(value);
      },
    };
    const backend = newBackend(counting);
    await process(backend, { customer: 'c', item: 'i', amount: 1, window: 0 }, [1, 1, 1]);
    await process(backend, { customer: 'c', item: 'i', amount: 2, window: 1 }, [0, 0, 0]);
    expect(serialized).toBe(2);
  });

  it('exposes the key and its key group to the record', async () => {
    const backend = newBackend();
    const seen = await backend.withKey('user-7', (ctx) => [ctx.key, ctx.keyGroup]);
    expect(seen).toEqual(['user-7', assignToKeyGroup(Serializers.string.serialize('user-7'), 128)]);
  });

  it('finds the same key group and bytes for ASCII and non-ASCII string keys as the serializer gives', async () => {
    const backend = newBackend();
    for (const key of [
      '',
      'user-7',
      'a',
      'abcdefgh',
      'caf\u00e9',
      '\u00e9',
      'k\u{1f600}',
      '\u0000\u007f',
      `${'\u00e9'.repeat(20)}x`,
      'z\u00e9'.repeat(1500),
    ]) {
      const bytes = Serializers.string.serialize(key);
      const seen = await backend.withKey(key, (ctx) => [
        ctx.keyGroup,
        [...(ctx as KeyContext<string>).keyBytes],
      ]);
      expect(seen).toEqual([assignToKeyGroup(bytes, 128), [...bytes]]);
    }
  });

  it('keeps ASCII and non-ASCII string map keys and namespaces apart and gives them back', async () => {
    const backend = newBackend();
    const names = ['sku-1', 'sk\u00fc-1', '\u00e9', 'e', ''];
    const counts = new MapStateDescriptor('counts', Serializers.string, Serializers.int);
    const perDay = new ListStateDescriptor<string>('per-day', Serializers.string);
    await backend.withKey('k', async (ctx) => {
      const map = ctx.getState(counts);
      const lists = ctx.getPartitionedState(perDay, Serializers.string);
      for (const [i, name] of names.entries()) {
        await map.put(name, i);
        await lists.inNamespace(name).add(name);
      }
      for (const [i, name] of names.entries()) {
        expect(await map.get(name)).toBe(i);
        expect(await lists.inNamespace(name).get()).toEqual([name]);
      }
      expect([...(await map.keys())].sort()).toEqual([...names].sort());
    });
    for (const name of names) {
      const listed: string[] = [];
      for await (const key of backend.keys('per-day', name)) listed.push(key);
      expect(listed).toEqual(['k']);
    }
  });

  it('rejects a string key with a lone surrogate as the string serializer does', async () => {
    const backend = newBackend();
    await expect(backend.withKey('a\ud800', () => 1)).rejects.toThrow(KeySerializationError);
  });

  it('keeps the state of ASCII and non-ASCII keys apart and lists their keys back', async () => {
    const backend = newBackend();
    const label = new ValueStateDescriptor('label', Serializers.string);
    const keys = ['caf\u00e9', 'cafe', 'caf\u00c3\u00a9', '\u00e9', 'e'];
    for (const key of keys) await backend.withKey(key, (ctx) => ctx.getState(label).update(key));
    for (const key of keys)
      expect(await backend.withKey(key, (ctx) => ctx.getState(label).value())).toBe(key);
    const listed: string[] = [];
    for await (const key of backend.keys('label')) listed.push(key);
    expect(listed.sort()).toEqual([...keys].sort());
  });

  it('lets a handle obtained in one record keep addressing its key after the record', async () => {
    const backend = newBackend();
    const label = new ValueStateDescriptor('label', Serializers.string);
    const handleOfA = await backend.withKey('a', (ctx) => ctx.getState(label));
    await backend.withKey('b', (ctx) => ctx.getState(label).update('b'));
    await handleOfA.update('a');
    expect(await backend.withKey('a', (ctx) => ctx.getState(label).value())).toBe('a');
    expect(await backend.withKey('b', (ctx) => ctx.getState(label).value())).toBe('b');
  });
});
