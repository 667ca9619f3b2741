import assert from 'node:assert/strict';
import {
  ListStateDescriptor,
  MapStateDescriptor,
  Serializers,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import type { ConformanceCaseGroup } from './conformance-options.js';
import { inKey, interleave, seededRandom } from './helpers.js';

interface Click {
  readonly user: string;
  readonly page: number;
}

/**
 * The key context under concurrency: records of different keys processed at once, with awaits
 * that interleave, must each see and change only their own key's state, and records of one key
 * must apply in order.
 */
export const concurrencyCases: ConformanceCaseGroup = {
  name: 'key context under concurrency',
  define(test) {
    test('1,000 records of 100 keys processed concurrently end exactly as processed one by one', async (h) => {
      const backend = await h.backend();
      const count = new ValueStateDescriptor('count', Serializers.int, 0);
      const pages = new ListStateDescriptor('pages', Serializers.int);
      const lastPage = new MapStateDescriptor('last', Serializers.string, Serializers.int);
      const random = seededRandom(42);
      const clicks: Click[] = Array.from({ length: 1_000 }, (_, i) => ({
        user: `user-${Math.floor(random() * 100)}`,
        page: i,
      }));
      const delays = clicks.map(() => Math.floor(random() * 8));
      await Promise.all(
        clicks.map((click, i) =>
          backend.withKey(click.user, async (ctx) => {
            const counter = ctx.getState(count);
            const seen = await counter.value();
            await interleave(delays[i] ?? 0);
            await counter.update(seen + 1);
            await ctx.getState(pages).add(click.page);
            await interleave(delays[(i + 1) % delays.length] ?? 0);
            await ctx.getState(lastPage).put('page', click.page);
          }),
        ),
      );
      const expected = new Map<string, number[]>();
      for (const click of clicks) expected.set(click.user, [...(expected.get(click.user) ?? []), click.page]);
      for (const [user, userPages] of expected) {
        const actual = await inKey(backend, user, async (ctx) => [
          await ctx.getState(count).value(),
          await ctx.getState(pages).get(),
          await ctx.getState(lastPage).get('page'),
        ]);
        assert.deepEqual(actual, [userPages.length, userPages, userPages.at(-1)], `state of ${user}`);
      }
    });

    test('a record keeps its key while records of other keys run during its awaits', async (h) => {
      const backend = await h.backend();
      const owner = new ValueStateDescriptor('owner', Serializers.string);
      let releaseA: () => void = () => {};
      const aWaits = new Promise<void>((resolve) => {
        releaseA = resolve;
      });
      const a = backend.withKey('a', async (ctx) => {
        const state = ctx.getState(owner);
        await aWaits;
        await state.update('written by a');
        return state.value();
      });
      const b = backend.withKey('b', async (ctx) => {
        await ctx.getState(owner).update('written by b');
        releaseA();
        return ctx.getState(owner).value();
      });
      assert.deepEqual(await Promise.all([a, b]), ['written by a', 'written by b']);
    });

    test('records of one key run one after another, in call order', async (h) => {
      const backend = await h.backend();
      const log = new ListStateDescriptor('log', Serializers.string);
      const started: string[] = [];
      const results = await Promise.all(
        ['first', 'second', 'third'].map((name, i) =>
          backend.withKey('k', async (ctx) => {
            started.push(name);
            await interleave(10 - i * 3);
            await ctx.getState(log).add(name);
            return started.length;
          }),
        ),
      );
      assert.deepEqual(results, [1, 2, 3]);
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(log).get()), [
        'first',
        'second',
        'third',
      ]);
    });

    test('a failing record rejects its own call only; the next record of the key still runs', async (h) => {
      const backend = await h.backend();
      const count = new ValueStateDescriptor('count', Serializers.int, 0);
      const failing = backend.withKey('k', async (ctx) => {
        await ctx.getState(count).update(1);
        throw new Error('record failed');
      });
      const next = backend.withKey('k', async (ctx) => {
        const state = ctx.getState(count);
        await state.update((await state.value()) + 1);
        return state.value();
      });
      await assert.rejects(failing, /record failed/);
      assert.equal(await next, 2);
    });

    test('withKey() returns what the function returns, also from a synchronous function', async (h) => {
      const backend = await h.backend();
      assert.equal(await backend.withKey('k', (ctx) => `key ${ctx.key}`), 'key k');
      assert.equal(await backend.withKey('k', async () => 42), 42);
    });
  },
};
