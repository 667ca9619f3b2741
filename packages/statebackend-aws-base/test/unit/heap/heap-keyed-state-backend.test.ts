import { ManualClock } from '@statebackend/testkit';
import { ListContainer, MapContainer } from '../../../src/heap/containers.js';
import { HeapKeyedStateBackend } from '../../../src/heap/heap-keyed-state-backend.js';
import type { HeapStateSnapshot, StateSnapshotPart } from '../../../src/heap/heap-state-snapshot.js';
import {
  assignToKeyGroup,
  KeyGroupRange,
  ListStateDescriptor,
  MapStateDescriptor,
  MetricRegistry,
  ReducingStateDescriptor,
  Serializers,
  StateTtlConfig,
  ValueStateDescriptor,
} from '../../../src/index.js';
import type { TtlValue } from '../../../src/spi.js';

function newBackend(
  options: { clock?: ManualClock; registry?: MetricRegistry } = {},
): HeapKeyedStateBackend<string> {
  return new HeapKeyedStateBackend({
    jobId: 'job',
    operatorId: 'op',
    keyGroupRange: KeyGroupRange.of(0, 127),
    maxParallelism: 128,
    keySerializer: Serializers.string,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.registry === undefined ? {} : { metricGroup: options.registry.createGroup({}) }),
  });
}

const keyGroupOf = (key: string): number => assignToKeyGroup(Serializers.string.serialize(key), 128);

/** What the snapshot would write for `stateName`: cell id → plain value, lists and maps unpacked. */
function written(snapshot: HeapStateSnapshot, stateName: string): Record<string, unknown> {
  const part = snapshot.parts.find((p) => p.state.name === stateName) as StateSnapshotPart;
  const out: Record<string, unknown> = {};
  for (const keyGroup of snapshot.keyGroupRange) {
    for (const [id, stored] of snapshot.cellsToWrite(part, keyGroup)) {
      if (stored instanceof ListContainer) out[id] = [...stored.elements];
      else if (stored instanceof MapContainer) out[id] = Object.fromEntries([...stored.entries.values()]);
      else out[id] = stored;
    }
  }
  return out;
}

const profile = new ValueStateDescriptor<{ name: string; tags: string[] }>('profile');
const events = new ListStateDescriptor('events', Serializers.string);
const cart = new MapStateDescriptor('cart', Serializers.string, Serializers.int);

