import assert from 'node:assert/strict';
import {
  AggregatingStateDescriptor,
  InvalidTtlError,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  Serializers,
  StateTtlConfig,
  StateVisibility,
  UpdateType,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import type { ConformanceCaseGroup } from './conformance-options.js';
import { inKey } from './helpers.js';
import { averageFunction } from './reducing-aggregating.cases.js';

const TTL = 100;

function ttl(
  updateType: UpdateType = UpdateType.OnCreateAndWrite,
  visibility: StateVisibility = StateVisibility.NeverReturnExpired,
) {
  return StateTtlConfig.newBuilder(TTL).setUpdateType(updateType).setStateVisibility(visibility).build();
}

/**
 * TTL in Flink's terms with a moving clock: a value expires `ttl` after its last access (write,
 * and read with OnReadAndWrite); a refresh sets now + ttl; expired values are never returned,
 * or returned once with ReturnExpiredIfNotCleanedUp.
 */
export const ttlCases: ConformanceCaseGroup = {
  name: 'TTL',
  define(test) {
    test('a TTL of zero or less, or not a number, is rejected with a typed error', async () => {
      for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.throws(() => StateTtlConfig.newBuilder(bad), InvalidTtlError);
      }
    });

    test('a value is visible until last write + ttl, then gone (the default shows again)', async (h) => {
      const backend = await h.backend();
      const state = new ValueStateDescriptor('v', Serializers.string, 'default').enableTimeToLive(ttl());
      await inKey(backend, 'k', (ctx) => ctx.getState(state).update('fresh'));
      h.clock.advance(TTL - 1);
      assert.equal(await inKey(backend, 'k', (ctx) => ctx.getState(state).value()), 'fresh');
      h.clock.advance(1);
      assert.equal(await inKey(backend, 'k', (ctx) => ctx.getState(state).value()), 'default');
    });

    test('OnCreateAndWrite: reads do not extend the expiry, writes do', async (h) => {
      const backend = await h.backend();
      const state = new ValueStateDescriptor('v', Serializers.int).enableTimeToLive(ttl());
      await inKey(backend, 'read', (ctx) => ctx.getState(state).update(1));
      await inKey(backend, 'written', (ctx) => ctx.getState(state).update(1));
      h.clock.advance(80);
      await inKey(backend, 'read', (ctx) => ctx.getState(state).value());
      await inKey(backend, 'written', (ctx) => ctx.getState(state).update(2));
      h.clock.advance(20);
      assert.equal(await inKey(backend, 'read', (ctx) => ctx.getState(state).value()), undefined);
      assert.equal(await inKey(backend, 'written', (ctx) => ctx.getState(state).value()), 2);
    });

    test('OnReadAndWrite: a read sets the expiry to read time + ttl, not old expiry + ttl', async (h) => {
      const backend = await h.backend();
      const state = new ValueStateDescriptor('v', Serializers.int).enableTimeToLive(
        ttl(UpdateType.OnReadAndWrite),
      );
      for (const key of ['a', 'b']) await inKey(backend, key, (ctx) => ctx.getState(state).update(1));
      h.clock.advance(50);
      for (const key of ['a', 'b']) await inKey(backend, key, (ctx) => ctx.getState(state).value());
      h.clock.advance(TTL - 1); // 149 after the write: alive only thanks to the read at 50
      assert.equal(await inKey(backend, 'a', (ctx) => ctx.getState(state).value()), 1);
      h.clock.advance(1); // 150: the read at 50 set the expiry to 50 + 100
      assert.equal(await inKey(backend, 'b', (ctx) => ctx.getState(state).value()), undefined);
    });

    test('ReturnExpiredIfNotCleanedUp: an expired value is returned once, then it is gone', async (h) => {
      const backend = await h.backend();
      const visibility = StateVisibility.ReturnExpiredIfNotCleanedUp;
      const state = new ValueStateDescriptor('v', Serializers.int).enableTimeToLive(
        ttl(UpdateType.OnCreateAndWrite, visibility),
      );
      await inKey(backend, 'k', (ctx) => ctx.getState(state).update(5));
      h.clock.advance(TTL);
      assert.equal(await inKey(backend, 'k', (ctx) => ctx.getState(state).value()), 5);
      assert.equal(await inKey(backend, 'k', (ctx) => ctx.getState(state).value()), undefined);
    });

    test('list elements expire one by one', async (h) => {
      const backend = await h.backend();
      const state = new ListStateDescriptor('l', Serializers.string).enableTimeToLive(ttl());
      await inKey(backend, 'k', (ctx) => ctx.getState(state).add('early'));
      h.clock.advance(50);
      await inKey(backend, 'k', (ctx) => ctx.getState(state).add('late'));
      h.clock.advance(50);
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(state).get()), ['late']);
      h.clock.advance(50);
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(state).get()), []);
    });

    test('list with OnReadAndWrite: get() refreshes the elements it returns', async (h) => {
      const backend = await h.backend();
      const state = new ListStateDescriptor('l', Serializers.string).enableTimeToLive(
        ttl(UpdateType.OnReadAndWrite),
      );
      await inKey(backend, 'k', (ctx) => ctx.getState(state).addAll(['a', 'b']));
      h.clock.advance(60);
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(state).get()), ['a', 'b']);
      h.clock.advance(99);
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(state).get()), ['a', 'b']);
    });

    test('list with ReturnExpiredIfNotCleanedUp: expired elements are returned once', async (h) => {
      const backend = await h.backend();
      const visibility = StateVisibility.ReturnExpiredIfNotCleanedUp;
      const state = new ListStateDescriptor('l', Serializers.string).enableTimeToLive(
        ttl(UpdateType.OnCreateAndWrite, visibility),
      );
      await inKey(backend, 'k', (ctx) => ctx.getState(state).add('old'));
      h.clock.advance(50);
      await inKey(backend, 'k', (ctx) => ctx.getState(state).add('new'));
      h.clock.advance(50);
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(state).get()), ['old', 'new']);
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(state).get()), ['new']);
    });

    test('map entries expire one by one, in every read operation', async (h) => {
      const backend = await h.backend();
      const state = new MapStateDescriptor('m', Serializers.string, Serializers.int).enableTimeToLive(ttl());
      await inKey(backend, 'k', (ctx) => ctx.getState(state).put('early', 1));
      h.clock.advance(50);
      await inKey(backend, 'k', (ctx) => ctx.getState(state).put('late', 2));
      h.clock.advance(50);
      const read = await inKey(backend, 'k', async (ctx) => {
        const map = ctx.getState(state);
        return [
          await map.get('early'),
          await map.contains('early'),
          await map.get('late'),
          await map.entries(),
          await map.keys(),
          await map.values(),
          await map.isEmpty(),
        ];
      });
      assert.deepEqual(read, [undefined, false, 2, [['late', 2]], ['late'], [2], false]);
      h.clock.advance(50);
      assert.equal(await inKey(backend, 'k', (ctx) => ctx.getState(state).isEmpty()), true);
    });

    test('map with OnReadAndWrite: get() refreshes only the entry read', async (h) => {
      const backend = await h.backend();
      const state = new MapStateDescriptor('m', Serializers.string, Serializers.int).enableTimeToLive(
        ttl(UpdateType.OnReadAndWrite),
      );
      await inKey(backend, 'k', (ctx) =>
        ctx.getState(state).putAll([
          ['read', 1],
          ['unread', 2],
        ]),
      );
      h.clock.advance(50);
      await inKey(backend, 'k', (ctx) => ctx.getState(state).get('read'));
      h.clock.advance(70);
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(state).entries()), [['read', 1]]);
    });

    test('map with ReturnExpiredIfNotCleanedUp: an expired entry is returned once', async (h) => {
      const backend = await h.backend();
      const visibility = StateVisibility.ReturnExpiredIfNotCleanedUp;
      const state = new MapStateDescriptor('m', Serializers.string, Serializers.int).enableTimeToLive(
        ttl(UpdateType.OnCreateAndWrite, visibility),
      );
      await inKey(backend, 'k', (ctx) => ctx.getState(state).put('a', 1));
      h.clock.advance(TTL);
      assert.equal(await inKey(backend, 'k', (ctx) => ctx.getState(state).get('a')), 1);
      assert.equal(await inKey(backend, 'k', (ctx) => ctx.getState(state).get('a')), undefined);
    });

    test('reducing and aggregating: an add after expiry starts over', async (h) => {
      const backend = await h.backend();
      const sum = new ReducingStateDescriptor(
        'sum',
        (a: number, b: number) => a + b,
        Serializers.int,
      ).enableTimeToLive(ttl());
      const average = new AggregatingStateDescriptor('avg', averageFunction).enableTimeToLive(ttl());
      await inKey(backend, 'k', async (ctx) => {
        await ctx.getState(sum).add(1);
        await ctx.getState(average).add(100);
      });
      h.clock.advance(TTL);
      assert.equal(await inKey(backend, 'k', (ctx) => ctx.getState(sum).get()), undefined);
      await inKey(backend, 'k', async (ctx) => {
        await ctx.getState(sum).add(5);
        await ctx.getState(average).add(4);
      });
      const read = await inKey(backend, 'k', async (ctx) => [
        await ctx.getState(sum).get(),
        await ctx.getState(average).get(),
      ]);
      assert.deepEqual(read, [5, 4]);
    });

    test('each add() refreshes a reducing value; expiry is per key', async (h) => {
      const backend = await h.backend();
      const sum = new ReducingStateDescriptor(
        'sum',
        (a: number, b: number) => a + b,
        Serializers.int,
      ).enableTimeToLive(ttl());
      await inKey(backend, 'refreshed', (ctx) => ctx.getState(sum).add(1));
      await inKey(backend, 'stale', (ctx) => ctx.getState(sum).add(1));
      h.clock.advance(90);
      await inKey(backend, 'refreshed', (ctx) => ctx.getState(sum).add(2));
      h.clock.advance(10);
      assert.equal(await inKey(backend, 'refreshed', (ctx) => ctx.getState(sum).get()), 3);
      assert.equal(await inKey(backend, 'stale', (ctx) => ctx.getState(sum).get()), undefined);
    });
  },
};
