import type { KafkaKeyedWorker, KafkaKeyedWorkerHooks } from '../../src/index.js';
import {
  type CountingJob,
  checkpointDir,
  countingWorker,
  expectedOutputs,
  inputRecords,
} from '../support/counting-job.js';
import { firstCall, Gate } from '../support/gate.js';
import {
  bootstrap,
  createTopics,
  eventually,
  keyedProducer,
  readCommitted,
  uniqueName,
} from '../support/kafka-helpers.js';

const MAX_PARALLELISM = 4;

async function outputsSorted(topic: string): Promise<string[]> {
  return (await readCommitted(topic)).map((r) => r.value?.toString() ?? '').sort();
}

/**
 * Worker A is held at one step of a checkpoint while worker B joins and takes half of A's key
 * groups (claiming them in the store and restoring the committed state); then A goes on. The
 * step decides who refuses A: the store (A's state commit comes after B's claim) or Kafka (A's
 * state was committed before B's claim, its offsets carry the old group generation).
 */
describe('a worker that lost key groups while held (a zombie)', () => {
  const dirs: { remove(): void }[] = [];
  const producer = keyedProducer(MAX_PARALLELISM);
  afterAll(async () => {
    await producer.close();
    for (const d of dirs) d.remove();
  });

  async function heldZombie(
    step: 'beforeStateCommit' | 'afterStateCommitted',
    rebalancing: 'eager' | 'cooperative' = 'eager',
  ): Promise<{
    zombie: KafkaKeyedWorker<string>;
    other: KafkaKeyedWorker<string>;
    outputs: string[];
    /** Whether the held checkpoint wrote state of a key group the other worker had claimed. */
    overlapped: boolean;
  }> {
    const d = checkpointDir();
    dirs.push(d);
    const job: CountingJob = {
      groupId: uniqueName('group'),
      inputTopic: uniqueName('in'),
      outputTopic: uniqueName('out'),
      maxParallelism: MAX_PARALLELISM,
      checkpointDir: d.dir,
    };
    await createTopics([
      { name: job.inputTopic, partitions: MAX_PARALLELISM },
      { name: job.outputTopic, partitions: 1 },
    ]);
    await producer.send(inputRecords(8, 10), job.inputTopic);

    // A commits the first 80 records, then is held at `step` of its next checkpoint.
    const gate = new Gate();
    let hold = false;
    let held: readonly number[] = [];
    const hooks: KafkaKeyedWorkerHooks = {
      [step]: async (keyGroups: readonly number[]) => {
        if (!hold || gate.isOpen) return;
        held = keyGroups;
        await gate.pass();
      },
    };
    const zombie = countingWorker(job, [bootstrap()], { workerId: 'zombie', hooks, rebalancing });
    const zombieStop = new AbortController();
    const zombieRun = zombie.run(zombieStop.signal);
    await eventually(async () => (await readCommitted(job.outputTopic)).length >= 80, 30_000, '80 outputs');
    hold = true;
    await producer.send(inputRecords(8, 5), job.inputTopic);
    await gate.reached;

    // B joins; the group gives it half of the key groups, which it claims and restores.
    const assigned = firstCall<readonly number[]>((kgs) => kgs.length > 0);
    const other = countingWorker(job, [bootstrap()], {
      workerId: 'other',
      rebalancing,
      hooks: { afterAssigned: async (kgs) => assigned.call(kgs) },
    });
    const otherStop = new AbortController();
    const otherRun = other.run(otherStop.signal);
    const taken = await assigned.promise;
    expect(taken.length).toBeGreaterThan(0);

    const checkpointsWhenHeld = zombie.stats.checkpoints;
    gate.open();
    // Eager: the refused commit rolls back. Cooperative: the key groups that moved are left out
    // of the held commit (the store refuses their state, or they left before the transaction),
    // and the kept ones commit, possibly in a later generation.
    await eventually(
      async () =>
        rebalancing === 'eager'
          ? zombie.stats.fenced > 0
          : zombie.stats.fenced > 0 || zombie.stats.checkpoints > checkpointsWhenHeld,
      30_000,
      'the zombie to be fenced',
    );
    await eventually(async () => (await readCommitted(job.outputTopic)).length >= 120, 60_000, '120 outputs');
    zombieStop.abort();
    otherStop.abort();
    await Promise.all([zombieRun, otherRun]);
    const overlapped = held.some((kg) => taken.includes(kg));
    return { zombie, other, outputs: await outputsSorted(job.outputTopic), overlapped };
  }

  it('is refused by the store when its state commit comes after the new claim', async () => {
    const { zombie, outputs, overlapped } = await heldZombie('beforeStateCommit');
    // When the held checkpoint touched only key groups the zombie kept, its state commit passes
    // and the generation refuses the transaction instead; either way nothing of it is visible.
    if (overlapped) expect(zombie.stats.fencedBy.store).toBeGreaterThan(0);
    else expect(zombie.stats.fencedBy.kafka).toBeGreaterThan(0);
    expect(outputs).toEqual(expectedOutputs(new Map(Array.from({ length: 8 }, (_, k) => [`k${k}`, 15]))));
  });

  it('is refused by Kafka (group generation) when its state was committed before the claim', async () => {
    const { zombie, outputs } = await heldZombie('afterStateCommitted');
    expect(zombie.stats.fencedBy.kafka).toBeGreaterThan(0);
    expect(outputs).toEqual(expectedOutputs(new Map(Array.from({ length: 8 }, (_, k) => [`k${k}`, 15]))));
  });

  // Cooperative rebalancing: the zombie's consumer reports the revocation while the zombie is
  // held; the key groups it keeps stay open and commit in the new generation.
  it('cooperative: the store refuses the moved key groups, the kept ones commit without a rollback', async () => {
    const { zombie, outputs } = await heldZombie('beforeStateCommit', 'cooperative');
    expect(zombie.stats.rollbacks).toBe(0);
    expect(zombie.stats.opened).toBe(4);
    expect(outputs).toEqual(expectedOutputs(new Map(Array.from({ length: 8 }, (_, k) => [`k${k}`, 15]))));
  });

  it('cooperative: state committed before the claim, the moved key groups leave the transaction', async () => {
    const { zombie, outputs } = await heldZombie('afterStateCommitted', 'cooperative');
    expect(zombie.stats.rollbacks).toBe(0);
    expect(zombie.stats.opened).toBe(4);
    expect(outputs).toEqual(expectedOutputs(new Map(Array.from({ length: 8 }, (_, k) => [`k${k}`, 15]))));
  });
});
