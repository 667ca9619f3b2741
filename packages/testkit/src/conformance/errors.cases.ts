import assert from 'node:assert/strict';
import {
  assignToKeyGroup,
  KeyGroupOutOfRangeError,
  KeyGroupRange,
  KeySerializationError,
  ListStateDescriptor,
  MapStateDescriptor,
  SerializationError,
  Serializers,
  StateBackendDisposedError,
  StateSerializationError,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import type { ConformanceCaseGroup } from './conformance-options.js';
import { inKey } from './helpers.js';

/** Typed, actionable errors for what a user can get wrong at runtime; state stays unchanged. */
export const errorCases: ConformanceCaseGroup = {
  name: 'errors',
  define(test) {
    test('a value the serializer cannot encode is a StateSerializationError naming the state; nothing is stored', async (h) => {
      const backend = await h.backend();
      const profile = new ValueStateDescriptor<unknown>('profile');
      await inKey(backend, 'k', (ctx) => ctx.getState(profile).update({ ok: true }));
      await assert.rejects(
        inKey(backend, 'k', (ctx) => ctx.getState(profile).update({ callback: () => 1 })),
        (error: unknown) => {
          assert.ok(error instanceof StateSerializationError);
          assert.ok(error instanceof SerializationError);
          assert.equal(error.stateName, 'profile');
          assert.match(error.message, /State 'profile'.*msgpack/);
          return true;
        },
      );
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(profile).value()), { ok: true });
    });

    test('a number outside what the int serializer takes is rejected on write, for each state kind', async (h) => {
      const backend = await h.backend();
      const value = new ValueStateDescriptor('value', Serializers.int);
      const list = new ListStateDescriptor('list', Serializers.int);
      const map = new MapStateDescriptor('map', Serializers.int, Serializers.int);
      await inKey(backend, 'k', async (ctx) => {
        await assert.rejects(ctx.getState(value).update(1.5), StateSerializationError);
        await assert.rejects(ctx.getState(list).add(2 ** 40), StateSerializationError);
        await assert.rejects(ctx.getState(map).put(1, Number.NaN), StateSerializationError);
        await assert.rejects(ctx.getState(map).put(0.5, 1), (error: unknown) => {
          assert.ok(error instanceof StateSerializationError);
          assert.equal(error.role, 'mapKey');
          return true;
        });
      });
      const read = await inKey(backend, 'k', async (ctx) => [
        await ctx.getState(value).value(),
        await ctx.getState(list).get(),
        await ctx.getState(map).isEmpty(),
      ]);
      assert.deepEqual(read, [undefined, [], true]);
    });

    test('a key the key serializer rejects is a KeySerializationError, and the function never runs', async (h) => {
      const backend = await h.backend();
      let ran = false;
      await assert.rejects(
        backend.withKey(42 as unknown as string, () => {
          ran = true;
        }),
        (error: unknown) => {
          assert.ok(error instanceof KeySerializationError);
          assert.match(error.message, /key serializer 'string'.*number 42/);
          return true;
        },
      );
      assert.equal(ran, false);
    });

    test('a key of a key group the backend does not own is a KeyGroupOutOfRangeError', async (h) => {
      const backend = await h.backendFor({
        keySerializer: Serializers.string,
        keyGroupRange: KeyGroupRange.of(0, 63),
      });
      const outside = Array.from({ length: 200 }, (_, i) => `key-${i}`).find(
        (key) => assignToKeyGroup(Serializers.string.serialize(key), 128) >= 64,
      );
      assert.ok(outside !== undefined);
      await assert.rejects(
        backend.withKey(outside, () => undefined),
        KeyGroupOutOfRangeError,
      );
    });

    test('a disposed backend rejects records with StateBackendDisposedError', async (h) => {
      const backend = await h.backend();
      await backend.dispose();
      await assert.rejects(
        backend.withKey('k', () => undefined),
        StateBackendDisposedError,
      );
    });
  },
};
