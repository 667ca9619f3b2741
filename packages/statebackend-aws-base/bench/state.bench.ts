// Heap keyed state against a plain Map doing the same reads and writes, on 100k keys: each round
// processes one record per key (read + write), the baseline and the state cases interleaved, and
// the median round of each is compared. The Map baseline is the floor: the heap backend adds key
// serialization, the key group, the per-key record order and a promise per operation.
//
// The second part measures the synchronous part of a copy-on-write snapshot of 1M entries
// against a full snapshot (every entry serialized), the cost the snapshot design keeps small.
import { performance } from 'node:perf_hooks';
import { recordResult } from '../../../scripts/bench-results.mjs';
import { HeapKeyedStateBackend } from '../dist/heap/heap-keyed-state-backend.js';
import { KeyGroupRange } from '../dist/keygroup/key-group-range.js';
import { Serializers } from '../dist/serialization/serializers.js';
import { ListStateDescriptor } from '../dist/state/list-state.js';
import { MapStateDescriptor } from '../dist/state/map-state.js';
import { ValueStateDescriptor } from '../dist/state/value-state.js';
import { type BenchResult, printResults } from './harness.mjs';

const KEYS = 100_000;
const ROUNDS = 7;
const WARMUP_ROUNDS = 2;
const keys = Array.from({ length: KEYS }, (_, i) => `user-${(i * 7919) % 1_000_003}`);

interface AsyncCase {
  readonly name: string;
  /** Processes one record per key; returns anything, kept observable. */
  readonly round: () => Promise<number> | number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] as number;
}

async function compareRounds(baseline: AsyncCase, cases: readonly AsyncCase[]): Promise<BenchResult[]> {
  const all = [baseline, ...cases];
  let sink = 0;
  for (let i = 0; i < WARMUP_ROUNDS; i++) for (const c of all) sink += await c.round();
  const samples = all.map((): number[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, c] of all.entries()) {
      const start = performance.now();
      sink += await c.round();
      samples[index]?.push((KEYS / (performance.now() - start)) * 1000);
    }
  }
  if (Number.isNaN(sink)) console.log('unreachable');
  const medians = samples.map(median);
  const base = medians[0] as number;
  return all.map((c, index) => {
    const values = samples[index] as number[];
    const m = medians[index] as number;
    return {
      name: c.name,
      opsPerSecond: m,
      ratio: m / base,
      spread: (Math.max(...values) - Math.min(...values)) / m,
    };
  });
}

function newBackend(): HeapKeyedStateBackend<string> {
  return new HeapKeyedStateBackend({
    jobId: 'bench',
    operatorId: 'op',
    keyGroupRange: KeyGroupRange.of(0, 127),
    maxParallelism: 128,
    keySerializer: Serializers.string,
  });
}

// ---- ValueState read + update -------------------------------------------------------------

const plainCounts = new Map<string, number>();
const asyncCounts = new Map<string, number>();
const valueBackend = newBackend();
const counts = new ValueStateDescriptor('count', Serializers.number, 0);

const valueResults = await compareRounds(
  {
    name: 'plain Map get + set (baseline)',
    round: () => {
      for (const key of keys) plainCounts.set(key, (plainCounts.get(key) ?? 0) + 1);
      return plainCounts.size;
    },
  },
  [
    {
      name: 'plain Map in an async handler',
      round: async () => {
        for (const key of keys) {
          await (async () => {
            asyncCounts.set(key, (asyncCounts.get(key) ?? 0) + 1);
          })();
        }
        return asyncCounts.size;
      },
    },
    {
      name: 'heap ValueState value + update',
      round: async () => {
        for (const key of keys) {
          await valueBackend.withKey(key, async (ctx) => {
            const count = ctx.getState(counts);
            await count.update((await count.value()) + 1);
          });
        }
        return valueBackend.numEntries();
      },
    },
  ],
);
printResults('ValueState read + update, 100k keys (ratio against a plain Map)', valueResults);
const [, asyncHandler, heapValue] = valueResults;
if (asyncHandler !== undefined && heapValue !== undefined) {
  const ratio = heapValue.opsPerSecond / asyncHandler.opsPerSecond;
  console.log(`heap ValueState against the plain Map in an async handler: ${ratio.toFixed(2)}x`);
  recordResult({
    id: 'heap.value-state.vs-map',
    label: 'heap ValueState value() + update() / a plain Map get + set, 100k keys (ops/s)',
    value: heapValue.ratio,
    unit: 'x',
    better: 'higher',
  });
  recordResult({
    id: 'heap.value-state.vs-async-map',
    label: 'heap ValueState value() + update() / the plain Map used from an async handler (ops/s)',
    value: ratio,
    unit: 'x',
    better: 'higher',
  });
}

// ---- ListState add --------------------------------------------------------------------------

const plainLists = new Map<string, number[]>();
const listBackend = newBackend();
const events = new ListStateDescriptor('events', Serializers.number);
let listRound = 0;

