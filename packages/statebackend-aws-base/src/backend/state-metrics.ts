import type { Counter } from '../metrics/metric.js';
import type { MetricGroup } from '../metrics/metric-group.js';
import { type KeyedStateStore, STORE_ACCESS, type StoreAccess } from './state-store.js';

type Method = (...args: never[]) => unknown;

/**
 * A decorator of any object whose methods are listed in `kinds`: every call of a method of a
 * kind that has a counter in `counters` increments it, then calls the method of `target`.
 * Methods of other kinds are `target`'s, bound to it.
 */
export function countingCalls<T extends object, Kind extends string>(
  target: T,
  kinds: { readonly [P in keyof T]: Kind },
  counters: Partial<Record<Kind, Counter>>,
): T {
  const decorated: Partial<Record<keyof T, Method>> = {};
  for (const name of Object.keys(kinds) as (keyof T)[]) {
    const method = (target[name] as Method).bind(target);
    const counter = counters[kinds[name]];
    decorated[name] =
      counter === undefined
        ? method
        : (...args) => {
            counter.inc();
            return method(...args);
          };
  }
  return decorated as T;
}

/**
 * Wraps a store so that every primitive counts as a state read or write in `group` (`reads`,
 * `writes`), as {@link STORE_ACCESS} classifies it. Only used when the backend was given a metric
 * group, so that a backend without metrics pays nothing.
 */
export function countingStore(store: KeyedStateStore, group: MetricGroup): KeyedStateStore {
  const counters: Partial<Record<StoreAccess, Counter>> = {
    read: group.counter('reads'),
    write: group.counter('writes'),
  };
  return countingCalls(store, STORE_ACCESS, counters);
}
