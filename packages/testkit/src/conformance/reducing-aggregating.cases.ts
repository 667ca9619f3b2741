import assert from 'node:assert/strict';
import {
  type AggregateFunction,
  AggregatingStateDescriptor,
  ReducingStateDescriptor,
  Serializers,
} from '@statebackend/aws-base';
import type { ConformanceCaseGroup } from './conformance-options.js';
import { inKey } from './helpers.js';

export interface Average {
  sum: number;
  count: number;
}

/** An average whose add() changes its accumulator in place, as Flink allows. */
export const averageFunction: AggregateFunction<number, Average, number> = {
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (value, acc) => {
    acc.sum += value;
    acc.count += 1;
    return acc;
  },
  getResult: (acc) => acc.sum / acc.count,
  merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
};

/** ReducingState and AggregatingState: folding adds, results, clearing, private accumulators. */
export const reducingAggregatingCases: ConformanceCaseGroup = {
  name: 'ReducingState and AggregatingState',
  define(test) {
    test('reducing: get() is undefined until the first add(), then the reduction of every add()', async (h) => {
      const backend = await h.backend();
      const sum = new ReducingStateDescriptor('sum', (a: number, b: number) => a + b, Serializers.number);
      assert.equal(await inKey(backend, 'k', (ctx) => ctx.getState(sum).get()), undefined);
      for (const value of [1, 2, 3.5]) await inKey(backend, 'k', (ctx) => ctx.getState(sum).add(value));
      assert.equal(await inKey(backend, 'k', (ctx) => ctx.getState(sum).get()), 6.5);
    });

    test('reducing: clear() and add(undefined) empty it; each key reduces on its own', async (h) => {
      const backend = await h.backend();
      const max = new ReducingStateDescriptor(
        'max',
        (a: number, b: number) => Math.max(a, b),
        Serializers.int,
      );
      await inKey(backend, 'a', async (ctx) => {
        await ctx.getState(max).add(3);
        await ctx.getState(max).add(9);
      });
      await inKey(backend, 'b', (ctx) => ctx.getState(max).add(1));
      assert.equal(await inKey(backend, 'a', (ctx) => ctx.getState(max).get()), 9);
      assert.equal(await inKey(backend, 'b', (ctx) => ctx.getState(max).get()), 1);
      await inKey(backend, 'a', (ctx) => ctx.getState(max).clear());
      await inKey(backend, 'b', (ctx) => ctx.getState(max).add(undefined as unknown as number));
      assert.equal(await inKey(backend, 'a', (ctx) => ctx.getState(max).get()), undefined);
      assert.equal(await inKey(backend, 'b', (ctx) => ctx.getState(max).get()), undefined);
    });

    test('reducing: a reduce function that changes its first argument does not corrupt the state', async (h) => {
      const backend = await h.backend();
      const merge = new ReducingStateDescriptor<string[]>('tags', (a, b) => {
        a.push(...b);
        return a;
      });
      await inKey(backend, 'k', async (ctx) => {
        const state = ctx.getState(merge);
        await state.add(['a']);
        const seen = await state.get();
        await state.add(['b']);
        assert.deepEqual(seen, ['a']);
      });
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(merge).get()), ['a', 'b']);
    });

    test('aggregating: get() is undefined until the first add(), then getResult() of the accumulator', async (h) => {
      const backend = await h.backend();
      const average = new AggregatingStateDescriptor('avg', averageFunction);
      assert.equal(await inKey(backend, 'k', (ctx) => ctx.getState(average).get()), undefined);
      for (const value of [2, 4, 9]) await inKey(backend, 'k', (ctx) => ctx.getState(average).add(value));
      assert.equal(await inKey(backend, 'k', (ctx) => ctx.getState(average).get()), 5);
    });

    test('aggregating: clear() starts a new accumulator; keys aggregate on their own', async (h) => {
      const backend = await h.backend();
      const average = new AggregatingStateDescriptor('avg', averageFunction);
      await inKey(backend, 'a', async (ctx) => {
        await ctx.getState(average).add(10);
        await ctx.getState(average).clear();
        await ctx.getState(average).add(2);
      });
      await inKey(backend, 'b', (ctx) => ctx.getState(average).add(8));
      assert.equal(await inKey(backend, 'a', (ctx) => ctx.getState(average).get()), 2);
      assert.equal(await inKey(backend, 'b', (ctx) => ctx.getState(average).get()), 8);
    });
  },
};
