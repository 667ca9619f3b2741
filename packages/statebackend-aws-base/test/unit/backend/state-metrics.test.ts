import { countingStore } from '../../../src/backend/state-metrics.js';
import { type KeyedStateStore, STORE_ACCESS } from '../../../src/backend/state-store.js';
import { MetricRegistry } from '../../../src/index.js';
import type { RegisteredKeyedState, SerializedRef, StateCell } from '../../../src/spi.js';

/** A store whose every primitive records its call and answers with its own name. */
function recordingStore(calls: string[]): KeyedStateStore {
  const store: Record<string, (...args: unknown[]) => unknown> = {};
  for (const name of Object.keys(STORE_ACCESS)) {
    store[name] = (...args: unknown[]) => {
      calls.push(`${name}/${args.length}`);
      return name;
    };
  }
  return store as unknown as KeyedStateStore;
}

function countsOf(registry: MetricRegistry): Record<string, unknown> {
  return Object.fromEntries(registry.read().map((m) => [m.identifier.split('.').slice(-1)[0], m.value]));
}

describe('countingStore', () => {
  const state = {} as RegisteredKeyedState;
  const cell = {} as StateCell;
  const userKey = {} as SerializedRef;

  it('counts every read and write primitive once per call and passes calls and answers through', async () => {
    const calls: string[] = [];
    const registry = new MetricRegistry();
    const store = countingStore(recordingStore(calls), registry.createGroup({}));
    const answers = [
      store.read(state, cell),
      store.readList(state, cell),
      store.readEntry(state, cell, userKey),
      store.readEntries(state, cell),
      store.write(state, cell, 1),
      store.remove(state, cell),
      store.appendList(state, cell, [1]),
      store.writeList(state, cell, [1]),
      store.writeEntry(state, cell, userKey, 1),
      store.removeEntry(state, cell, userKey),
    ];
    expect(answers).toEqual([
      'read',
      'readList',
      'readEntry',
      'readEntries',
      'write',
      'remove',
      'appendList',
      'writeList',
      'writeEntry',
      'removeEntry',
    ]);
    expect(calls).toEqual([
      'read/2',
      'readList/2',
      'readEntry/3',
      'readEntries/2',
      'write/3',
      'remove/2',
      'appendList/3',
      'writeList/3',
      'writeEntry/4',
      'removeEntry/3',
    ]);
    expect(countsOf(registry)).toEqual({
      reads: { type: 'counter', count: 4 },
      writes: { type: 'counter', count: 6 },
    });
    await registry.close();
  });

  it('counts neither key listing nor the life cycle, and still calls them on the store', async () => {
    const calls: string[] = [];
    const registry = new MetricRegistry();
    const store = countingStore(recordingStore(calls), registry.createGroup({}));
    store.iterateKeys(state, userKey);
    store.registerState(state);
    store.cleanupStep(state);
    await store.dispose();
    expect(calls).toEqual(['iterateKeys/2', 'registerState/1', 'cleanupStep/1', 'dispose/0']);
    expect(countsOf(registry)).toEqual({
      reads: { type: 'counter', count: 0 },
      writes: { type: 'counter', count: 0 },
    });
    await registry.close();
  });
});
