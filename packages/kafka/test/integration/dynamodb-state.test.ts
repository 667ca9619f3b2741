import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AwsClientManager } from '@statebackend/aws-base';
import { DynamoDbStateBackend } from '@statebackend/aws-dynamodb';
import {
  cleanupAfterAll,
  deleteTableIfExists,
  describeEachTarget,
  type TestTarget,
  uniqueName as uniqueTable,
} from '@statebackend/testkit';
import { DynamoDbKeyGroupBackends } from '../../src/dynamodb/index.js';
import type { KafkaKeyedWorker, KeyGroupBackends } from '../../src/index.js';
import { type CountingJob, countingWorker, expectedOutputs, inputRecords } from '../support/counting-job.js';
import {
  bootstrap,
  createTopics,
  eventually,
  keyedProducer,
  readCommitted,
  uniqueName,
} from '../support/kafka-helpers.js';

const MAX_PARALLELISM = 4;

/** A DynamoDB client of its own for `target`, counting the requests it sends by command. */
function countingClient(
  target: TestTarget,
  close: (fn: () => void) => void,
): { client: DynamoDBClient; calls: string[] } {
  const clients = new AwsClientManager(target.configuration(), { userAgentSuffix: 'statebackend-kafka-it' });
  close(() => clients.close());
  const client = clients.getOrCreate(DynamoDBClient);
  const calls: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return { client, calls };
}

/**
 * `inner`, recording each checkpoint its key group backends write (`snapshot`) and each one the
 * worker confirms (`notifyCheckpointComplete`), per key group.
 */
function recordingCheckpoints(inner: KeyGroupBackends): {
  backends: KeyGroupBackends;
  written: Map<number, number[]>;
  confirmed: Map<number, number[]>;
} {
  const written = new Map<number, number[]>();
  const confirmed = new Map<number, number[]>();
  const add = (map: Map<number, number[]>, keyGroup: number, id: number) =>
    map.set(keyGroup, [...(map.get(keyGroup) ?? []), id]);
  const backends: KeyGroupBackends = {
    get location() {
      return inner.location;
    },
    checkpoints: (keyGroup, parameters) => inner.checkpoints(keyGroup, parameters),
    async open(keyGroup, restoreFrom, parameters) {
      const opened = await inner.open(keyGroup, restoreFrom, parameters);
      const backend = opened.backend;
      const snapshot = backend.snapshot.bind(backend);
      const notify = backend.notifyCheckpointComplete.bind(backend);
      backend.snapshot = async (checkpointId, ...rest) => {
        const result = await snapshot(checkpointId, ...rest);
        add(written, keyGroup, result.checkpointId);
        return result;
      };
      backend.notifyCheckpointComplete = async (checkpointId) => {
        add(confirmed, keyGroup, checkpointId);
        return notify(checkpointId);
      };
      return opened;
    },
  };
  return { backends, written, confirmed };
}

