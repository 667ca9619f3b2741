// Scaling out a small topic with cooperative rebalancing (issue #18): a worker that joins a group
// whose members each own the same number of partitions gets its share, even when no member owns
// more than ceil(partitions / workers) after the join (4 partitions: 2 + 2, a third joins; 6: 2 + 2
// + 2, a fourth joins). The assignor of @platformatic/kafka 2.12 gave such a worker nothing; the
// worker now passes its own (src/kafka/cooperative-sticky-assignor.ts). Input arrives all along;
// every worker ends owning floor or ceil of its share, the key groups once each, nobody rolls
// back (a commit that spanned both rounds of the rebalance used to wait for a third generation,
// then roll back), and the output is exactly once.
import type { KafkaKeyedWorker } from '../../src/index.js';
import { type CountingJob, checkpointDir, countingWorker, expectedOutputs } from '../support/counting-job.js';
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

const KEYS_PER_PARTITION = 4;

interface Running {
  readonly worker: KafkaKeyedWorker<string>;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

describe('KafkaKeyedWorker, cooperative scale-out of a small topic', () => {
  const dir = checkpointDir();
  afterAll(() => dir.remove());

  it.each([
    { partitions: 4, before: 2 },
    { partitions: 6, before: 3 },
    { partitions: 2, before: 1 },
  ])(
    '$partitions partitions, $before workers: one more joins and gets its share, exactly once',
    async ({ partitions, before }) => {
      const job: CountingJob = {
        groupId: uniqueName('group'),
        inputTopic: uniqueName('in'),
        outputTopic: uniqueName('out'),
        maxParallelism: partitions,
        checkpointDir: dir.dir,
      };
      await createTopics([
        { name: job.inputTopic, partitions },
        { name: job.outputTopic, partitions: 1 },
      ]);
      const producer = keyedProducer(partitions);
      const keys = partitions * KEYS_PER_PARTITION;
      const started: Running[] = [];
      const start = (name: string): Running => {
        const worker = countingWorker(job, [bootstrap()], { workerId: name, rebalancing: 'cooperative' });
        const controller = new AbortController();
        const running = { worker, controller, done: worker.run(controller.signal) };
        started.push(running);
        return running;
      };
      // Every worker owns floor or ceil of partitions / workers, and every key group has one owner.
      const shared = (workers: readonly Running[]) => async () => {
        const owned = workers.map((w) => w.worker.stats.ownedKeyGroups);
        const low = Math.floor(partitions / workers.length);
        return (
          owned.every((kgs) => kgs.length === low || kgs.length === Math.ceil(partitions / workers.length)) &&
          owned
            .flat()
            .sort((x, y) => x - y)
            .join() === Array.from({ length: partitions }, (_, kg) => kg).join()
        );
      };

      const input = continuousInput(producer, job.inputTopic, keys, 50);
      const sent = input.sent;
      let joinedAfterMs = 0;
      let ownedAfter = '';
      try {
        for (let i = 0; i < before; i += 1) start(`w${i}`);
        await eventually(shared(started), 60_000, `${before} workers sharing ${partitions} partitions`);
        const joinedAt = Date.now();
        const last = start(`w${before}`);
        await eventually(shared(started), 30_000, `${before + 1} workers sharing ${partitions} partitions`);
        joinedAfterMs = Date.now() - joinedAt;
        ownedAfter = started.map((w) => w.worker.stats.ownedKeyGroups.join(',')).join(' / ');
        expect(last.worker.stats.ownedKeyGroups).toHaveLength(Math.floor(partitions / (before + 1)));
        // Records after the rebalance, in every worker.
        const records = started.map((w) => w.worker.stats.records);
        await eventually(
          async () => started.every((w, i) => w.worker.stats.records > (records[i] ?? 0)),
          30_000,
          'every worker applying records after the join',
        );
        await everyOutput(job.outputTopic, await input.stop(), 60_000);
      } finally {
        await input.stop();
        for (const w of started) w.controller.abort();
        await Promise.all(started.map((w) => w.done));
        await producer.close();
      }
      console.log(
        `scale-out ${partitions} partitions, ${before} -> ${before + 1} workers: shared after ${joinedAfterMs} ms; ` +
          `key groups ${ownedAfter}; ` +
          `rollbacks ${started.map((w) => w.worker.stats.rollbacks).join('/')}`,
      );
      expect((await readCommitted(job.outputTopic)).map((r) => r.value?.toString() ?? '').sort()).toEqual(
        expectedOutputs(sent),
      );
      // Nobody started over: a worker that gave a key group up kept the others without a rollback.
      expect(started.map((w) => w.worker.stats.rollbacks)).toEqual(started.map(() => 0));
    },
    150_000,
  );
});
