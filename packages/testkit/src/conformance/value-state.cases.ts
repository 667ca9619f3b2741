import assert from 'node:assert/strict';
import { Serializers, ValueStateDescriptor } from '@statebackend/aws-base';
import type { ConformanceCaseGroup } from './conformance-options.js';
import { inKey } from './helpers.js';

interface Profile {
  name: string;
  tags: string[];
  visits: number;
}

/** ValueState: absent values, defaults, round-trips, clearing, isolation and copies. */
export const valueStateCases: ConformanceCaseGroup = {
  name: 'ValueState',
  define(test) {
    test('value() is undefined for a key that has no value and no default', async (h) => {
      const backend = await h.backend();
      const state = new ValueStateDescriptor('v', Serializers.string);
      assert.equal(await inKey(backend, 'k', (ctx) => ctx.getState(state).value()), undefined);
    });

    test('value() returns the default while the key has no value, as a fresh copy each time', async (h) => {
      const backend = await h.backend();
      const state = new ValueStateDescriptor<string[]>('v', Serializers.msgpack(), ['a']);
      await inKey(backend, 'k', async (ctx) => {
        const first = await ctx.getState(state).value();
        first.push('changed');
        assert.deepEqual(await ctx.getState(state).value(), ['a']);
      });
    });

    test('update() then value() round-trips strings, numbers, bigints and structured values', async (h) => {
      const backend = await h.backend();
      const text = new ValueStateDescriptor('text', Serializers.string);
      const count = new ValueStateDescriptor('count', Serializers.number);
      const big = new ValueStateDescriptor('big', Serializers.bigint);
      const profile = new ValueStateDescriptor<Profile>('profile');
      const value: Profile = { name: 'Ada', tags: ['x', 'y'], visits: 3 };
      await inKey(backend, 'k', async (ctx) => {
        await ctx.getState(text).update('héllo wörld ✓');
        await ctx.getState(count).update(-0.5);
        await ctx.getState(big).update(2n ** 80n);
        await ctx.getState(profile).update(value);
      });
      const read = await inKey(backend, 'k', async (ctx) => [
        await ctx.getState(text).value(),
        await ctx.getState(count).value(),
        await ctx.getState(big).value(),
        await ctx.getState(profile).value(),
      ]);
      assert.deepEqual(read, ['héllo wörld ✓', -0.5, 2n ** 80n, value]);
    });

    test('a later update() replaces the value', async (h) => {
      const backend = await h.backend();
      const state = new ValueStateDescriptor('v', Serializers.int, 0);
      for (let i = 1; i <= 3; i++) await inKey(backend, 'k', (ctx) => ctx.getState(state).update(i * 10));
      assert.equal(await inKey(backend, 'k', (ctx) => ctx.getState(state).value()), 30);
    });

    test('clear() and update(undefined) remove the value, and the default shows again', async (h) => {
      const backend = await h.backend();
      const state = new ValueStateDescriptor('v', Serializers.int, 7);
      await inKey(backend, 'a', (ctx) => ctx.getState(state).update(1));
      await inKey(backend, 'b', (ctx) => ctx.getState(state).update(2));
      await inKey(backend, 'a', (ctx) => ctx.getState(state).clear());
      await inKey(backend, 'b', (ctx) => ctx.getState(state).update(undefined));
      assert.equal(await inKey(backend, 'a', (ctx) => ctx.getState(state).value()), 7);
      assert.equal(await inKey(backend, 'b', (ctx) => ctx.getState(state).value()), 7);
    });

    test('each key has its own value', async (h) => {
      const backend = await h.backend();
      const state = new ValueStateDescriptor('v', Serializers.string);
      const keys = ['a', 'b', 'é', '', 'a '];
      for (const key of keys)
        await inKey(backend, key, (ctx) => ctx.getState(state).update(`value of [${key}]`));
      for (const key of keys) {
        assert.equal(await inKey(backend, key, (ctx) => ctx.getState(state).value()), `value of [${key}]`);
      }
    });

    test('two states of the same key are independent', async (h) => {
      const backend = await h.backend();
      const first = new ValueStateDescriptor('first', Serializers.int);
      const second = new ValueStateDescriptor('second', Serializers.int);
      await inKey(backend, 'k', async (ctx) => {
        await ctx.getState(first).update(1);
        await ctx.getState(second).update(2);
        await ctx.getState(first).clear();
      });
      const read = await inKey(backend, 'k', async (ctx) => [
        await ctx.getState(first).value(),
        await ctx.getState(second).value(),
      ]);
      assert.deepEqual(read, [undefined, 2]);
    });

    test('changing an object after update() or after value() does not change the state', async (h) => {
      const backend = await h.backend();
      const state = new ValueStateDescriptor<Profile>('profile');
      const written: Profile = { name: 'Ada', tags: ['x'], visits: 1 };
      await inKey(backend, 'k', async (ctx) => {
        await ctx.getState(state).update(written);
        written.tags.push('after update');
        const read = await ctx.getState(state).value();
        assert.ok(read !== undefined);
        read.visits = 99;
      });
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(state).value()), {
        name: 'Ada',
        tags: ['x'],
        visits: 1,
      });
    });

    test('a descriptor without a serializer stores structured values (MessagePack)', async (h) => {
      const backend = await h.backend();
      const state = new ValueStateDescriptor<{ at: Date; ids: Set<number> }>('default-serializer');
      const value = { at: new Date(1_700_000_000_000), ids: new Set([1, 2]) };
      await inKey(backend, 'k', (ctx) => ctx.getState(state).update(value));
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(state).value()), value);
    });
  },
};
