import type { KeyedContext, KeyedStateBackend } from '@statebackend/aws-base';

/** Every item of an async iterable, in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Every key with state `stateName` (in `namespace`), sorted. */
export async function sortedKeys<K>(
  backend: KeyedStateBackend<K>,
  stateName: string,
  namespace?: unknown,
): Promise<K[]> {
  return (await collect(backend.keys(stateName, namespace))).sort();
}

/** Runs `fn` for `key` and returns its result. */
export function inKey<K, R>(
  backend: KeyedStateBackend<K>,
  key: K,
  fn: (ctx: KeyedContext<K>) => Promise<R> | R,
): Promise<R> {
  return backend.withKey(key, fn);
}

/**
 * Yields to other tasks `turns` times through resolved promises (no timers), so that the awaits
 * of concurrent records interleave.
 */
export async function interleave(turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}

/** A deterministic pseudo-random sequence (mulberry32), so that a failing case replays. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
