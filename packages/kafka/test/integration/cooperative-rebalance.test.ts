// Cooperative rebalancing (the cooperative-sticky assignor on the classic protocol): a third
// worker joins two that share 12 partitions; only the partitions that move pause. The new worker
// is held right after it opened the moved key groups (so they stay paused for as long as the
// test needs, not for as long as the machine's load makes a rebalance take) until every key
// group the others kept has applied records since its owner let the moved ones go. Asserted by
// counters: no kept key group is opened again, no worker rolls back, no moved key group applies
// a record between its release and the new owner's start, and the output is exactly once.
import type { Logger } from '@statebackend/aws-base';
import type { KafkaKeyedWorker, KafkaKeyedWorkerHooks } from '../../src/index.js';
import {
  type CountingJob,
  checkpointDir,
  countingWorker,
  expectedOutputs,
  inputRecords,
} from '../support/counting-job.js';
import {
  bootstrap,
  continuousInput,
  createTopics,
  eventually,
  everyOutput,
  keyedProducer,
  readCommitted,
  uniqueName,
} from '../support/kafka-helpers.js';

const PARTITIONS = 12;
const KEYS = 48;

interface Running {
  readonly name: string;
  readonly worker: KafkaKeyedWorker<string>;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

describe('KafkaKeyedWorker, cooperative rebalancing', () => {
  const dir = checkpointDir();
  const producer = keyedProducer(PARTITIONS);
  afterAll(async () => {
    await producer.close();
    dir.remove();
  });

  it('keeps processing the partitions that do not move while a third worker joins', async () => {
    const job: CountingJob = {
      groupId: uniqueName('group'),
      inputTopic: uniqueName('in'),
      outputTopic: uniqueName('out'),
      maxParallelism: PARTITIONS,
      checkpointDir: dir.dir,
    };
    await createTopics([
      { name: job.inputTopic, partitions: PARTITIONS },
      { name: job.outputTopic, partitions: 3 },
    ]);
    // When each worker applied a record of each key group: [worker, keyGroup, time].
    const applied: [string, number, number][] = [];
    // When each worker let go of a key group: [worker, keyGroup, time].
    const released: [string, number, number][] = [];
    const started: Running[] = [];
    const start = (name: string, hooks?: KafkaKeyedWorkerHooks): Running => {
      const logger: Logger = {
        debug: () => undefined,
        info: (message, fields) => {
          if (message === 'released key group') released.push([name, Number(fields?.keyGroup), Date.now()]);
        },
        warn: () => undefined,
        error: () => undefined,
      };
      const worker = countingWorker(job, [bootstrap()], {
        workerId: name,
        rebalancing: 'cooperative',
        checkpointIntervalMs: 100,
        logger,
        onRecord: (record) => applied.push([name, record.partition, Date.now()]),
        ...(hooks === undefined ? {} : { hooks }),
      });
      const controller = new AbortController();
      const running = { name, worker, controller, done: worker.run(controller.signal) };
      started.push(running);
      return running;
    };

    // Input arrives all along: one record per key every 20 ms.
    const input = continuousInput(producer, job.inputTopic, KEYS, 20);
    const sent = input.sent;

    try {
      const a = start('a');
      const b = start('b');
      const balanced = (workers: readonly Running[], each: number) => async () =>
        workers.every((w) => w.worker.stats.ownedKeyGroups.length === each);
      await eventually(balanced([a, b], 6), 60_000, 'a and b owning 6 key groups each');
      await eventually(
        async () => a.worker.stats.checkpoints > 2 && b.worker.stats.checkpoints > 2,
        30_000,
        'a and b committing',
      );
      const before = {
        a: { ...a.worker.stats },
        b: { ...b.worker.stats },
      };

      // c is held once it opened the moved key groups, until each key group a and b kept has
      // applied 3 records since its owner released the moved ones (or 60 s passed: a failure).
      const kept = new Map<string, number[]>();
      let heldUntilKeptApplied: boolean | undefined;
      let cOpenedAt = 0;
      let cStartedAt = 0;
      const c = start('c', {
        afterAssigned: async () => {
          if (heldUntilKeptApplied !== undefined) return;
          cOpenedAt = Date.now();
          const deadline = Date.now() + 60_000;
          for (;;) {
            const owners = [
              ['a', a],
              ['b', b],
            ] as const;
            const progress = owners.flatMap(([name, w]) => {
              const releasedAt = Math.max(0, ...released.filter(([r]) => r === name).map(([, , t]) => t));
              const keyGroups = w.worker.stats.ownedKeyGroups;
              kept.set(name, [...keyGroups]);
              return keyGroups.map(
                (kg) => applied.filter(([r, g, t]) => r === name && g === kg && t > releasedAt).length,
              );
            });
            if (released.length >= 4 && progress.length === 8 && progress.every((n) => n >= 3)) {
              heldUntilKeptApplied = true;
              cStartedAt = Date.now();
              return;
            }
            if (Date.now() > deadline) {
              heldUntilKeptApplied = false;
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        },
      });
      await eventually(balanced([a, b, c], 4), 60_000, 'a, b and c owning 4 key groups each');
      await eventually(async () => heldUntilKeptApplied !== undefined, 90_000, 'c to be let go');
      expect(heldUntilKeptApplied).toBe(true);
      // Let every worker apply records in the new assignment for a while.
      const settled = applied.length;
      await eventually(
        async () => applied.length > settled + 3 * KEYS,
        30_000,
        'records after the rebalance',
      );

      const moved = c.worker.stats.ownedKeyGroups;
      expect(moved).toHaveLength(4);
      expect([...kept.values()].flat().sort((x, y) => x - y)).toEqual(
        Array.from({ length: PARTITIONS }, (_, kg) => kg).filter((kg) => !moved.includes(kg)),
      );
      expect(released.map(([, kg]) => kg).sort((x, y) => x - y)).toEqual([...moved].sort((x, y) => x - y));

      // Counters: the kept key groups were neither reopened nor rolled back.
      for (const [name, w] of [
        ['a', a],
        ['b', b],
      ] as const) {
        expect(w.worker.stats.opened).toBe(before[name].opened);
        expect(w.worker.stats.rollbacks).toBe(before[name].rollbacks);
        expect(w.worker.stats.ownedKeyGroups).toEqual(kept.get(name));
      }
      expect(c.worker.stats.opened).toBe(4);
      expect(c.worker.stats.rollbacks).toBe(0);
      // The moved key groups were paused: nobody applied a record of one between its release
      // and the moment c was let go.
      for (const [, kg, releasedAt] of released) {
        expect(applied.filter(([, g, t]) => g === kg && t > releasedAt && t < cStartedAt)).toEqual([]);
      }
      const keptCounts = [...kept].flatMap(([name, keyGroups]) =>
        keyGroups.map((kg) => {
          const releasedAt = Math.max(...released.filter(([r]) => r === name).map(([, , t]) => t));
          return applied.filter(([r, g, t]) => r === name && g === kg && t > releasedAt && t < cStartedAt)
            .length;
        }),
      );
      console.log(
        `cooperative rebalance: moved key groups ${moved.join(', ')} paused (c held ${cStartedAt - cOpenedAt} ms after opening them); ` +
          `the 8 kept ones applied ${Math.min(...keptCounts)}–${Math.max(...keptCounts)} records each meanwhile; ` +
          `opened a ${a.worker.stats.opened}, b ${b.worker.stats.opened}, c ${c.worker.stats.opened}; ` +
          `deferred commits a ${a.worker.stats.deferred}, b ${b.worker.stats.deferred}`,
      );
      await everyOutput(job.outputTopic, await input.stop(), 60_000);
    } finally {
      await input.stop();
      for (const w of started) w.controller.abort();
      await Promise.all(started.map((w) => w.done));
    }

    // Every record was produced with idempotence and counted exactly once.
    expect((await readCommitted(job.outputTopic)).map((r) => r.value?.toString() ?? '').sort()).toEqual(
      expectedOutputs(sent),
    );
  });

  it('works in a group that still has an eager member (a rolling upgrade): exactly once', async () => {
    const job: CountingJob = {
      groupId: uniqueName('group'),
      inputTopic: uniqueName('in'),
      outputTopic: uniqueName('out'),
      maxParallelism: PARTITIONS,
      checkpointDir: dir.dir,
    };
    await createTopics([
      { name: job.inputTopic, partitions: PARTITIONS },
      { name: job.outputTopic, partitions: 1 },
    ]);
    await producer.send(inputRecords(KEYS, 5), job.inputTopic);
    const workers = (['eager', 'cooperative'] as const).map((rebalancing) =>
      countingWorker(job, [bootstrap()], { workerId: rebalancing, rebalancing }),
    );
    const controller = new AbortController();
    const runs = workers.map((w) => w.run(controller.signal));
    try {
      await eventually(
        async () => workers.every((w) => w.stats.ownedKeyGroups.length > 0),
        60_000,
        'both workers owning key groups',
      );
      await producer.send(inputRecords(KEYS, 5), job.inputTopic);
      await eventually(
        async () => (await readCommitted(job.outputTopic)).length >= KEYS * 10,
        60_000,
        'every output',
      );
    } finally {
      controller.abort();
      await Promise.all(runs);
    }
    expect((await readCommitted(job.outputTopic)).map((r) => r.value?.toString() ?? '').sort()).toEqual(
      expectedOutputs(new Map(Array.from({ length: KEYS }, (_, k) => [`k${k}`, 10]))),
    );
  });
});
