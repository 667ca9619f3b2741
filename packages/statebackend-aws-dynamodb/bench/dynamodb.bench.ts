// DynamoDB backend benchmarks against an open-source emulator (ministack by default; moto with
// STATEBACKEND_BENCH_EMULATOR=moto), each a ratio to a baseline measured in the same run on the
// same server. Sizes are kept small but for the restore (100k entries), so the whole file takes
// a few minutes on two cores.

import {
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import {
  HeapStateBackend,
  type KeyedStateBackend,
  KeyGroupRange,
  Serializers,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import { parseEmulatorNames, startEmulator } from '@statebackend/testkit';
import { recordResult } from '../../../scripts/bench-results.mjs';
import { DynamoDbStateBackend, DynamoDbStateStore } from '../dist/index.js';

const [server = 'ministack'] = parseEmulatorNames(
  [process.env.STATEBACKEND_BENCH_EMULATOR || 'ministack'],
  'STATEBACKEND_BENCH_EMULATOR',
);
const emulator = await startEmulator(server);
console.log(`DynamoDB benchmarks on ${server}`);
const client = new DynamoDBClient({
  endpoint: emulator.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});
const encoder = new TextEncoder();
const range = KeyGroupRange.of(0, 127);
const results: [string, number, string, number][] = [];
let tables = 0;

/** Prints a rate against its baseline's and records the ratio under `id` in bench-results. */
function report(
  id: string,
  name: string,
  value: number,
  baselineName: string,
  baseline: number,
  goal?: number,
  note?: string,
): void {
  results.push([name, value, baselineName, baseline]);
  console.log(
    `${name}: ${value.toFixed(0)}/s vs ${baselineName}: ${baseline.toFixed(0)}/s -> ratio ${(value / baseline).toFixed(2)}x${note === undefined ? '' : ` (${note})`}`,
  );
  recordResult({
    id,
    label: `${name.trim()} / ${baselineName} (${server})`,
    value: value / baseline,
    unit: 'x',
    better: 'higher',
    ...(goal === undefined ? {} : { goal }),
    detail: `${value.toFixed(0)}/s vs ${baseline.toFixed(0)}/s${note === undefined ? '' : `; ${note}`}`,
  });
}

async function inParallel<T>(
  items: readonly T[],
  lanes: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

function openStore(tableName: string, scope: string, extra: object = {}): Promise<DynamoDbStateStore> {
  return DynamoDbStateStore.open({
    client,
    table: { tableName },
    scope,
    keyGroupRange: range,
    maxParallelism: 128,
    ...extra,
  });
}

const ref = (key: string) => {
  const bytes = encoder.encode(key);
  return {
    state: 'v',
    keyGroup: Math.abs(bytes.reduce((h, b) => (h * 31 + b) | 0, 7)) % 128,
    key: bytes,
    namespace: new Uint8Array(0),
  };
};

/** When BatchWriteItem calls were first sent and last answered since `reset` (performance.now()). */
const batchWrites = {
  first: Number.POSITIVE_INFINITY,
  last: 0,
  reset(): void {
    this.first = Number.POSITIVE_INFINITY;
    this.last = 0;
  },
};
client.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName !== 'BatchWriteItemCommand') return next(args);
    batchWrites.first = Math.min(batchWrites.first, performance.now());
    try {
      return await next(args);
    } finally {
      batchWrites.last = Math.max(batchWrites.last, performance.now());
    }
  },
  { step: 'initialize', name: 'benchBatchWriteTimes' },
);

/**
 * 1. Checkpoint flush throughput vs a hand-tuned parallel BatchWriteItem loop over the same items.
 * The snapshot does what the loop does not: it freezes the dirty entries and checks their sizes
 * before its first write, and after its last one it notes what each entry now holds and commits
 * (one TransactWriteItems, which may only start once every write is acknowledged). Those two
 * stretches are measured and reported beside the ratio.
 */
