import assert from 'node:assert/strict';
import {
  MapStateDescriptor,
  Serializers,
  StateNotRegisteredError,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import type { ConformanceCaseGroup } from './conformance-options.js';
import { collect, inKey, sortedKeys } from './helpers.js';

/** keys(): which keys have state, each once, compared by their serialized bytes. */
export const keysCases: ConformanceCaseGroup = {
  name: 'keys()',
  define(test) {
    test('lists every key with state, each once, and not keys whose state was cleared', async (h) => {
      const backend = await h.backend();
      const count = new ValueStateDescriptor('count', Serializers.int);
      const other = new ValueStateDescriptor('other', Serializers.int);
      const keys = Array.from({ length: 50 }, (_, i) => `key-${i}`);
      for (const key of keys) await inKey(backend, key, (ctx) => ctx.getState(count).update(1));
      await inKey(backend, 'key-0', (ctx) => ctx.getState(count).update(2));
      await inKey(backend, 'key-1', (ctx) => ctx.getState(count).clear());
      await inKey(backend, 'only-other', (ctx) => ctx.getState(other).update(1));
      assert.deepEqual(await sortedKeys(backend, 'count'), keys.filter((key) => key !== 'key-1').sort());
    });

    test('a map state lists each key once, however many entries it has', async (h) => {
      const backend = await h.backend();
      const map = new MapStateDescriptor('m', Serializers.int, Serializers.int);
      for (const key of ['a', 'b']) {
        await inKey(backend, key, async (ctx) => {
          for (let i = 0; i < 10; i++) await ctx.getState(map).put(i, i);
        });
      }
      assert.deepEqual(await sortedKeys(backend, 'm'), ['a', 'b']);
    });

    test('keys are told apart by their bytes: 0 and -0 are two keys with the number serializer', async (h) => {
      const backend = await h.backendFor({ keySerializer: Serializers.number });
      const label = new ValueStateDescriptor('label', Serializers.string);
      await inKey(backend, 0, (ctx) => ctx.getState(label).update('zero'));
      await inKey(backend, -0, (ctx) => ctx.getState(label).update('negative zero'));
      assert.equal(await inKey(backend, 0, (ctx) => ctx.getState(label).value()), 'zero');
      assert.equal(await inKey(backend, -0, (ctx) => ctx.getState(label).value()), 'negative zero');
      const keys = await collect(backend.keys('label'));
      assert.equal(keys.length, 2);
      assert.deepEqual(keys.map((key) => Object.is(key, -0)).sort(), [false, true]);
    });

    test('structured keys: equal objects are one key whatever their property order', async (h) => {
      const backend = await h.backendFor({
        keySerializer: Serializers.msgpack<object>({ deterministic: true }),
      });
      const count = new ValueStateDescriptor('count', Serializers.int, 0);
      const bump = (key: object) =>
        inKey(backend, key, async (ctx) => {
          const state = ctx.getState(count);
          await state.update((await state.value()) + 1);
        });
      await bump({ tenant: 't1', user: 'u1' });
      await bump({ user: 'u1', tenant: 't1' });
      await bump({ tenant: 't1', user: 'u2' });
      assert.equal(
        await inKey(backend, { user: 'u1', tenant: 't1' }, (ctx) => ctx.getState(count).value()),
        2,
      );
      assert.equal((await collect(backend.keys('count'))).length, 2);
    });

    test('keys() of a state name never registered is a StateNotRegisteredError naming it', async (h) => {
      const backend = await h.backend();
      await inKey(backend, 'k', (ctx) =>
        ctx.getState(new ValueStateDescriptor('registered', Serializers.int)).update(1),
      );
      await assert.rejects(collect(backend.keys('typo')), (error: unknown) => {
        assert.ok(error instanceof StateNotRegisteredError);
        assert.match(error.message, /'typo'.*'registered'/);
        return true;
      });
    });
  },
};
