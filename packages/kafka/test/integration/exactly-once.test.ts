import {
  type CountingJob,
  checkpointDir,
  countingWorker,
  expectedOutputs,
  inputRecords,
} from '../support/counting-job.js';
import {
  bootstrap,
  createTopics,
  eventually,
  keyedProducer,
  readCommitted,
  uniqueName,
} from '../support/kafka-helpers.js';

const MAX_PARALLELISM = 4;

function newJob(dir: string): CountingJob {
  return {
    groupId: uniqueName('group'),
    inputTopic: uniqueName('in'),
    outputTopic: uniqueName('out'),
    maxParallelism: MAX_PARALLELISM,
    checkpointDir: dir,
  };
}

async function outputsSorted(topic: string): Promise<string[]> {
  return (await readCommitted(topic)).map((r) => r.value?.toString() ?? '').sort();
}

describe('KafkaKeyedWorker, Kafka to Kafka', () => {
  const dirs: { remove(): void }[] = [];
  const producer = keyedProducer(MAX_PARALLELISM);

  beforeAll(() => undefined);
  afterAll(async () => {
    await producer.close();
    for (const d of dirs) d.remove();
  });

  function freshJob(): CountingJob {
    const d = checkpointDir();
    dirs.push(d);
    return newJob(d.dir);
  }

  it('emits every result exactly once and resumes from its checkpoint after a restart', async () => {
    const job = freshJob();
    await createTopics([
      { name: job.inputTopic, partitions: MAX_PARALLELISM },
      { name: job.outputTopic, partitions: 1 },
    ]);
    await producer.send(inputRecords(8, 25), job.inputTopic);
    const first = countingWorker(job, [bootstrap()]);
    const controller = new AbortController();
    const running = first.run(controller.signal);
    const expectedFirst = expectedOutputs(new Map(Array.from({ length: 8 }, (_, k) => [`k${k}`, 25])));
    await eventually(async () => (await readCommitted(job.outputTopic)).length >= 200, 30_000, '200 outputs');
    controller.abort();
    await running;
    expect(await outputsSorted(job.outputTopic)).toEqual(expectedFirst);
    expect(first.stats.checkpoints).toBeGreaterThan(0);

    // A new worker restores the counts and goes on from the committed offsets.
    await producer.send(inputRecords(8, 5), job.inputTopic);
    const second = countingWorker(job, [bootstrap()]);
    const controller2 = new AbortController();
    const running2 = second.run(controller2.signal);
    await eventually(async () => (await readCommitted(job.outputTopic)).length >= 240, 30_000, '240 outputs');
    controller2.abort();
    await running2;
    expect(await outputsSorted(job.outputTopic)).toEqual(
      expectedOutputs(new Map(Array.from({ length: 8 }, (_, k) => [`k${k}`, 30]))),
    );
    expect(second.stats.records).toBe(40);
  });
});
