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
});
