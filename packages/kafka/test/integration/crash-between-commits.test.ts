import {
  type CountingJob,
  checkpointDir,
  checkpointOffsets,
  countingWorker,
  expectedOutputs,
  inputRecords,
} from '../support/counting-job.js';
import {
  bootstrap,
  committedOffsets,
  createTopics,
  eventually,
  keyedProducer,
  readCommitted,
  uniqueName,
} from '../support/kafka-helpers.js';
import { WorkerProcess } from '../support/worker-processes.js';

const MAX_PARALLELISM = 4;

describe('a worker killed between the state commit and the Kafka transaction', () => {
  const d = checkpointDir();
  const producer = keyedProducer(MAX_PARALLELISM);
  const processes: WorkerProcess[] = [];
  afterAll(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await producer.close();
    d.remove();
  });

  it('leaves checkpoint N unreferenced; the next owner restores N-1 and the output stays exactly once', async () => {
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
    const first = new WorkerProcess({
      ...job,
      bootstrap: bootstrap(),
      workerId: 'first',
      crashAtCheckpoint: 1,
    });
    processes.push(first);
    await first.next((e) => e.event === 'assigned', 30_000);
    // Its first checkpoint commits the state of the key groups it read records of, then it dies.
    const exit = await first.exited;
    expect(exit.signal).toBe('SIGKILL');

    const committed = await committedOffsets(job.groupId, job.inputTopic, MAX_PARALLELISM);
    const stored = await checkpointOffsets(job);
    expect(committed.size).toBe(0); // the transaction never ran
    expect(stored.size).toBeGreaterThan(0); // but checkpoint N of those key groups is in the store
    expect(await readCommitted(job.outputTopic)).toEqual([]);

    // The next owner finds no committed offsets: it restores nothing (N-1 is the empty start),
    // discards nothing it would read, and produces every result once.
    await producer.send(inputRecords(8, 5), job.inputTopic);
    const next = countingWorker(job, [bootstrap()], { workerId: 'next' });
    const stop = new AbortController();
    const running = next.run(stop.signal);
    await eventually(async () => (await readCommitted(job.outputTopic)).length >= 120, 60_000, '120 outputs');
    stop.abort();
    await running;
    const outputs = (await readCommitted(job.outputTopic)).map((r) => r.value?.toString() ?? '').sort();
    expect(outputs).toEqual(expectedOutputs(new Map(Array.from({ length: 8 }, (_, k) => [`k${k}`, 15]))));
    expect(next.stats.records).toBe(120);
  });

  it('after a committed checkpoint, restores exactly the checkpoint whose offsets the group committed', async () => {
    const d2 = checkpointDir();
    const job: CountingJob = {
      groupId: uniqueName('group'),
      inputTopic: uniqueName('in'),
      outputTopic: uniqueName('out'),
      maxParallelism: MAX_PARALLELISM,
      checkpointDir: d2.dir,
    };
    try {
      await createTopics([
        { name: job.inputTopic, partitions: MAX_PARALLELISM },
        { name: job.outputTopic, partitions: 1 },
      ]);
      await producer.send(inputRecords(8, 10), job.inputTopic);
      // Checkpoint 1 commits everything produced so far; checkpoint 2 holds later records and dies.
      const first = new WorkerProcess({
        ...job,
        bootstrap: bootstrap(),
        workerId: 'first',
        crashAtCheckpoint: 2,
      });
      processes.push(first);
      await first.next((e) => e.event === 'assigned', 30_000);
      await eventually(async () => (await readCommitted(job.outputTopic)).length >= 80, 30_000, '80 outputs');
      await producer.send(inputRecords(8, 5), job.inputTopic);
      await first.exited;

      const committed = await committedOffsets(job.groupId, job.inputTopic, MAX_PARALLELISM);
      const stored = await checkpointOffsets(job);
      let ahead = 0;
      for (const [kg, offsets] of stored) {
        // Every key group has a checkpoint at its committed offset (N-1)…
        expect(offsets).toContain(committed.get(kg));
        // …and the ones checkpoint 2 reached have a newer one the group never committed (N).
        if ((offsets[0] ?? 0n) > (committed.get(kg) ?? 0n)) ahead += 1;
      }
      expect(ahead).toBeGreaterThan(0);
      expect((await readCommitted(job.outputTopic)).length).toBe(80);

      const next = countingWorker(job, [bootstrap()], { workerId: 'next' });
      const stop = new AbortController();
      const running = next.run(stop.signal);
      await eventually(
        async () => (await readCommitted(job.outputTopic)).length >= 120,
        60_000,
        '120 outputs',
      );
      stop.abort();
      await running;
      const outputs = (await readCommitted(job.outputTopic)).map((r) => r.value?.toString() ?? '').sort();
      expect(outputs).toEqual(expectedOutputs(new Map(Array.from({ length: 8 }, (_, k) => [`k${k}`, 15]))));
      expect(next.stats.records).toBe(40);
      // The restore dropped the uncommitted checkpoints: every remaining one is at or before a committed offset.
      const after = await checkpointOffsets(job);
      const finalOffsets = await committedOffsets(job.groupId, job.inputTopic, MAX_PARALLELISM);
      for (const [kg, offsets] of after) expect(offsets[0]).toBe(finalOffsets.get(kg));
    } finally {
      d2.remove();
    }
  });
});