async function flushThroughput(): Promise<void> {
  const tableName = `bench-flush-${tables++}`;
  const entries = 4000;
  const value = new Uint8Array(100).fill(7);
  const storeRates: number[] = [];
  const loopRates: number[] = [];
  const beforeMs: number[] = [];
  const afterMs: number[] = [];
  const flushMs: number[] = [];
  // The store's dirty entries are prepared first, so that both measurements follow the same idle
  // pause (the SDK's sockets may have to reconnect after it) and only the flush is timed.
  const prepare = async (round: number): Promise<() => Promise<number>> => {
    // Like the loop, without asking for consumed capacity (an emulator may slow down for it).
    const store = await openStore(tableName, `flush-${round}`, {
      skipTableCheck: round > 0,
      trackConsumedCapacity: false,
    });
    for (let i = 0; i < entries; i++) await store.put(ref(`key-${i}`), value);
    return async () => {
      batchWrites.reset();
      const started = performance.now();
      await store.snapshot(1);
      const ended = performance.now();
      beforeMs.push(batchWrites.first - started);
      afterMs.push(ended - batchWrites.last);
      flushMs.push(ended - started);
      const rate = entries / ((ended - started) / 1000);
      await store.close();
      return rate;
    };
  };
  const viaLoop = async (round: number): Promise<number> => {
    // The same number of items of the same shape and size, 25 per call, 8 in flight.
    const requests: WriteRequest[] = Array.from({ length: entries }, (_, i) => ({
      PutRequest: {
        Item: {
          pk: { B: encoder.encode(`loop-${round}/p-${i % 512}`) },
          sk: { B: encoder.encode(`v/key-${i}/slot`) },
          g: { N: '1' },
          v: { B: value },
        },
      },
    }));
    const batches: WriteRequest[][] = [];
    for (let i = 0; i < requests.length; i += 25) batches.push(requests.slice(i, i + 25));
    const started = performance.now();
    await inParallel(batches, 8, async (batch) => {
      let pending = batch;
      while (pending.length > 0) {
        const response = await client.send(
          new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }),
        );
        pending = response.UnprocessedItems?.[tableName] ?? [];
      }
    });
    return entries / ((performance.now() - started) / 1000);
  };
  // An emulator speeds up for a while after start: warm both paths, then alternate which goes first.
  await (await prepare(0))();
  await viaLoop(0);
  beforeMs.length = 0;
  afterMs.length = 0;
  flushMs.length = 0;
  for (let round = 1; round <= 4; round++) {
    const flush = await prepare(round);
    if (round % 2 === 0) {
      storeRates.push(await flush());
      loopRates.push(await viaLoop(round));
    } else {
      loopRates.push(await viaLoop(round));
      storeRates.push(await flush());
    }
  }
  const commitShare = `snapshot ${median(flushMs).toFixed(0)} ms (median): ${median(beforeMs).toFixed(1)} ms before its first BatchWriteItem (freezing, sizes), ${median(afterMs).toFixed(1)} ms after its last (bookkeeping and the commit's TransactWriteItems), which the loop does not do`;
  report(
    'dynamodb.flush.vs-batch-write',
    'checkpoint flush (items/s)',
    median(storeRates),
    'parallel BatchWriteItem loop',
    median(loopRates),
    0.9,
    commitShare,
  );
}

/** One record per key: read the counter and write it back plus one, every key at once. */
async function incrementEach(
  keyed: Pick<KeyedStateBackend<string>, 'withKey'>,
  counter: ValueStateDescriptor<number>,
  keys: readonly string[],
): Promise<void> {
  await Promise.all(
    keys.map((key) =>
      keyed.withKey(key, async (ctx) => {
        const state = ctx.getState(counter);
        await state.update(((await state.value()) ?? 0) + 1);
      }),
    ),
  );
}

