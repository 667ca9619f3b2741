import assert from 'node:assert/strict';
import { ListStateDescriptor, Serializers } from '@statebackend/aws-base';
import type { ConformanceCaseGroup } from './conformance-options.js';
import { inKey } from './helpers.js';

/** ListState: empty lists, appends in order, replace, clear, isolation and copies. */
export const listStateCases: ConformanceCaseGroup = {
  name: 'ListState',
  define(test) {
    test('get() is an empty array for a key without elements', async (h) => {
      const backend = await h.backend();
      const state = new ListStateDescriptor('l', Serializers.string);
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(state).get()), []);
    });

    test('add() and addAll() append in order, across records', async (h) => {
      const backend = await h.backend();
      const state = new ListStateDescriptor('l', Serializers.int);
      await inKey(backend, 'k', async (ctx) => {
        await ctx.getState(state).add(1);
        await ctx.getState(state).addAll([2, 3]);
      });
      await inKey(backend, 'k', async (ctx) => {
        await ctx.getState(state).addAll([]);
        await ctx.getState(state).add(4);
      });
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(state).get()), [1, 2, 3, 4]);
    });

    test('update() replaces the elements; update([]) and clear() empty the list', async (h) => {
      const backend = await h.backend();
      const state = new ListStateDescriptor('l', Serializers.string);
      await inKey(backend, 'a', async (ctx) => {
        await ctx.getState(state).addAll(['x', 'y']);
        await ctx.getState(state).update(['z']);
      });
      assert.deepEqual(await inKey(backend, 'a', (ctx) => ctx.getState(state).get()), ['z']);
      await inKey(backend, 'a', (ctx) => ctx.getState(state).update([]));
      assert.deepEqual(await inKey(backend, 'a', (ctx) => ctx.getState(state).get()), []);
      await inKey(backend, 'b', async (ctx) => {
        await ctx.getState(state).add('b');
        await ctx.getState(state).clear();
      });
      assert.deepEqual(await inKey(backend, 'b', (ctx) => ctx.getState(state).get()), []);
    });

    test('keeps duplicates and each key has its own list', async (h) => {
      const backend = await h.backend();
      const state = new ListStateDescriptor('l', Serializers.string);
      await inKey(backend, 'a', (ctx) => ctx.getState(state).addAll(['x', 'x']));
      await inKey(backend, 'b', (ctx) => ctx.getState(state).add('y'));
      assert.deepEqual(await inKey(backend, 'a', (ctx) => ctx.getState(state).get()), ['x', 'x']);
      assert.deepEqual(await inKey(backend, 'b', (ctx) => ctx.getState(state).get()), ['y']);
    });

    test('the array returned and the elements added are copies', async (h) => {
      const backend = await h.backend();
      const state = new ListStateDescriptor<{ n: number }>('l');
      const element = { n: 1 };
      await inKey(backend, 'k', async (ctx) => {
        await ctx.getState(state).add(element);
        element.n = 2;
        const read = await ctx.getState(state).get();
        read.push({ n: 3 });
        (read[0] as { n: number }).n = 4;
      });
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(state).get()), [{ n: 1 }]);
    });

    test('holds many elements in order', async (h) => {
      const backend = await h.backend();
      const state = new ListStateDescriptor('l', Serializers.int);
      const elements = Array.from({ length: 2_000 }, (_, i) => i);
      await inKey(backend, 'k', async (ctx) => {
        for (let i = 0; i < 1_000; i++) await ctx.getState(state).add(i);
        await ctx.getState(state).addAll(elements.slice(1_000));
      });
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(state).get()), elements);
    });
  },
};
