import {
  AggregatingStateDescriptor,
  assignKeyToParallelOperator,
  type KeyedStateBackend,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  Serializers,
  StateTtlConfig,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import { MAX_PARALLELISM } from './checkpoint-case.js';
import { collect } from './helpers.js';
import { averageFunction } from './reducing-aggregating.cases.js';

/** TTL of the `ttl` state, in milliseconds of the harness clock. */
export const WORKLOAD_TTL = 1_000;

/** One state of every kind, a namespaced one and one with TTL: what checkpoints must carry. */
export const workloadStates = {
  value: new ValueStateDescriptor('value', Serializers.string),
  list: new ListStateDescriptor('list', Serializers.int),
  map: new MapStateDescriptor('map', Serializers.string, Serializers.int),
  reducing: new ReducingStateDescriptor('reducing', (a: number, b: number) => a + b, Serializers.int),
  aggregating: new AggregatingStateDescriptor('aggregating', averageFunction),
  windowed: new ValueStateDescriptor('windowed', Serializers.string),
  ttl: new ValueStateDescriptor('ttl', Serializers.string).enableTimeToLive(
    StateTtlConfig.newBuilder(WORKLOAD_TTL).build(),
  ),
} as const;

/** `count` keys, e.g. `key-0` ... */
export function workloadKeys(count: number, prefix = 'key'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}

/** The operator index of `parallelism` that owns `key`. */
export function ownerOf(key: string, parallelism: number): number {
  return assignKeyToParallelOperator(Serializers.string.serialize(key), MAX_PARALLELISM, parallelism);
}

/** Writes every state of `key`, with values that depend on `round`. */
export async function writeKey(
  backend: KeyedStateBackend<string>,
  key: string,
  round: number,
): Promise<void> {
  await backend.withKey(key, async (ctx) => {
    await ctx.getState(workloadStates.value).update(`${key}@${round}`);
    await ctx.getState(workloadStates.list).add(round);
    await ctx.getState(workloadStates.map).put(`r${round}`, round * 10);
    await ctx.getState(workloadStates.reducing).add(round);
    await ctx.getState(workloadStates.aggregating).add(round);
    const windows = ctx.getPartitionedState(workloadStates.windowed, Serializers.int);
    await windows.inNamespace(round % 3).update(`${key} in window ${round % 3} at ${round}`);
    await ctx.getState(workloadStates.ttl).update(`${key} expires`);
  });
}

/** Writes every key of `keys` that `backend` owns. */
export async function writeOwned(
  backend: KeyedStateBackend<string>,
  keys: readonly string[],
  round: number,
): Promise<void> {
  for (const key of keys) {
    if (backend.keyGroupRange.contains(keyGroupOf(key))) await writeKey(backend, key, round);
  }
}

export function keyGroupOf(key: string): number {
  return ownerOf(key, MAX_PARALLELISM);
}

/** Everything `backend` holds for `key`, as a comparable value. */
export async function dumpKey(backend: KeyedStateBackend<string>, key: string): Promise<unknown> {
  return backend.withKey(key, async (ctx) => {
    const windows = ctx.getPartitionedState(workloadStates.windowed, Serializers.int);
    return {
      value: await ctx.getState(workloadStates.value).value(),
      list: await ctx.getState(workloadStates.list).get(),
      map: (await ctx.getState(workloadStates.map).entries()).sort(([a], [b]) => a.localeCompare(b)),
      reducing: await ctx.getState(workloadStates.reducing).get(),
      aggregating: await ctx.getState(workloadStates.aggregating).get(),
      windows: [
        await windows.inNamespace(0).value(),
        await windows.inNamespace(1).value(),
        await windows.inNamespace(2).value(),
      ],
      ttl: await ctx.getState(workloadStates.ttl).value(),
    };
  });
}

/** Everything the backends hold for `keys`, each key read from the backend that owns it. */
export async function dumpAll(
  backends: readonly KeyedStateBackend<string>[],
  keys: readonly string[],
): Promise<Record<string, unknown>> {
  const dump: Record<string, unknown> = {};
  for (const key of keys) {
    const owner = backends.find((b) => b.keyGroupRange.contains(keyGroupOf(key)));
    if (owner !== undefined) dump[key] = await dumpKey(owner, key);
  }
  return dump;
}

/**
 * The keys with a `value` state in `backend`, sorted. Registers the state first, as a restored
 * job does at startup: restored state is loaded by the registration that reads it.
 */
export async function keysWithValue(backend: KeyedStateBackend<string>): Promise<string[]> {
  backend.registerState(workloadStates.value);
  return (await collect(backend.keys(workloadStates.value.name))).sort();
}

/** Removes every state of `key`: what a restore must bring back as absent. */
export async function clearKey(backend: KeyedStateBackend<string>, key: string): Promise<void> {
  await backend.withKey(key, async (ctx) => {
    await ctx.getState(workloadStates.value).clear();
    await ctx.getState(workloadStates.list).clear();
    await ctx.getState(workloadStates.map).clear();
    await ctx.getState(workloadStates.reducing).clear();
    await ctx.getState(workloadStates.aggregating).clear();
    const windows = ctx.getPartitionedState(workloadStates.windowed, Serializers.int);
    for (const window of [0, 1, 2]) await windows.inNamespace(window).clear();
    await ctx.getState(workloadStates.ttl).clear();
  });
}
