// `statebackend run-example --source kafka://… --location s3://…|dynamodb://…`: the workers of
// the Kafka example keep their key groups' state in S3 (heap state, checkpoints there) or in
// DynamoDB instead of a local directory. A worker produces clicks and counts them, stopped; then
// two workers with the same location share the partitions while more clicks of the same users
// arrive: they go on from the state in the store (no local directory in common), and the output
// topic holds `user:1 … user:n` for every user's clicks of both rounds, exactly once.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { AwsClientManager } from '@statebackend/aws-base';
import {
  cleanupAfterAll,
  createTestBucket,
  deleteTableIfExists,
  describeEachTarget,
  KAFKA_BOOTSTRAP_ENV,
  type TestTarget,
  uniqueName,
} from '@statebackend/testkit';
import { readCommittedValues } from '../support/kafka-read.js';
import { runCli, tempDir } from '../support/run-cli.js';

const RECORDS = 2_000;
const USERS = 50;

/** A YAML file of the target's aws.* settings, for --config. */
async function configFile(target: TestTarget, directory: string): Promise<string> {
  const file = join(directory, 'aws.yaml');
  await writeFile(
    file,
    [...target.configuration().toMap()].map(([k, v]) => `${k}: ${JSON.stringify(v)}\n`).join(''),
  );
  return file;
}

/** Runs one producing worker, then two workers of the same group, all with `store` options. */
async function shareState(store: readonly string[], expectedState: string): Promise<void> {
  const bootstrap = process.env[KAFKA_BOOTSTRAP_ENV] ?? '';
  const topic = `clicks-${process.pid}-${Date.now().toString(36)}`;
  const common = ['--source', `kafka://${bootstrap}/${topic}`, ...store, '--json'];
  const produce = (seed: number) => [
    '--produce',
    '--records',
    String(RECORDS),
    '--users',
    String(USERS),
    '--seed',
    String(seed),
  ];
  const first = await runCli(['run-example', ...common, ...produce(42), '--seconds', '8']);
  expect({ code: first.code, stderr: first.stderr }).toEqual({
    code: 0,
    stderr: expect.stringContaining(`state in ${expectedState}`),
  });
  const counted = (JSON.parse(first.stdout) as { clicks: number }).clicks;
  expect(counted).toBeGreaterThan(0);
  // Two workers of the same group go on from the state the first one left in the store, while
  // more clicks of the same users arrive: their counts continue from it.
  const [a, b] = await Promise.all([
    runCli(['run-example', ...common, ...produce(43), '--seconds', '14']),
    runCli(['run-example', ...common, '--seconds', '14']),
  ]);
  expect([a.code, b.code]).toEqual([0, 0]);
  const resumed = [a, b].map((run) => (JSON.parse(run.stdout) as { clicks: number }).clicks);
  // Together the two counted at least the rest (a key group handed over mid-interval is redone).
  expect(resumed.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(2 * RECORDS - counted);
  const values = (await readCommittedValues(bootstrap, `${topic}-counts`)).sort();
  const perUser = new Map<string, number>();
  for (const v of values) {
    const user = v.slice(0, v.lastIndexOf(':'));
    perUser.set(user, (perUser.get(user) ?? 0) + 1);
  }
  const expected = [...perUser]
    .flatMap(([user, n]) => Array.from({ length: n }, (_, i) => `${user}:${i + 1}`))
    .sort();
  expect(values.length).toBe(2 * RECORDS);
  expect(values).toEqual(expected);
  process.stderr.write(
    `kafka example with state in ${expectedState}: first worker ${counted} clicks, then ${resumed.join(' + ')}\n`,
  );
}

describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  let bucket: string;
  let config: string;

  beforeAll(async () => {
    const clients = new AwsClientManager(target.configuration());
    cleanup.add('AWS clients', () => clients.close());
    const s3 = clients.getOrCreate(S3Client, { clientConfig: { forcePathStyle: target.s3ForcePathStyle } });
    bucket = await createTestBucket(s3, target, cleanup, 'cli-kafka');
    const dir = await tempDir('cli-kafka-s3-');
    cleanup.add('temporary directory', () => dir.remove());
    config = await configFile(target, dir.path);
  });

  it('run-example --source kafka:// --location s3://: N workers share the state in S3, exactly once', async () => {
    await shareState(
      ['--location', `s3://${bucket}/kafka`, '--config', config],
      `s3://${bucket}/kafka/click-example-kafka/clicks-per-user`,
    );
  }, 120_000);
});

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  let table: string;
  let config: string;

  beforeAll(async () => {
    const clients = new AwsClientManager(target.configuration());
    cleanup.add('AWS clients', () => clients.close());
    const dynamo = clients.getOrCreate(DynamoDBClient);
    table = uniqueName('cli-kafka-state');
    cleanup.add(`table ${table}`, () => deleteTableIfExists(dynamo, table));
    const dir = await tempDir('cli-kafka-dynamodb-');
    cleanup.add('temporary directory', () => dir.remove());
    config = await configFile(target, dir.path);
  });

  it('run-example --source kafka:// --backend dynamodb: N workers share the state in DynamoDB, exactly once', async () => {
    await shareState(
      ['--backend', 'dynamodb', '--location', `dynamodb://${table}`, '--config', config],
      `dynamodb://${table}/click-example-kafka/clicks-per-user`,
    );
  }, 120_000);
});
