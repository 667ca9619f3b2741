import assert from 'node:assert/strict';
import { MapStateDescriptor, Serializers } from '@statebackend/aws-base';
import type { ConformanceCaseGroup } from './conformance-options.js';
import { inKey } from './helpers.js';

const byKey = <K, V>(entries: Array<[K, V]>): Array<[K, V]> =>
  [...entries].sort(([a], [b]) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));

/** MapState: every operation, map keys compared by bytes, clearing, isolation and copies. */
export const mapStateCases: ConformanceCaseGroup = {
  name: 'MapState',
  define(test) {
    test('an empty map: get() undefined, contains() false, isEmpty() true, no entries', async (h) => {
      const backend = await h.backend();
      const state = new MapStateDescriptor('m', Serializers.string, Serializers.int);
      const read = await inKey(backend, 'k', async (ctx) => {
        const map = ctx.getState(state);
        return [await map.get('x'), await map.contains('x'), await map.isEmpty(), await map.entries()];
      });
      assert.deepEqual(read, [undefined, false, true, []]);
    });

    test('put() then get() and contains(); a second put() overwrites', async (h) => {
      const backend = await h.backend();
      const state = new MapStateDescriptor('m', Serializers.string, Serializers.int);
      await inKey(backend, 'k', async (ctx) => {
        await ctx.getState(state).put('a', 1);
        await ctx.getState(state).put('b', 2);
        await ctx.getState(state).put('a', 3);
      });
      const read = await inKey(backend, 'k', async (ctx) => {
        const map = ctx.getState(state);
        return [await map.get('a'), await map.get('b'), await map.contains('b'), await map.contains('c')];
      });
      assert.deepEqual(read, [3, 2, true, false]);
    });

    test('putAll() takes a Map or pairs; entries(), keys() and values() list everything', async (h) => {
      const backend = await h.backend();
      const state = new MapStateDescriptor('m', Serializers.string, Serializers.int);
      await inKey(backend, 'k', async (ctx) => {
        await ctx.getState(state).putAll(
          new Map([
            ['a', 1],
            ['b', 2],
          ]),
        );
        await ctx.getState(state).putAll([['c', 3]]);
      });
      const [entries, keys, values, empty] = await inKey(backend, 'k', async (ctx) => {
        const map = ctx.getState(state);
        return [await map.entries(), await map.keys(), await map.values(), await map.isEmpty()] as const;
      });
      assert.deepEqual(byKey(entries), [
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]);
      assert.deepEqual([...keys].sort(), ['a', 'b', 'c']);
      assert.deepEqual([...values].sort(), [1, 2, 3]);
      assert.equal(empty, false);
    });

    test('remove() deletes one entry; removing the last leaves an empty map', async (h) => {
      const backend = await h.backend();
      const state = new MapStateDescriptor('m', Serializers.string, Serializers.int);
      await inKey(backend, 'k', (ctx) =>
        ctx.getState(state).putAll([
          ['a', 1],
          ['b', 2],
        ]),
      );
      await inKey(backend, 'k', (ctx) => ctx.getState(state).remove('a'));
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(state).entries()), [['b', 2]]);
      await inKey(backend, 'k', async (ctx) => {
        await ctx.getState(state).remove('b');
        await ctx.getState(state).remove('never there');
      });
      assert.equal(await inKey(backend, 'k', (ctx) => ctx.getState(state).isEmpty()), true);
    });

    test('put(key, undefined) removes the entry, and clear() removes them all', async (h) => {
      const backend = await h.backend();
      const state = new MapStateDescriptor<string, number | undefined>('m', Serializers.string);
      await inKey(backend, 'k', async (ctx) => {
        await ctx.getState(state).putAll([
          ['a', 1],
          ['b', 2],
          ['c', 3],
        ]);
        await ctx.getState(state).put('a', undefined);
      });
      assert.deepEqual((await inKey(backend, 'k', (ctx) => ctx.getState(state).keys())).sort(), ['b', 'c']);
      await inKey(backend, 'k', (ctx) => ctx.getState(state).clear());
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(state).entries()), []);
    });

    test('map keys are compared by their serialized bytes, not by toString()', async (h) => {
      const backend = await h.backend();
      // The default map-key serializer is deterministic MessagePack.
      const state = new MapStateDescriptor<unknown, string>('m');
      await inKey(backend, 'k', async (ctx) => {
        const map = ctx.getState(state);
        await map.put(1, 'number one');
        await map.put('1', 'string one');
        await map.put({ a: 1, b: 2 }, 'object');
        await map.put({ b: 2, a: 1 }, 'same object, other order');
      });
      const read = await inKey(backend, 'k', async (ctx) => {
        const map = ctx.getState(state);
        return [
          await map.get(1),
          await map.get('1'),
          await map.get({ a: 1, b: 2 }),
          (await map.keys()).length,
        ];
      });
      assert.deepEqual(read, ['number one', 'string one', 'same object, other order', 3]);
    });

    test('each key has its own map, and returned values are copies', async (h) => {
      const backend = await h.backend();
      const state = new MapStateDescriptor<string, { n: number }>('m', Serializers.string);
      await inKey(backend, 'a', (ctx) => ctx.getState(state).put('x', { n: 1 }));
      await inKey(backend, 'b', (ctx) => ctx.getState(state).put('x', { n: 2 }));
      await inKey(backend, 'a', async (ctx) => {
        const value = await ctx.getState(state).get('x');
        assert.ok(value !== undefined);
        value.n = 100;
        const [[, entryValue] = ['', { n: 0 }]] = await ctx.getState(state).entries();
        entryValue.n = 200;
      });
      assert.deepEqual(await inKey(backend, 'a', (ctx) => ctx.getState(state).get('x')), { n: 1 });
      assert.deepEqual(await inKey(backend, 'b', (ctx) => ctx.getState(state).get('x')), { n: 2 });
    });

    test('holds many entries, each read on its own', async (h) => {
      const backend = await h.backend();
      const state = new MapStateDescriptor('m', Serializers.int, Serializers.string);
      await inKey(backend, 'k', async (ctx) => {
        const map = ctx.getState(state);
        for (let i = 0; i < 1_000; i++) await map.put(i, `v${i}`);
      });
      const read = await inKey(backend, 'k', async (ctx) => {
        const map = ctx.getState(state);
        return [await map.get(0), await map.get(999), await map.get(1_000), (await map.keys()).length];
      });
      assert.deepEqual(read, ['v0', 'v999', undefined, 1_000]);
    });
  },
};