/** The `q` quantile of `values` (0.5: the median), interpolated between the two nearest. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (sorted.length - 1) * q;
  const below = sorted[Math.floor(at)] ?? 0;
  const above = sorted[Math.ceil(at)] ?? 0;
  return below + (above - below) * (at - Math.floor(at));
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * 2. 10 updates per key between checkpoints vs one GetItem + one PutItem per state access: on
 * fresh keys (a store that starts empty), and on keys restored from the previous checkpoint
 * (where the first touch of each key reads it).
 */
async function processingThroughput(): Promise<void> {
  const tableName = `bench-process-${tables++}`;
  // Like the baseline, without asking for consumed capacity (an emulator may slow down for it).
  const backend = new DynamoDbStateBackend(undefined, {
    client,
    table: { tableName },
    trackConsumedCapacity: false,
  });
  const counter = new ValueStateDescriptor('count', Serializers.int, 0);
  const keys = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
  const rounds = 10;
  const parameters = (operatorId: string) => ({
    jobId: 'bench',
    operatorId,
    keyGroupRange: range,
    maxParallelism: 128,
    keySerializer: Serializers.string,
  });
  /** Rounds of one update per key, then a checkpoint; `expected` is every counter's value before. */
  const process = async (
    keyed: Awaited<ReturnType<typeof backend.createKeyedStateBackend<string>>>,
    checkpointId: number,
    expected: number,
  ): Promise<number> => {
    const started = performance.now();
    for (let round = 0; round < rounds; round++) {
      await incrementEach(keyed, counter, keys);
    }
    await keyed.snapshot(checkpointId);
    const rate = (keys.length * rounds) / ((performance.now() - started) / 1000);
    const last = await keyed.withKey(keys[keys.length - 1] as string, (ctx) => ctx.getState(counter).value());
    if (last !== expected + rounds) throw new Error(`counter at ${last}, expected ${expected + rounds}`);
    await keyed.dispose();
    return rate;
  };
  const viaBackend = async (run: string): Promise<number> =>
    process(await backend.createKeyedStateBackend(parameters(`process-${run}`)), 1, 0);
  // The operator of a fresh run restored from the checkpoint it took: every key is in DynamoDB,
  // one ancestor deep, and the checkpoint supersedes (deletes) the restored versions.
  const viaRestored = async (run: string): Promise<number> => {
    const keyed = await backend.createCheckpointingKeyedStateBackend(parameters(`process-${run}`), {
      restoreFrom: 'latest',
      checkpointCompletion: 'commit',
    });
    return process(keyed, 2, rounds);
  };
  // Baseline: a read and a write per access, 16 accesses in flight, on a sample of the accesses.
  const viaCalls = async (run: string): Promise<number> => {
    const sample = 600;
    const started = performance.now();
    await inParallel(
      Array.from({ length: sample }, (_, i) => i),
      16,
      async (i) => {
        const key = {
          pk: { B: encoder.encode(`run-${run}/user-${i % keys.length}`) },
          sk: { B: encoder.encode('count') },
        };
        const found = await client.send(
          new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
        );
        const next = Number(found.Item?.n?.N ?? '0') + 1;
        await client.send(
          new PutItemCommand({ TableName: tableName, Item: { ...key, n: { N: String(next) } } }),
        );
      },
    );
    return sample / ((performance.now() - started) / 1000);
  };
  // The emulator and Node's JIT are several times slower on the first calls: every side
  // runs once unmeasured, then the measured runs alternate which side goes first.
  await viaBackend('warm');
  await viaRestored('warm');
  await viaCalls('warm');
  const storeRates: number[] = [];
  const restoredRates: number[] = [];
  const callRates: number[] = [];
  for (let run = 0; run < 5; run++) {
    const name = String(run);
    if (run % 2 === 1) callRates.push(await viaCalls(name));
    storeRates.push(await viaBackend(name));
    restoredRates.push(await viaRestored(name));
    if (run % 2 === 0) callRates.push(await viaCalls(name));
  }
  await backend.close();
  const baseline = median(callRates);
  report(
    'dynamodb.processing.vs-get-put',
    'processing, 10 updates/key/checkpoint (accesses/s)',
    median(storeRates),
    'GetItem + PutItem per access',
    baseline,
    50,
  );
  report(
    'dynamodb.processing-restored.vs-get-put',
    '  same on restored keys (first touch reads)',
    median(restoredRates),
    'GetItem + PutItem per access',
    baseline,
  );
}

