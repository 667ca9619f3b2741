import type { MetricGroup } from '../metrics/metric-group.js';
import type { KeyedStateStore } from './state-store.js';

/**
 * Wraps a store so that every primitive counts as a state read or write in `group`
 * (`reads`, `writes`). Only used when the backend was given a metric group, so that a backend
 * without metrics pays nothing.
 */
export function countingStore(store: KeyedStateStore, group: MetricGroup): KeyedStateStore {
  const reads = group.counter('reads');
  const writes = group.counter('writes');
  return {
    read: (state, cell) => {
      reads.inc();
      return store.read(state, cell);
    },
    write: (state, cell, stored) => {
      writes.inc();
      return store.write(state, cell, stored);
    },
    remove: (state, cell) => {
      writes.inc();
      return store.remove(state, cell);
    },
    readList: (state, cell) => {
      reads.inc();
      return store.readList(state, cell);
    },
    appendList: (state, cell, elements) => {
      writes.inc();
      return store.appendList(state, cell, elements);
    },
    writeList: (state, cell, elements) => {
      writes.inc();
      return store.writeList(state, cell, elements);
    },
    readEntry: (state, cell, userKey) => {
      reads.inc();
      return store.readEntry(state, cell, userKey);
    },
    writeEntry: (state, cell, userKey, stored) => {
      writes.inc();
      return store.writeEntry(state, cell, userKey, stored);
    },
    removeEntry: (state, cell, userKey) => {
      writes.inc();
      return store.removeEntry(state, cell, userKey);
    },
    readEntries: (state, cell) => {
      reads.inc();
      return store.readEntries(state, cell);
    },
  };
}
