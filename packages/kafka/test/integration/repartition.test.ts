import { assignToKeyGroup, Serializers } from '@statebackend/aws-base';
import { Repartitioner } from '../../src/index.js';
import { type CountingJob, checkpointDir, countingWorker, expectedOutputs } from '../support/counting-job.js';
import {
  bootstrap,
  createTopics,
  eventually,
  inputProducer,
  readCommitted,
  uniqueName,
} from '../support/kafka-helpers.js';

const MAX_PARALLELISM = 4;

describe('Repartitioner in front of a keyed job', () => {
  const d = checkpointDir();
  afterAll(() => d.remove());

  it('moves every record once to partition keyGroup(key), where the keyed job counts it', async () => {
    const source = uniqueName('raw');
    const job: CountingJob = {
      groupId: uniqueName('group'),
      inputTopic: uniqueName('by-key'),
      outputTopic: uniqueName('out'),
      maxParallelism: MAX_PARALLELISM,
      checkpointDir: d.dir,
    };
    await createTopics([
      { name: source, partitions: 3 },
      { name: job.inputTopic, partitions: MAX_PARALLELISM },
      { name: job.outputTopic, partitions: 1 },
    ]);
    // The source is partitioned round-robin, not by key.
    const producer = inputProducer('test-raw');
    const records = Array.from({ length: 120 }, (_, i) => ({ key: `k${i % 8}`, value: `${i}` }));
    await producer.send({
      messages: records.map((r, i) => ({
        topic: source,
        key: Buffer.from(r.key),
        value: Buffer.from(r.value),
        partition: i % 3,
      })),
    });
    await producer.close();

    const stage = new Repartitioner({
      bootstrapBrokers: [bootstrap()],
      groupId: uniqueName('repartition'),
      sourceTopic: source,
      targetTopic: job.inputTopic,
      maxParallelism: MAX_PARALLELISM,
      keyBytesOf: (record) => Serializers.string.serialize(record.key?.toString() ?? ''),
      sessionTimeoutMs: 3_000,
      heartbeatIntervalMs: 300,
    });
    const worker = countingWorker(job, [bootstrap()]);
    const stop = new AbortController();
    const running = Promise.all([stage.run(stop.signal), worker.run(stop.signal)]);
    await eventually(async () => (await readCommitted(job.outputTopic)).length >= 120, 60_000, '120 outputs');
    stop.abort();
    await running;

    const moved = await readCommitted(job.inputTopic);
    expect(moved).toHaveLength(120);
    for (const r of moved) {
      expect(r.partition).toBe(
        assignToKeyGroup(Serializers.string.serialize(r.key?.toString() ?? ''), MAX_PARALLELISM),
      );
    }
    expect(stage.stats.records).toBe(120);
    const outputs = (await readCommitted(job.outputTopic)).map((r) => r.value?.toString() ?? '').sort();
    expect(outputs).toEqual(expectedOutputs(new Map(Array.from({ length: 8 }, (_, k) => [`k${k}`, 15]))));
  });
});