const listResults = await compareRounds(
  {
    name: 'plain Map of arrays push (baseline)',
    round: () => {
      listRound++;
      for (const key of keys) {
        const list = plainLists.get(key);
        if (list === undefined) plainLists.set(key, [listRound]);
        else list.push(listRound);
      }
      return plainLists.size;
    },
  },
  [
    {
      name: 'heap ListState add',
      round: async () => {
        for (const key of keys) await listBackend.withKey(key, (ctx) => ctx.getState(events).add(listRound));
        return listBackend.numEntries();
      },
    },
  ],
);
printResults('ListState add, 100k keys (ratio against a plain Map of arrays)', listResults);
recordResult({
  id: 'heap.list-state.vs-map',
  label: 'heap ListState add() / a plain Map of arrays push, 100k keys (ops/s)',
  value: listResults[1]?.ratio ?? 0,
  unit: 'x',
  better: 'higher',
});

// ---- MapState get + put ---------------------------------------------------------------------

const plainMaps = new Map<string, Map<string, number>>();
const mapBackend = newBackend();
const carts = new MapStateDescriptor('cart', Serializers.string, Serializers.number);
const items = ['sku-1', 'sku-2', 'sku-3', 'sku-4', 'sku-5', 'sku-6', 'sku-7', 'sku-8', 'sku-9', 'sku-10'];
let mapRound = 0;

const mapResults = await compareRounds(
  {
    name: 'plain Map of Maps get + set (baseline)',
    round: () => {
      const item = items[mapRound++ % items.length] as string;
      for (const key of keys) {
        let cart = plainMaps.get(key);
        if (cart === undefined) {
          cart = new Map();
          plainMaps.set(key, cart);
        }
        cart.set(item, (cart.get(item) ?? 0) + 1);
      }
      return plainMaps.size;
    },
  },
  [
    {
      name: 'heap MapState get + put',
      round: async () => {
        const item = items[mapRound % items.length] as string;
        for (const key of keys) {
          await mapBackend.withKey(key, async (ctx) => {
            const cart = ctx.getState(carts);
            await cart.put(item, ((await cart.get(item)) ?? 0) + 1);
          });
        }
        return mapBackend.numEntries();
      },
    },
  ],
);
printResults('MapState get + put, 100k keys x 10 map keys (ratio against a plain Map of Maps)', mapResults);
recordResult({
  id: 'heap.map-state.vs-map',
  label: 'heap MapState get() + put() / a plain Map of Maps, 100k keys x 10 map keys (ops/s)',
  value: mapResults[1]?.ratio ?? 0,
  unit: 'x',
  better: 'higher',
});

// ---- Snapshot: synchronous part against a full snapshot -------------------------------------

const SNAPSHOT_ENTRIES = 1_000_000;
const snapshotBackend = newBackend();
const totals = new ValueStateDescriptor('total', Serializers.number, 0);
for (let i = 0; i < SNAPSHOT_ENTRIES; i += 1000) {
  await Promise.all(
    Array.from({ length: 1000 }, (_, j) =>
      snapshotBackend.withKey(`key-${i + j}`, (ctx) => ctx.getState(totals).update(i + j)),
    ),
  );
}
const syncTimes: number[] = [];
const fullTimes: number[] = [];
for (let round = 0; round < 5; round++) {
  let start = performance.now();
  const snapshot = snapshotBackend.snapshotTables();
  syncTimes.push(performance.now() - start);
  // A full snapshot, minus the I/O: every cell's key and value serialized.
  start = performance.now();
  let bytes = 0;
  for (const part of snapshot.parts) {
    for (const keyGroup of snapshot.keyGroupRange) {
      for (const [id, stored] of snapshot.cellsToWrite(part, keyGroup)) {
        bytes += id.length + part.state.serializer.serialize(stored).length;
      }
    }
  }
  fullTimes.push(performance.now() - start);
  snapshot.release();
  // Writes after the snapshot, so the next one has copies to make and changed key groups.
  await Promise.all(
    keys
      .slice(0, 1000)
      .map((key) => snapshotBackend.withKey(key, (ctx) => ctx.getState(totals).update(round))),
  );
  if (bytes === 0) console.log('unreachable');
}
const sync = median(syncTimes);
const full = median(fullTimes);
console.log(`\nSnapshot of ${SNAPSHOT_ENTRIES.toLocaleString('en-US')} entries (median of 5)`);
console.log(`synchronous part (copy-on-write freeze)  ${sync.toFixed(3)} ms`);
console.log(`full snapshot (serialize every entry)    ${full.toFixed(1)} ms`);
console.log(`synchronous part / full snapshot         ${((sync / full) * 100).toFixed(3)}%`);
recordResult({
  id: 'heap.snapshot-tables.vs-serialize',
  label: `snapshotTables() of ${SNAPSHOT_ENTRIES / 1e6}M entries (the copy-on-write freeze) / serializing them all`,
  value: (sync / full) * 100,
  unit: '%',
  better: 'lower',
  detail: `${sync.toFixed(2)} ms vs ${full.toFixed(0)} ms`,
});
