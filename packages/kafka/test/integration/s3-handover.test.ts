import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsClientManager, Serializers } from '@statebackend/aws-base';
import { S3CheckpointStorage } from '@statebackend/aws-s3';
import {
  cleanupAfterAll,
  deleteBucketIfExists,
  describeEachTarget,
  type TestTarget,
  uniqueName as uniqueBucket,
} from '@statebackend/testkit';
import { keyGroupPartition } from '../../src/index.js';
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

/** One GetObject an S3 client sent: the object and the byte range asked for, if any. */
interface ObjectRead {
  readonly key: string;
  readonly range: string | undefined;
}

/** The key group named in a checkpoint object's name (`kg-<start>-<end>`), for ranges of one key group. */
function keyGroupOf(key: string): number {
  const match = /kg-(\d+)-(\d+)/.exec(key.slice(key.lastIndexOf('/') + 1));
  if (match === null || match[1] !== match[2]) throw new Error(`not an object of one key group: ${key}`);
  return Number(match[1]);
}

/** An S3 client of its own for `target`, recording every GetObject it sends. */
function recordingClient(
  target: TestTarget,
  close: (fn: () => void) => void,
): { client: S3Client; reads: ObjectRead[] } {
  const clients = new AwsClientManager(target.configuration(), { userAgentSuffix: 'statebackend-kafka-it' });
  close(() => clients.close());
  const client = clients.getOrCreate(S3Client, { clientConfig: { forcePathStyle: target.s3ForcePathStyle } });
  const reads: ObjectRead[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'GetObjectCommand') {
        const input = args.input as { Key?: string; Range?: string };
        reads.push({ key: input.Key ?? '', range: input.Range });
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordObjectReads' },
  );
  return { client, reads };
}

describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  const producer = keyedProducer(MAX_PARALLELISM);
  afterAll(() => producer.close());

  it('hands over only the moved key groups: the new owner reads their objects and no others, exactly once end to end', async () => {
    const closers: (() => void)[] = [];
    cleanup.add('S3 clients', () => {
      for (const close of closers) close();
    });
    const a = recordingClient(target, (fn) => closers.push(fn));
    const b = recordingClient(target, (fn) => closers.push(fn));
    const bucket = uniqueBucket('kafka-s3');
    await a.client.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(target.region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: target.region as 'eu-west-1' } }),
      }),
    );
    cleanup.add(`bucket ${bucket}`, () => deleteBucketIfExists(a.client, bucket));
    const storage = (client: S3Client): S3CheckpointStorage =>
      new S3CheckpointStorage({ client, bucket, prefix: 'ckpt', jobId: 'counting', operatorId: 'per-key' });

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
    await producer.send(inputRecords(8, 10), job.inputTopic);

    // A owns every key group and checkpoints them to S3.
    const gainedByA: number[] = [];
    const first = countingWorker(job, [bootstrap()], {
      workerId: 'a',
      checkpointStorage: storage(a.client),
      hooks: { afterAssigned: async (kgs) => void gainedByA.push(...kgs) },
    });
    const stopA = new AbortController();
    const runA = first.run(stopA.signal);
    await eventually(async () => (await readCommitted(job.outputTopic)).length >= 80, 60_000, '80 outputs');
    expect(first.stats.ownedKeyGroups).toEqual([0, 1, 2, 3]);

    // B joins: the group moves some key groups to it, which it restores from S3.
    a.reads.length = 0;
    gainedByA.length = 0;
    const gainedByB: number[] = [];
    let handover: { keyGroups: readonly number[]; reads: ObjectRead[] } | undefined;
    const second = countingWorker(job, [bootstrap()], {
      workerId: 'b',
      checkpointStorage: storage(b.client),
      hooks: {
        afterAssigned: async (kgs) => {
          // The reads of B's first handover: from its start to its restored key groups.
          handover ??= { keyGroups: kgs, reads: [...b.reads] };
          gainedByB.push(...kgs);
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

    // The handover: B read the commit records and data of the key groups it was given, and
    // nothing of the others.
    if (handover === undefined) throw new Error('B restored nothing');
    const firstMoved = new Set(handover.keyGroups);
    const withState = new Set(
      Array.from({ length: 8 }, (_, k) =>
        keyGroupPartition(Serializers.string.serialize(`k${k}`), MAX_PARALLELISM),
      ),
    );
    expect(firstMoved.size).toBeGreaterThan(0);
    expect(firstMoved.size).toBeLessThan(MAX_PARALLELISM);
    // (Claiming reads the operator's epoch counter under _fencing/, which names no key group.)
    const ofKeyGroups = handover.reads.filter((r) => !r.key.includes('/_fencing/'));
    for (const read of ofKeyGroups) expect(firstMoved).toContain(keyGroupOf(read.key));
    for (const kg of firstMoved) {
      if (!withState.has(kg)) continue;
      const ofKg = ofKeyGroups.filter((r) => keyGroupOf(r.key) === kg);
      expect(ofKg.some((r) => r.key.includes('/_metadata.'))).toBe(true);
      expect(ofKg.some((r) => r.key.endsWith('.sbkg'))).toBe(true);
    }
    // Later, retention reads the commit records (small metadata objects) of every key group, but
    // data is read only by a restore: B's of key groups it gained, and A's none of those it kept.
    const dataOf = (reads: readonly ObjectRead[]) => reads.filter((r) => r.key.endsWith('.sbkg'));
    for (const read of dataOf(b.reads)) expect(gainedByB).toContain(keyGroupOf(read.key));
    for (const read of dataOf(a.reads)) expect(gainedByA).toContain(keyGroupOf(read.key));
    const name = (r: ObjectRead) =>
      `${r.key.slice(r.key.lastIndexOf('/') + 1)}${r.range === undefined ? '' : ` [${r.range}]`}`;
    process.stderr.write(
      `s3 handover: B took key groups ${[...firstMoved].join(', ')} reading ${handover.reads.length} objects: ` +
        `${handover.reads.map(name).join(', ')}; over the run B read ${b.reads.length} objects ` +
        `(${dataOf(b.reads).length} data), A ${a.reads.length} after B joined (${dataOf(a.reads).length} data)\n`,
    );
  });
});
