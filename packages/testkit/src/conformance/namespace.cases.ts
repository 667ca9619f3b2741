import assert from 'node:assert/strict';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  Serializers,
  StateBackendError,
  StateRegistrationError,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import type { ConformanceCaseGroup } from './conformance-options.js';
import { inKey, sortedKeys } from './helpers.js';
import { averageFunction } from './reducing-aggregating.cases.js';

const windows = Serializers.int;

/** Namespaced state (windows): independence, merging namespaces, keys per namespace. */
export const namespaceCases: ConformanceCaseGroup = {
  name: 'namespaces',
  define(test) {
    test('the same key has independent values in each namespace', async (h) => {
      const backend = await h.backend();
      const count = new ValueStateDescriptor('count', Serializers.int, 0);
      const tags = new MapStateDescriptor('tags', Serializers.string, Serializers.int);
      await inKey(backend, 'k', async (ctx) => {
        const perWindow = ctx.getPartitionedState(count, windows);
        await perWindow.inNamespace(1).update(10);
        await perWindow.inNamespace(2).update(20);
        await ctx.getPartitionedState(tags, windows).inNamespace(1).put('x', 1);
      });
      const read = await inKey(backend, 'k', async (ctx) => {
        const perWindow = ctx.getPartitionedState(count, windows);
        const tagsPerWindow = ctx.getPartitionedState(tags, windows);
        return [
          await perWindow.inNamespace(1).value(),
          await perWindow.inNamespace(2).value(),
          await perWindow.inNamespace(3).value(),
          await tagsPerWindow.inNamespace(1).entries(),
          await tagsPerWindow.inNamespace(2).entries(),
        ];
      });
      assert.deepEqual(read, [10, 20, 0, [['x', 1]], []]);
    });

    test('clearing one namespace leaves the others', async (h) => {
      const backend = await h.backend();
      const events = new ListStateDescriptor('events', Serializers.string);
      await inKey(backend, 'k', async (ctx) => {
        const perWindow = ctx.getPartitionedState(events, windows);
        await perWindow.inNamespace(1).add('a');
        await perWindow.inNamespace(2).add('b');
        await perWindow.inNamespace(1).clear();
      });
      const read = await inKey(backend, 'k', async (ctx) => {
        const perWindow = ctx.getPartitionedState(events, windows);
        return [await perWindow.inNamespace(1).get(), await perWindow.inNamespace(2).get()];
      });
      assert.deepEqual(read, [[], ['b']]);
    });

    test('merging list namespaces appends the sources to the target in order and clears them', async (h) => {
      const backend = await h.backend();
      const events = new ListStateDescriptor('events', Serializers.string);
      await inKey(backend, 'k', async (ctx) => {
        const perWindow = ctx.getPartitionedState(events, windows);
        await perWindow.inNamespace(10).addAll(['t1', 't2']);
        await perWindow.inNamespace(1).add('s1');
        await perWindow.inNamespace(2).addAll(['s2a', 's2b']);
        await perWindow.mergeNamespaces(10, [1, 3, 2]);
      });
      const read = await inKey(backend, 'k', async (ctx) => {
        const perWindow = ctx.getPartitionedState(events, windows);
        return [
          await perWindow.inNamespace(10).get(),
          await perWindow.inNamespace(1).get(),
          await perWindow.inNamespace(2).get(),
        ];
      });
      assert.deepEqual(read, [['t1', 't2', 's1', 's2a', 's2b'], [], []]);
    });

    test('merging reducing namespaces reduces the sources into the target', async (h) => {
      const backend = await h.backend();
      const sum = new ReducingStateDescriptor('sum', (a: number, b: number) => a + b, Serializers.number);
      await inKey(backend, 'k', async (ctx) => {
        const perWindow = ctx.getPartitionedState(sum, windows);
        await perWindow.inNamespace(1).add(1);
        await perWindow.inNamespace(2).add(2);
        await perWindow.inNamespace(3).add(4);
        await perWindow.mergeNamespaces(3, [1, 2]);
      });
      const read = await inKey(backend, 'k', async (ctx) => {
        const perWindow = ctx.getPartitionedState(sum, windows);
        return [
          await perWindow.inNamespace(3).get(),
          await perWindow.inNamespace(1).get(),
          await perWindow.inNamespace(2).get(),
        ];
      });
      assert.deepEqual(read, [7, undefined, undefined]);
    });

    test('merging aggregating namespaces merges accumulators, into an empty target too', async (h) => {
      const backend = await h.backend();
      const average = new AggregatingStateDescriptor('avg', averageFunction);
      await inKey(backend, 'k', async (ctx) => {
        const perWindow = ctx.getPartitionedState(average, windows);
        await perWindow.inNamespace(1).add(2);
        await perWindow.inNamespace(2).add(4);
        await perWindow.inNamespace(2).add(12);
        await perWindow.mergeNamespaces(5, [1, 2]);
      });
      const read = await inKey(backend, 'k', async (ctx) => {
        const perWindow = ctx.getPartitionedState(average, windows);
        return [await perWindow.inNamespace(5).get(), await perWindow.inNamespace(1).get()];
      });
      assert.deepEqual(read, [6, undefined]);
    });

    test('merging with the target among the sources keeps its state, in the sources order', async (h) => {
      const backend = await h.backend();
      const events = new ListStateDescriptor('events', Serializers.string);
      await inKey(backend, 'k', async (ctx) => {
        const perWindow = ctx.getPartitionedState(events, windows);
        await perWindow.inNamespace(1).add('one');
        await perWindow.inNamespace(2).add('two');
        await perWindow.mergeNamespaces(2, [1, 2]);
        await perWindow.mergeNamespaces(2, []);
      });
      const read = await inKey(backend, 'k', (ctx) =>
        ctx.getPartitionedState(events, windows).inNamespace(2).get(),
      );
      assert.deepEqual(read, ['one', 'two']);
    });

    test('merging touches only the current key', async (h) => {
      const backend = await h.backend();
      const events = new ListStateDescriptor('events', Serializers.string);
      for (const key of ['a', 'b']) {
        await inKey(backend, key, async (ctx) => {
          const perWindow = ctx.getPartitionedState(events, windows);
          await perWindow.inNamespace(1).add(`${key}1`);
          await perWindow.inNamespace(2).add(`${key}2`);
        });
      }
      await inKey(backend, 'a', (ctx) => ctx.getPartitionedState(events, windows).mergeNamespaces(2, [1]));
      const b = await inKey(backend, 'b', async (ctx) => {
        const perWindow = ctx.getPartitionedState(events, windows);
        return [await perWindow.inNamespace(1).get(), await perWindow.inNamespace(2).get()];
      });
      assert.deepEqual(b, [['b1'], ['b2']]);
    });

    test('keys(state, namespace) lists the keys with state in that namespace', async (h) => {
      const backend = await h.backend();
      const count = new ValueStateDescriptor('count', Serializers.int);
      await inKey(backend, 'a', (ctx) => ctx.getPartitionedState(count, windows).inNamespace(1).update(1));
      await inKey(backend, 'b', (ctx) => ctx.getPartitionedState(count, windows).inNamespace(1).update(1));
      await inKey(backend, 'b', (ctx) => ctx.getPartitionedState(count, windows).inNamespace(2).update(1));
      await inKey(backend, 'c', (ctx) => ctx.getPartitionedState(count, windows).inNamespace(3).update(1));
      assert.deepEqual(await sortedKeys(backend, 'count', 1), ['a', 'b']);
      assert.deepEqual(await sortedKeys(backend, 'count', 2), ['b']);
      assert.deepEqual(await sortedKeys(backend, 'count', 4), []);
    });

    test('a namespaced state cannot be used without a namespace, and value state cannot merge', async (h) => {
      const backend = await h.backend();
      const count = new ValueStateDescriptor('count', Serializers.int);
      await inKey(backend, 'k', async (ctx) => {
        ctx.getPartitionedState(count, windows);
        assert.throws(() => ctx.getState(count), StateRegistrationError);
        const perWindow = ctx.getPartitionedState(count, windows) as unknown as {
          mergeNamespaces(target: number, sources: number[]): Promise<void>;
        };
        await assert.rejects(perWindow.mergeNamespaces(1, [2]), StateBackendError);
      });
    });
  },
};
