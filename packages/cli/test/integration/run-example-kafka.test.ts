// `statebackend run-example --source kafka://…`: a worker that produces the generated clicks and
// counts them, stopped; then two workers of the same group resume from its checkpoints. The
// output topic, read with read_committed, holds `user:n` for every click exactly once.
import { Consumer } from '@platformatic/kafka';
import { committedRecords } from '@statebackend/kafka';
import { KAFKA_BOOTSTRAP_ENV } from '@statebackend/testkit';
import { runCli, tempDir } from '../support/run-cli.js';

const RECORDS = 3_000;
const USERS = 60;

/** The values a read_committed reader sees in `topic`, from every partition. */
async function readCommittedValues(bootstrap: string, topic: string): Promise<string[]> {
  const consumer = new Consumer({
    clientId: 'test-reader',
    groupId: `reader-${Date.now()}`,
    bootstrapBrokers: [bootstrap],
  });
  try {
    const metadata = await consumer.metadata({ topics: [topic] });
    const info = metadata.topics.get(topic);
    if (info === undefined) return [];
    const values: string[] = [];
    for (let partition = 0; partition < info.partitionsCount; partition += 1) {
      let offset = 0n;
      for (;;) {
        const response = await consumer.fetch({
          node: info.partitions[partition]?.leader ?? 1,
          isolationLevel: 1,
          maxWaitTime: 10,
          minBytes: 0,
          maxBytes: 8 * 1024 * 1024,
          topics: [
            {
              topicId: info.id,
              partitions: [
                {
                  partition,
                  fetchOffset: offset,
                  currentLeaderEpoch: -1,
                  lastFetchedEpoch: -1,
                  partitionMaxBytes: 4 * 1024 * 1024,
                },
              ],
            },
          ],
        });
        const p = response.responses[0]?.partitions[0];
        if (p === undefined) break;
        const batches = p.records ?? [];
        for (const r of committedRecords(topic, partition, batches, p.abortedTransactions ?? [], offset))
          values.push(r.value?.toString() ?? '');
        const last = batches[batches.length - 1];
        const end = last === undefined ? offset : last.firstOffset + BigInt(last.lastOffsetDelta) + 1n;
        if (end <= offset || end >= p.lastStableOffset) break;
        offset = end;
      }
    }
    return values;
  } finally {
    await consumer.close(true);
  }
}

describe('statebackend run-example --source kafka://', () => {
  it('counts the clicks of a topic exactly once across runs and workers', async () => {
    const bootstrap = process.env[KAFKA_BOOTSTRAP_ENV] ?? '';
    const dir = await tempDir();
    const topic = `clicks-${process.pid}-${Date.now().toString(36)}`;
    const common = ['--source', `kafka://${bootstrap}/${topic}`, '--dir', dir.path, '--json'];
    try {
      const first = await runCli([
        'run-example',
        ...common,
        '--produce',
        '--records',
        String(RECORDS),
        '--users',
        String(USERS),
        '--seconds',
        '4',
      ]);
      expect({ code: first.code, stderr: first.stderr }).toEqual({
        code: 0,
        stderr: expect.stringContaining('Produced 3000 clicks'),
      });
      // Two workers of the same group resume from the first one's checkpoints.
      const [a, b] = await Promise.all([
        runCli(['run-example', ...common, '--seconds', '12']),
        runCli(['run-example', ...common, '--seconds', '12']),
      ]);
      expect([a.code, b.code]).toEqual([0, 0]);
      const values = (await readCommittedValues(bootstrap, `${topic}-counts`)).sort();
      const perUser = new Map<string, number>();
      for (const v of values) {
        const user = v.slice(0, v.lastIndexOf(':'));
        perUser.set(user, (perUser.get(user) ?? 0) + 1);
      }
      const expected = [...perUser]
        .flatMap(([user, n]) => Array.from({ length: n }, (_, i) => `${user}:${i + 1}`))
        .sort();
      expect(values.length).toBe(RECORDS);
      expect(values).toEqual(expected);
    } finally {
      await dir.remove();
    }
  });
});
