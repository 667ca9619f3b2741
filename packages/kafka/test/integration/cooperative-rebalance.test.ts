// Cooperative rebalancing (the cooperative-sticky assignor on the classic protocol): a third
// worker joins two that share 12 partitions; only the partitions that move pause. Asserted by
// counters (no key group kept through the rebalance is opened again, no rollback) and by the
// workers' own timestamps (every kept key group applies records while each moved one is paused,
// between its last record at the old owner and its first at the new one).
import type { KafkaKeyedWorker } from '../../src/index.js';
import {
  type CountingJob,
  checkpointDir,
  countingWorker,
  expectedOutputs,
} from '../support/counting-job.js';
import {
  bootstrap,
  createTopics,
  eventually,
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
    const started: Running[] = [];
    const start = (name: string): Running => {
      const worker = countingWorker(job, [bootstrap()], {
        workerId: name,
        rebalancing: 'cooperative',
        checkpointIntervalMs: 100,
        onRecord: (record) => applied.push([name, record.partition, Date.now()]),
      });
      const controller = new AbortController();
      const running = { name, worker, controller, done: worker.run(controller.signal) };
      started.push(running);
      return running;
    };

    // Input arrives all along: one record per key every 20 ms.
    const sent = new Map<string, number>();
    let producing = true;
    const production = (async () => {
      while (producing) {
        const batch = Array.from({ length: KEYS }, (_, k) => ({ key: `k${k}`, value: 'x' }));
        await producer.send(batch, job.inputTopic);
        for (const { key } of batch) sent.set(key, (sent.get(key) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

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

      const c = start('c');
      await eventually(balanced([a, b, c], 4), 60_000, 'a, b and c owning 4 key groups each');
      // Let every worker apply records in the new assignment for a while.
      const settled = applied.length;
      await eventually(async () => applied.length > settled + 3 * KEYS, 30_000, 'records after the rebalance');

      const kept = new Map<string, number[]>([
        ['a', a.worker.stats.ownedKeyGroups.filter((kg) => before.a.ownedKeyGroups.includes(kg))],
        ['b', b.worker.stats.ownedKeyGroups.filter((kg) => before.b.ownedKeyGroups.includes(kg))],
      ]);
      const moved = c.worker.stats.ownedKeyGroups;
      expect(moved).toHaveLength(4);
      expect([...kept.values()].flat()).toHaveLength(8);

      // Counters: the kept key groups were neither reopened nor rolled back.
      for (const [name, w] of [
        ['a', a],
        ['b', b],
      ] as const) {
        expect(w.worker.stats.opened).toBe(before[name].opened);
        expect(w.worker.stats.rollbacks).toBe(before[name].rollbacks);
      }
      expect(c.worker.stats.opened).toBe(4);

      // Timestamps: each moved key group paused between its last record at the old owner and its
      // first at c; every kept key group applied records inside each of those pauses.
      for (const m of moved) {
        const oldOwner = before.a.ownedKeyGroups.includes(m) ? 'a' : 'b';
        const pauseStart = Math.max(
          ...applied.filter(([w, kg]) => w === oldOwner && kg === m).map(([, , t]) => t),
        );
        const pauseEnd = Math.min(...applied.filter(([w, kg]) => w === 'c' && kg === m).map(([, , t]) => t));
        expect(pauseEnd).toBeGreaterThan(pauseStart);
        for (const [owner, keyGroups] of kept) {
          for (const kg of keyGroups) {
            const during = applied.filter(
              ([w, g, t]) => w === owner && g === kg && t > pauseStart && t < pauseEnd,
            ).length;
            expect({ keyGroup: kg, movedKeyGroup: m, appliedDuringPause: during > 0 }).toEqual({
              keyGroup: kg,
              movedKeyGroup: m,
              appliedDuringPause: true,
            });
          }
        }
      }
      producing = false;
      await production;
      const total = [...sent.values()].reduce((x, y) => x + y, 0);
      await eventually(async () => (await readCommitted(job.outputTopic)).length >= total, 60_000, 'every output');
    } finally {
      producing = false;
      await production;
      for (const w of started) w.controller.abort();
      await Promise.all(started.map((w) => w.done));
    }

    // Every record was produced with idempotence and counted exactly once.
    expect((await readCommitted(job.outputTopic)).map((r) => r.value?.toString() ?? '').sort()).toEqual(
      expectedOutputs(sent),
    );
  });
});