/**
 * 3. Warm-cache ValueState reads and writes vs the heap backend. Both run in this process and
 * a round takes a few hundred microseconds of CPU per pass, so one measurement each is at the
 * mercy of the machine: the two sides run in pairs of rounds of at least 100 ms each (passes
 * over 200 cached keys until 100 ms have passed), which side goes first alternating, and the
 * figure is the median of the pairs' ratios (each pair ran under about the same load).
 */
async function warmCache(): Promise<void> {
  const tableName = `bench-warm-${tables++}`;
  const parameters = {
    jobId: 'bench',
    operatorId: 'warm',
    keyGroupRange: range,
    maxParallelism: 128,
    keySerializer: Serializers.string,
  };
  const backend = new DynamoDbStateBackend(undefined, { client, table: { tableName } });
  const dynamo = await backend.createKeyedStateBackend(parameters);
  const heap = await new HeapStateBackend().createKeyedStateBackend(parameters);
  const counter = new ValueStateDescriptor('count', Serializers.int, 0);
  const keys = Array.from({ length: 200 }, (_, i) => `user-${i}`);
  const roundMs: number[] = [];
  /** One round: passes until `minMs` have passed; its rate in ops/s. */
  const run = async (keyed: typeof heap | typeof dynamo, minMs: number): Promise<number> => {
    const started = performance.now();
    let passes = 0;
    let elapsed = 0;
    do {
      await incrementEach(keyed, counter, keys);
      passes++;
      elapsed = performance.now() - started;
    } while (elapsed < minMs);
    roundMs.push(elapsed);
    return (keys.length * passes) / (elapsed / 1000);
  };
  // Warm: every key cached, both sides past the JIT's first tiers.
  for (let i = 0; i < 4; i++) {
    await run(dynamo, 100);
    await run(heap, 100);
  }
  roundMs.length = 0;
  const pairs = 16;
  const dynamoRates: number[] = [];
  const heapRates: number[] = [];
  const ratios: number[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    let dynamoRate: number;
    let heapRate: number;
    if (pair % 2 === 0) {
      dynamoRate = await run(dynamo, 100);
      heapRate = await run(heap, 100);
    } else {
      heapRate = await run(heap, 100);
      dynamoRate = await run(dynamo, 100);
    }
    dynamoRates.push(dynamoRate);
    heapRates.push(heapRate);
    ratios.push(dynamoRate / heapRate);
  }
  const rounds = `rounds ${Math.min(...roundMs).toFixed(0)}-${Math.max(...roundMs).toFixed(0)} ms`;
  const ratio = median(ratios);
  const name = 'warm-cache ValueState value()+update() (ops/s)';
  const dynamoRate = median(dynamoRates);
  const heapRate = median(heapRates);
  results.push([name, dynamoRate, 'heap backend', dynamoRate / ratio]);
  const spread = `pair ratios ${quantile(ratios, 0.25).toFixed(2)}-${quantile(ratios, 0.75).toFixed(2)}x (quartiles), ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}x (range)`;
  console.log(
    `${name}: ${dynamoRate.toFixed(0)}/s vs heap backend: ${heapRate.toFixed(0)}/s (medians) -> ratio ${ratio.toFixed(2)}x (median of ${pairs} pairs, ${rounds}; ${spread})`,
  );
  recordResult({
    id: 'dynamodb.warm-cache.vs-heap',
    label: `${name} / heap backend (${server})`,
    value: ratio,
    unit: 'x',
    better: 'higher',
    goal: 0.5,
    detail: `${dynamoRate.toFixed(0)}/s vs ${heapRate.toFixed(0)}/s (medians); median of ${pairs} alternated pairs, ${rounds}, ${spread}`,
  });
  await dynamo.dispose();
  await heap.dispose();
  await backend.close();
}

