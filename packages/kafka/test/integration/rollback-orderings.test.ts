// A worker that fails between its state commit and its Kafka transaction rolls back and reopens
// its key groups itself. These tests hold it there with a gate while more input arrives, then
// let the failure through, so the reopen always finds records that were not in the failed
// checkpoint: on heap state and on DynamoDB state, with the failed checkpoint the key groups'
// first one (no committed offset yet) and with one after a committed checkpoint (restore N-1).
// Each ordering is forced, not left to timing, and the output must be exactly once.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AwsClientManager } from '@statebackend/aws-base';
import { DynamoDbStateBackend } from '@statebackend/aws-dynamodb';
import {
  cleanupAfterAll,
  deleteTableIfExists,
  describeEachTarget,
  uniqueName as uniqueTable,
} from '@statebackend/testkit';
import { DynamoDbKeyGroupBackends } from '../../src/dynamodb/index.js';
import type { KeyGroupBackends } from '../../src/index.js';
import {
  type CountingJob,
  checkpointDir,
  countingWorker,
  expectedOutputs,
  finalCounts,
  inputRecords,
} from '../support/counting-job.js';
import { Gate } from '../support/gate.js';
import {
  bootstrap,
  committedOffsets,
  createTopics,
  eventually,
  keyedProducer,
  readCommitted,
  uniqueName,
} from '../support/kafka-helpers.js';

const MAX_PARALLELISM = 4;
const KEYS = 8;

type Producer = ReturnType<typeof keyedProducer>;

async function freshJob(dir: string): Promise<CountingJob> {
  const job: CountingJob = {
    groupId: uniqueName('group'),
    inputTopic: uniqueName('in'),
    outputTopic: uniqueName('out'),
    maxParallelism: MAX_PARALLELISM,
    checkpointDir: dir,
  };
  await createTopics([
    { name: job.inputTopic, partitions: MAX_PARALLELISM },
    { name: job.outputTopic, partitions: 1 },
  ]);
  return job;
}

const perKey = (n: number) => expectedOutputs(new Map(Array.from({ length: KEYS }, (_, k) => [`k${k}`, n])));

async function outputs(job: CountingJob): Promise<string[]> {
  return (await readCommitted(job.outputTopic)).map((r) => r.value?.toString() ?? '').sort();
}

/**
 * Runs one worker whose `failAt`-th state commit is held at a gate; while it is held, `during`
 * more records per key are produced and become readable; then the checkpoint fails (the hook
 * throws) and the worker rolls back and reopens. Before that, `before` records per key are
 * produced and, when `failAt` > 1, committed by the earlier checkpoints.
 */
async function rollbackWhileInputArrives(
  producer: Producer,
  job: CountingJob,
  state: { keyGroupBackends?: KeyGroupBackends },
  plan: { before: number; committedFirst: number; during: number; failAt: 1 | 2 },
): Promise<{ rollbacks: number; records: number }> {
  await producer.send(inputRecords(KEYS, plan.before), job.inputTopic);
  const held = new Gate();
  let stateCommits = 0;
  const worker = countingWorker(job, [bootstrap()], {
    ...(state.keyGroupBackends === undefined ? {} : { keyGroupBackends: state.keyGroupBackends }),
    hooks: {
      afterStateCommitted: async () => {
        stateCommits += 1;
        if (stateCommits !== plan.failAt) return;
        await held.pass();
        throw new Error('the worker fails between its state commit and its transaction');
      },
    },
  });
  const stop = new AbortController();
  const running = worker.run(stop.signal);
  try {
    if (plan.failAt === 2) {
      await eventually(
        async () => (await readCommitted(job.outputTopic)).length >= KEYS * plan.before,
        60_000,
        'the first checkpoint',
      );
      await producer.send(inputRecords(KEYS, plan.committedFirst), job.inputTopic);
    }
    await held.reached;
    // The worker is between its state commit and its transaction; more input arrives.
    await producer.send(inputRecords(KEYS, plan.during), job.inputTopic);
    const total = KEYS * (plan.before + plan.committedFirst + plan.during);
    await eventually(
      async () => (await readCommitted(job.inputTopic)).length >= total,
      30_000,
      'the new input',
    );
    held.open();
    await eventually(
      async () => (await readCommitted(job.outputTopic)).length >= total,
      60_000,
      'every output',
    );
  } finally {
    held.open();
    stop.abort();
    await running;
  }
  return { rollbacks: worker.stats.rollbacks, records: worker.stats.records };
}