describe('HeapKeyedStateBackend', () => {
  it('snapshotTables() is a frozen view: writes of every kind after it never show in it', async () => {
    const backend = newBackend();
    await backend.withKey('a', async (ctx) => {
      await ctx.getState(profile).update({ name: 'Ada', tags: ['x'] });
      await ctx.getState(events).addAll(['e1', 'e2']);
      await ctx.getState(cart).putAll([
        ['sku-1', 1],
        ['sku-2', 2],
      ]);
    });
    const snapshot = backend.snapshotTables();
    await backend.withKey('a', async (ctx) => {
      await ctx.getState(profile).update({ name: 'Grace', tags: [] });
      await ctx.getState(events).add('e3');
      await ctx.getState(cart).put('sku-1', 10);
      await ctx.getState(cart).remove('sku-2');
    });
    await backend.withKey('b', (ctx) => ctx.getState(events).add('other key'));
    expect(written(snapshot, 'profile')).toEqual({ a: { name: 'Ada', tags: ['x'] } });
    expect(written(snapshot, 'events')).toEqual({ a: ['e1', 'e2'] });
    expect(written(snapshot, 'cart')).toEqual({ a: { 'sku-1': 1, 'sku-2': 2 } });
    await backend.withKey('a', (ctx) => ctx.getState(cart).clear());
    expect(written(snapshot, 'cart')).toEqual({ a: { 'sku-1': 1, 'sku-2': 2 } });
    expect(await backend.withKey('a', (ctx) => ctx.getState(events).get())).toEqual(['e1', 'e2', 'e3']);
    snapshot.release();
  });

  it('objects handed in or out are copies, so changing them reaches neither the state nor a snapshot', async () => {
    const backend = newBackend();
    const value = { name: 'Ada', tags: ['x'] };
    await backend.withKey('a', (ctx) => ctx.getState(profile).update(value));
    const snapshot = backend.snapshotTables();
    value.tags.push('changed after update');
    const read = await backend.withKey('a', (ctx) => ctx.getState(profile).value());
    read?.tags.push('changed after read');
    expect(written(snapshot, 'profile')).toEqual({ a: { name: 'Ada', tags: ['x'] } });
    expect(await backend.withKey('a', (ctx) => ctx.getState(profile).value())).toEqual({
      name: 'Ada',
      tags: ['x'],
    });
  });

  it('a reduce function that changes its accumulator in place does not change a snapshot', async () => {
    const backend = newBackend();
    const tags = new ReducingStateDescriptor<string[]>('tags', (acc, more) => {
      acc.push(...more);
      return acc;
    });
    await backend.withKey('a', (ctx) => ctx.getState(tags).add(['x']));
    const snapshot = backend.snapshotTables();
    await backend.withKey('a', (ctx) => ctx.getState(tags).add(['y']));
    expect(written(snapshot, 'tags')).toEqual({ a: ['x'] });
    expect(await backend.withKey('a', (ctx) => ctx.getState(tags).get())).toEqual(['x', 'y']);
  });

  it('reports the key groups written since the previous snapshot', async () => {
    const backend = newBackend();
    for (const key of ['a', 'b', 'c']) await backend.withKey(key, (ctx) => ctx.getState(events).add(key));
    const first = backend.snapshotTables();
    expect(first.changedKeyGroups).toEqual(
      [...new Set(['a', 'b', 'c'].map(keyGroupOf))].sort((x, y) => x - y),
    );
    first.release();
    await backend.withKey('b', (ctx) => ctx.getState(cart).put('x', 1));
    const second = backend.snapshotTables();
    expect(second.changedKeyGroups).toEqual([keyGroupOf('b')]);
    expect(second.size).toBe(4);
  });

  it('full-snapshot cleanup leaves expired values, elements and entries out; the live state is untouched', async () => {
    const clock = new ManualClock(0);
    const backend = newBackend({ clock });
    const ttl = (cleanup: boolean) => {
      const builder = StateTtlConfig.newBuilder(100);
      return (cleanup ? builder.cleanupFullSnapshot() : builder).build();
    };
    const cleaned = new ValueStateDescriptor('cleaned', Serializers.int).enableTimeToLive(ttl(true));
    const kept = new ValueStateDescriptor('kept', Serializers.int).enableTimeToLive(ttl(false));
    const list = new ListStateDescriptor('list', Serializers.int).enableTimeToLive(ttl(true));
    const map = new MapStateDescriptor('map', Serializers.string, Serializers.int).enableTimeToLive(
      ttl(true),
    );
    await backend.withKey('old', async (ctx) => {
      await ctx.getState(cleaned).update(1);
      await ctx.getState(kept).update(1);
      await ctx.getState(list).add(1);
      await ctx.getState(map).put('old', 1);
    });
    clock.advance(60);
    await backend.withKey('old', async (ctx) => {
      await ctx.getState(list).add(2);
      await ctx.getState(map).put('new', 2);
    });
    await backend.withKey('new', (ctx) => ctx.getState(cleaned).update(2));
    clock.advance(40);
    const snapshot = backend.snapshotTables();
    const unwrap = (cells: Record<string, unknown>) =>
      JSON.parse(
        JSON.stringify(cells, (_, v) =>
          v !== null && typeof v === 'object' && 'userValue' in v ? (v as TtlValue<unknown>).userValue : v,
        ),
      );
    expect(unwrap(written(snapshot, 'cleaned'))).toEqual({ new: 2 });
    expect(unwrap(written(snapshot, 'kept'))).toEqual({ old: 1 });
    expect(unwrap(written(snapshot, 'list'))).toEqual({ old: [2] });
    expect(unwrap(written(snapshot, 'map'))).toEqual({ old: { new: 2 } });
    expect(backend.numEntries()).toBe(5);
  });

  it('incremental cleanup removes expired cells a few per access, and trims lists', async () => {
    const clock = new ManualClock(0);
    const backend = newBackend({ clock });
    const ttl = StateTtlConfig.newBuilder(100).cleanupIncrementally(5, false).build();
    const session = new ValueStateDescriptor('session', Serializers.int).enableTimeToLive(ttl);
    const log = new ListStateDescriptor('log', Serializers.int).enableTimeToLive(ttl);
    for (let i = 0; i < 20; i++) await backend.withKey(`k${i}`, (ctx) => ctx.getState(session).update(i));
    await backend.withKey('k0', (ctx) => ctx.getState(log).add(1));
    clock.advance(50);
    await backend.withKey('k0', (ctx) => ctx.getState(log).add(2));
    clock.advance(50);
    expect(backend.numEntries()).toBe(21);
    await backend.withKey('probe', (ctx) => ctx.getState(session).value());
    expect(backend.numEntries()).toBe(16);
    for (let i = 0; i < 3; i++) await backend.withKey('probe', (ctx) => ctx.getState(session).value());
    expect(backend.numEntries()).toBe(1);
    await backend.withKey('other', (ctx) => ctx.getState(log).get());
    const list = backend
      .tableOf(backend.getRegisteredState('log') as never)
      .get(keyGroupOf('k0'), 'k0') as ListContainer;
    expect(list.elements.map((e) => (e as TtlValue<number>).userValue)).toEqual([2]);
  });

  it('with runCleanupForEveryRecord, records of any state clean up', async () => {
    const clock = new ManualClock(0);
    const backend = newBackend({ clock });
    const ttl = StateTtlConfig.newBuilder(10).cleanupIncrementally(100, true).build();
    const session = new ValueStateDescriptor('session', Serializers.int).enableTimeToLive(ttl);
    for (let i = 0; i < 50; i++) await backend.withKey(`k${i}`, (ctx) => ctx.getState(session).update(i));
    clock.advance(10);
    await backend.withKey('unrelated', () => undefined);
    expect(backend.numEntries()).toBe(0);
  });

  it('registers reads, writes and the number of entries when given a metric group', async () => {
    const registry = new MetricRegistry();
    const backend = newBackend({ registry });
    await backend.withKey('a', async (ctx) => {
      await ctx.getState(events).add('x');
      await ctx.getState(events).get();
      await ctx.getState(cart).put('k', 1);
    });
    const readings = Object.fromEntries(
      registry.read().map((m) => [m.identifier.split('.').slice(-2).join('.'), m.value]),
    );
    expect(readings).toEqual({
      'state.reads': { type: 'counter', count: 1 },
      'state.writes': { type: 'counter', count: 2 },
      'state.entries': { type: 'gauge', value: 2 },
    });
    await registry.close();
  });

  it('dispose() drops the state', async () => {
    const backend = newBackend();
    await backend.withKey('a', (ctx) => ctx.getState(events).add('x'));
    await backend.dispose();
    await backend.dispose();
    expect(backend.numEntries()).toBe(0);
    expect(backend.isDisposed).toBe(true);
  });
});