/** 4. Restore (then reading every entry) vs a plain parallel Query of the same items. */
async function restore(): Promise<void> {
  const tableName = `bench-restore-${tables++}`;
  const entries = 100_000;
  const loading = performance.now();
  // Loaded through the store itself: one checkpoint, written as parallel BatchWriteItem calls.
  const writer = await openStore(tableName, 'restore', {
    buckets: 1,
    trackConsumedCapacity: false,
    flushParallelism: 16,
  });
  const value = new Uint8Array(64).fill(3);
  for (let i = 0; i < entries; i++) await writer.put(ref(`key-${i}`), value);
  await writer.snapshot(1);
  await writer.close();
  console.log(`loaded ${entries} entries in ${((performance.now() - loading) / 1000).toFixed(1)} s`);

  let lazyMs = 0;
  const viaRestore = async (): Promise<number> => {
    const started = performance.now();
    const restored = await openStore(tableName, 'restore', {
      buckets: 1,
      skipTableCheck: true,
      startFrom: { kind: 'checkpoint' },
      trackConsumedCapacity: false,
    });
    lazyMs = performance.now() - started;
    const keys = await restored.keys('v', new Uint8Array(0));
    const rate = keys.length / ((performance.now() - started) / 1000);
    await restored.close();
    if (keys.length !== entries) throw new Error(`restored ${keys.length} keys, expected ${entries}`);
    return rate;
  };
  const scope = encoder.encode('restore');
  const viaQuery = async (): Promise<number> => {
    const started = performance.now();
    let count = 0;
    await inParallel(
      Array.from({ length: 128 }, (_, kg) => kg),
      8,
      async (kg) => {
        const pk = new Uint8Array(scope.length + 5);
        pk.set(scope, 0);
        pk.set([0, 1, kg >> 8, kg & 0xff, 0], scope.length);
        let start: Record<string, never> | undefined;
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': { B: pk } },
              ConsistentRead: true,
              ...(start === undefined ? {} : { ExclusiveStartKey: start }),
            }),
          );
          count += page.Count ?? 0;
          start = page.LastEvaluatedKey as Record<string, never> | undefined;
        } while (start !== undefined);
      },
    );
    if (count !== entries) throw new Error(`queried ${count} items, expected ${entries}`);
    return count / ((performance.now() - started) / 1000);
  };
  // Both sides once unmeasured: the loading warmed the emulator's writes, not its Queries.
  await viaQuery();
  await viaRestore();
  const restoreRates: number[] = [];
  const queryRates: number[] = [];
  for (let round = 0; round < 4; round++) {
    if (round % 2 === 0) {
      queryRates.push(await viaQuery());
      restoreRates.push(await viaRestore());
    } else {
      restoreRates.push(await viaRestore());
      queryRates.push(await viaQuery());
    }
  }
  const restoreRate = median(restoreRates);
  const queryRate = median(queryRates);
  console.log(`restore itself (commit records only): ${lazyMs.toFixed(0)} ms`);
  recordResult({
    id: 'dynamodb.restore.commit-records-ms',
    label: `restore itself (commit records only) (${server})`,
    value: lazyMs,
    unit: 'ms',
    better: 'lower',
  });
  report(
    'dynamodb.restore.vs-query',
    `restore + reading all ${entries} entries (entries/s)`,
    restoreRate,
    'parallel Query of the same items',
    queryRate,
  );
}

const only = process.argv[2];
try {
  if (only === undefined || only === 'flush') await flushThroughput();
  if (only === undefined || only === 'process') await processingThroughput();
  if (only === undefined || only === 'warm') await warmCache();
  if (only === undefined || only === 'restore') await restore();
} finally {
  client.destroy();
  await emulator.stop();
}
console.log('\nratio summary');
for (const [name, value, baselineName, baseline] of results)
  console.log(`  ${(value / baseline).toFixed(2)}x  ${name} vs ${baselineName}`);