describe('rollback inside a running worker, heap state', () => {
  const producer = keyedProducer(MAX_PARALLELISM);
  const dirs: { remove(): void }[] = [];
  afterAll(async () => {
    await producer.close();
    for (const d of dirs) d.remove();
  });

  function dir(): string {
    const d = checkpointDir();
    dirs.push(d);
    return d.dir;
  }

  it('the first checkpoint fails while new input waits: everything is read again from offset 0, once', async () => {
    const job = await freshJob(dir());
    const run = await rollbackWhileInputArrives(
      producer,
      job,
      {},
      { before: 10, committedFirst: 0, during: 5, failAt: 1 },
    );
    expect(run.rollbacks).toBe(1);
    expect(await outputs(job)).toEqual(perKey(15));
    const committed = await committedOffsets(job.groupId, job.inputTopic, MAX_PARALLELISM);
    const counts = await finalCounts(job, committed);
    expect([...counts.values()]).toEqual(Array.from({ length: KEYS }, () => 15));
  });

  it('checkpoint N fails after N-1 committed, while new input waits: N-1 is restored, once', async () => {
    const job = await freshJob(dir());
    const run = await rollbackWhileInputArrives(
      producer,
      job,
      {},
      { before: 10, committedFirst: 5, during: 5, failAt: 2 },
    );
    expect(run.rollbacks).toBe(1);
    expect(await outputs(job)).toEqual(perKey(20));
    const committed = await committedOffsets(job.groupId, job.inputTopic, MAX_PARALLELISM);
    const counts = await finalCounts(job, committed);
    expect([...counts.values()]).toEqual(Array.from({ length: KEYS }, () => 20));
  });
});

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const producer = keyedProducer(MAX_PARALLELISM);
  afterAll(async () => {
    await producer.close();
  });

  function backends(): KeyGroupBackends {
    const clients = new AwsClientManager(target.configuration(), {
      userAgentSuffix: 'statebackend-kafka-it',
    });
    const client = clients.getOrCreate(DynamoDBClient);
    const tableName = uniqueTable('kafka-rollback');
    const backend = new DynamoDbStateBackend(target.configuration(), {
      client,
      table: { tableName, createIfMissing: true },
    });
    cleanup.add(`table ${tableName}`, async () => {
      await backend.close();
      await deleteTableIfExists(client, tableName);
      clients.close();
    });
    return new DynamoDbKeyGroupBackends({ backend, client, tableName });
  }

  it('the first checkpoint fails while new input waits: its writes are not read back, once', async () => {
    const job = await freshJob('/nonexistent');
    const run = await rollbackWhileInputArrives(
      producer,
      job,
      { keyGroupBackends: backends() },
      { before: 10, committedFirst: 0, during: 5, failAt: 1 },
    );
    expect(run.rollbacks).toBe(1);
    expect(await outputs(job)).toEqual(perKey(15));
  });

  it('checkpoint N fails after N-1 committed, while new input waits: N-1 is restored, once', async () => {
    const job = await freshJob('/nonexistent');
    const run = await rollbackWhileInputArrives(
      producer,
      job,
      { keyGroupBackends: backends() },
      { before: 10, committedFirst: 5, during: 5, failAt: 2 },
    );
    expect(run.rollbacks).toBe(1);
    expect(await outputs(job)).toEqual(perKey(20));
  });
});