function tally(calls: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) out[c] = (out[c] ?? 0) + 1;
  return out;
}

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const producer = keyedProducer(MAX_PARALLELISM);
  const closers: (() => void)[] = [];
  afterAll(async () => {
    await producer.close();
  });
  cleanup.add('DynamoDB clients', () => {
    for (const close of closers) close();
  });

  function stateIn(tableName: string): {
    backends: DynamoDbKeyGroupBackends;
    calls: string[];
    backend: DynamoDbStateBackend;
  } {
    const { client, calls } = countingClient(target, (fn) => closers.push(fn));
    const backend = new DynamoDbStateBackend(target.configuration(), {
      client,
      table: { tableName, createIfMissing: true },
    });
    closers.push(() => void backend.close());
    return { backends: new DynamoDbKeyGroupBackends({ backend, client, tableName }), calls, backend };
  }

  async function freshJob(): Promise<{ job: CountingJob; tableName: string }> {
    const tableName = uniqueTable('kafka-state');
    const { client } = countingClient(target, (fn) => closers.push(fn));
    cleanup.add(`table ${tableName}`, () => deleteTableIfExists(client, tableName));
    const job: CountingJob = {
      groupId: uniqueName('group'),
      inputTopic: uniqueName('in'),
      outputTopic: uniqueName('out'),
      maxParallelism: MAX_PARALLELISM,
      checkpointDir: '/nonexistent',
    };
    await createTopics([
      { name: job.inputTopic, partitions: MAX_PARALLELISM },
      { name: job.outputTopic, partitions: 1 },
    ]);
    return { job, tableName };
  }

  it('moves key groups without downloading their state (claim + read on demand), exactly once end to end', async () => {
    const { job, tableName } = await freshJob();
    await producer.send(inputRecords(8, 10), job.inputTopic);
    const a = stateIn(tableName);
    const first = countingWorker(job, [bootstrap()], { workerId: 'a', keyGroupBackends: a.backends });
    const stopA = new AbortController();
    const runA = first.run(stopA.signal);
    await eventually(async () => (await readCommitted(job.outputTopic)).length >= 80, 60_000, '80 outputs');

    // B joins and takes some key groups: its handover claims them and reads commit records only.
    const b = stateIn(tableName);
    let handover: { keyGroups: readonly number[]; calls: string[] } | undefined;
    const second = countingWorker(job, [bootstrap()], {
      workerId: 'b',
      keyGroupBackends: b.backends,
      hooks: {
        afterAssigned: async (kgs) => {
          handover ??= { keyGroups: kgs, calls: [...b.calls] };
        },
      },
    });
    const stopB = new AbortController();
    const runB = second.run(stopB.signal);
    await eventually(
      async () =>
        second.stats.ownedKeyGroups.length > 0 &&
        first.stats.ownedKeyGroups.length + second.stats.ownedKeyGroups.length === MAX_PARALLELISM,
      60_000,
      'the key groups to be shared by A and B',
    );
    await producer.send(inputRecords(8, 5), job.inputTopic);
    await eventually(async () => (await readCommitted(job.outputTopic)).length >= 120, 60_000, '120 outputs');
    stopA.abort();
    stopB.abort();
    await Promise.all([runA, runB]);

    const outputs = (await readCommitted(job.outputTopic)).map((r) => r.value?.toString() ?? '').sort();
    expect(outputs).toEqual(expectedOutputs(new Map(Array.from({ length: 8 }, (_, k) => [`k${k}`, 15]))));
    if (handover === undefined) throw new Error('B opened no key group');
    const restore = tally(handover.calls);
    // No data read at the handover: no BatchGetItem, no Query of a data partition (a Query
    // lists commit records of the meta partition, one per listing).
    expect(restore.BatchGetItem ?? 0).toBe(0);
    // After it, B read the state of its keys on demand.
    expect(tally(b.calls).BatchGetItem ?? 0).toBeGreaterThan(0);
    process.stderr.write(
      `dynamodb handover on ${target.name}: B took key groups ${handover.keyGroups.join(', ')} with ` +
        `${JSON.stringify(restore)}; over the run ${JSON.stringify(tally(b.calls))}\n`,
    );
  });

  it('restores checkpoint N-1 when the transaction of N fails after its state committed', async () => {
    const { job, tableName } = await freshJob();
    await producer.send(inputRecords(8, 10), job.inputTopic);
    const a = stateIn(tableName);
    let committedStates = 0;
    let failed = false;
    const worker = countingWorker(job, [bootstrap()], {
      workerId: 'a',
      keyGroupBackends: a.backends,
      hooks: {
        afterStateCommitted: async () => {
          committedStates += 1;
          // Checkpoint N's state is in DynamoDB; its Kafka transaction never starts.
          if (committedStates === 2 && !failed) {
            failed = true;
            throw new Error('the worker dies between its state commit and its transaction');
          }
        },
      },
    });
    const stop = new AbortController();
    const running = worker.run(stop.signal);
    await eventually(async () => (await readCommitted(job.outputTopic)).length >= 80, 60_000, '80 outputs');
    await producer.send(inputRecords(8, 5), job.inputTopic);
    await eventually(async () => failed, 60_000, 'the failed checkpoint');
    await eventually(async () => (await readCommitted(job.outputTopic)).length >= 120, 60_000, '120 outputs');
    stop.abort();
    await running;
    expect(worker.stats.rollbacks).toBe(1);
    const outputs = (await readCommitted(job.outputTopic)).map((r) => r.value?.toString() ?? '').sort();
    expect(outputs).toEqual(expectedOutputs(new Map(Array.from({ length: 8 }, (_, k) => [`k${k}`, 15]))));

    // A new worker restores the confirmed checkpoints and goes on from there.
    await producer.send(inputRecords(8, 5), job.inputTopic);
    const next = countingWorker(job, [bootstrap()], {
      workerId: 'next',
      keyGroupBackends: stateIn(tableName).backends,
    });
    const stopNext = new AbortController();
    const runNext = next.run(stopNext.signal);
    await eventually(async () => (await readCommitted(job.outputTopic)).length >= 160, 60_000, '160 outputs');
    stopNext.abort();
    await runNext;
    expect(next.stats.records).toBe(40);
    const all = (await readCommitted(job.outputTopic)).map((r) => r.value?.toString() ?? '').sort();
    expect(all).toEqual(expectedOutputs(new Map(Array.from({ length: 8 }, (_, k) => [`k${k}`, 20]))));
  });

  // Cooperative: a commit whose offsets the group refuses because its generation moved (a worker
  // joined or left meanwhile) is deferred: the key groups stay open and the next commit writes
  // another checkpoint of them (N+1, N never confirmed). With DynamoDB state, N+1 must hold
  // everything N did: the final output and the state a new worker restores are exactly once.
  it('cooperative: a commit retried after the generation moved writes another checkpoint; exactly once', async () => {
    const { job, tableName } = await freshJob();
    const perRound = 4;
    let rounds = 0;
    const send = async () => {
      rounds += 1;
      await producer.send(inputRecords(8, perRound), job.inputTopic);
    };
    await send();
    // a keeps the job and commits every 50 ms; c joins and leaves, moving the group's
    // generation, while input arrives, until a commit of a met a move (in the first cycle in 5
    // runs of 5 on these machines; at most 40 cycles).
    const recorded = ['a'].map(() => recordingCheckpoints(stateIn(tableName).backends));
    const workers = ['a'].map((name, i) =>
      countingWorker(job, [bootstrap()], {
        workerId: name,
        rebalancing: 'cooperative',
        checkpointIntervalMs: 50,
        keyGroupBackends: (recorded[i] as (typeof recorded)[number]).backends,
      }),
    ) as [KafkaKeyedWorker<string>];
    const stop = new AbortController();
    const runs = workers.map((w) => w.run(stop.signal));
    const deferred = () => workers.reduce((n, w) => n + w.stats.deferred, 0);
    let cycles = 0;
    try {
      await eventually(
        async () => workers.every((w) => w.stats.ownedKeyGroups.length === MAX_PARALLELISM),
        60_000,
        'a owning every key group',
      );
      while (deferred() === 0 && cycles < 40) {
        cycles += 1;
        const c = countingWorker(job, [bootstrap()], {
          workerId: `c${cycles}`,
          rebalancing: 'cooperative',
          keyGroupBackends: stateIn(tableName).backends,
        });
        const stopC = new AbortController();
        const runC = c.run(stopC.signal);
        const feeding = (async () => {
          for (let i = 0; i < 5; i += 1) {
            await send();
            await new Promise((r) => setTimeout(r, 150));
          }
        })();
        await eventually(async () => c.stats.ownedKeyGroups.length > 0, 60_000, 'c owning key groups');
        await feeding;
        stopC.abort();
        await runC;
        await eventually(
          async () => workers.every((w) => w.stats.ownedKeyGroups.length === MAX_PARALLELISM),
          60_000,
          'a owning every key group again',
        );
      }
      await send();
      await eventually(
        async () => (await readCommitted(job.outputTopic)).length >= 8 * perRound * rounds,
        60_000,
        'every output',
      );
    } finally {
      stop.abort();
      await Promise.all(runs);
    }
    expect(deferred()).toBeGreaterThan(0);
    // The retry wrote another checkpoint: some key group has a written checkpoint never
    // confirmed, followed by a higher one of the same claim (ids of a claim start at its epoch
    // times 2^24) that was.
    const claimOf = (id: number) => Math.floor(id / 2 ** 24);
    const retried = recorded.flatMap(({ written, confirmed }) =>
      [...written].flatMap(([kg, ids]) => {
        const ok = new Set(confirmed.get(kg) ?? []);
        return ids
          .filter(
            (id) =>
              !ok.has(id) &&
              ids.some((later) => later > id && claimOf(later) === claimOf(id) && ok.has(later)),
          )
          .map((id) => [kg, id] as const);
      }),
    );
    expect(retried.length).toBeGreaterThan(0);
    const total = 8 * perRound * rounds;
    const outputs = (await readCommitted(job.outputTopic)).map((r) => r.value?.toString() ?? '').sort();
    expect(outputs).toEqual(
      expectedOutputs(new Map(Array.from({ length: 8 }, (_, k) => [`k${k}`, total / 8]))),
    );

    // A new worker restores what the last confirmed checkpoints hold and counts on from there.
    await producer.send(inputRecords(8, 2), job.inputTopic);
    const next = countingWorker(job, [bootstrap()], {
      workerId: 'next',
      keyGroupBackends: stateIn(tableName).backends,
    });
    const stopNext = new AbortController();
    const runNext = next.run(stopNext.signal);
    await eventually(
      async () => (await readCommitted(job.outputTopic)).length >= total + 16,
      60_000,
      'the last outputs',
    );
    stopNext.abort();
    await runNext;
    expect(next.stats.records).toBe(16);
    const all = (await readCommitted(job.outputTopic)).map((r) => r.value?.toString() ?? '').sort();
    expect(all).toEqual(
      expectedOutputs(new Map(Array.from({ length: 8 }, (_, k) => [`k${k}`, total / 8 + 2]))),
    );
    process.stderr.write(
      `dynamodb deferred commits on ${target.name}: ${deferred()} after ${cycles} join/leave cycles of c; ` +
        `checkpoints written and never confirmed before a confirmed one: ${retried.map(([kg, id]) => `${kg}@${id}`).join(', ')}\n`,
    );
  }, 300_000);
});
