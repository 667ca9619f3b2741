// `savepoint import` refuses a location that holds checkpoints or state, of this job or of another
// one beside it, unless --force: the same for S3 and DynamoDB as for a directory.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { AwsClientManager, KeyGroupRange, Serializers } from '@statebackend/aws-base';
import { DynamoDbStateBackend } from '@statebackend/aws-dynamodb';
import {
  cleanupAfterAll,
  createTestBucket,
  deleteTableIfExists,
  describeEachTarget,
  type TestTarget,
  uniqueName,
} from '@statebackend/testkit';
import { runCli, tempDir } from '../support/run-cli.js';

const STREAM = ['--records', '300', '--users', '20', '--seed', '5', '--checkpoint-every', '100'];

/** A savepoint of a short local run, and a config file reaching `target`. */
async function setUp(
  target: TestTarget,
  cleanup: ReturnType<typeof cleanupAfterAll>,
): Promise<{ file: string; config: string }> {
  const dir = await tempDir('cli-refusals-');
  cleanup.add('temporary directory', () => dir.remove());
  const source = join(dir.path, 'source');
  expect((await runCli(['run-example', '--dir', source, ...STREAM])).code).toBe(0);
  const file = join(dir.path, 'state.sbsp');
  expect((await runCli(['savepoint', 'export', source, file])).code).toBe(0);
  const config = join(dir.path, 'aws.yaml');
  await writeFile(
    config,
    [...target.configuration().toMap()].map(([k, v]) => `${k}: ${JSON.stringify(v)}\n`).join(''),
  );
  return { file, config };
}

/** The checkpoint ids `checkpoints list` shows at `location`. */
async function ids(location: string, config: string, job: string[] = []): Promise<number[]> {
  const listed = await runCli(['checkpoints', 'list', location, '--config', config, ...job]);
  expect({ code: listed.code, stderr: listed.stderr }).toEqual({ code: 0, stderr: '' });
  return listed.stdout
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((row) => Number(row.split(/\s+/)[0]));
}

describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  let file: string;
  let config: string;
  let bucket: string;

  beforeAll(async () => {
    ({ file, config } = await setUp(target, cleanup));
    const clients = new AwsClientManager(target.configuration());
    cleanup.add('AWS clients', () => clients.close());
    const s3 = clients.getOrCreate(S3Client, { clientConfig: { forcePathStyle: target.s3ForcePathStyle } });
    bucket = await createTestBucket(s3, target, cleanup, 'cli-refusals');
  });

  it('refuses an S3 location with checkpoints of this job or of another job unless --force, and deletes nothing', async () => {
    const location = `s3://${bucket}/state`;
    expect((await runCli(['savepoint', 'import', file, location, '--config', config])).code).toBe(0);

    const again = await runCli(['savepoint', 'import', file, location, '--config', config]);
    expect(again).toMatchObject({
      code: 1,
      stderr: `statebackend: Refusing to import into ${location}: it holds checkpoint 1 of this job. Importing makes the savepoint the newest checkpoint there, so the job would resume from it. Pick an empty location, or add --force (nothing there is deleted).\n`,
    });

    const otherJob = ['--job', 'payments'];
    const beside = await runCli(['savepoint', 'import', file, location, '--config', config, ...otherJob]);
    expect(beside).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^statebackend: Refusing to import into s3:\/\/.*\/state: it holds checkpoints of job click-example\/sessions\. .*--force/,
      ),
    });
    const payments = await runCli(['checkpoints', 'list', location, '--config', config, ...otherJob]);
    expect(payments).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/no checkpoints of job 'payments'/),
    });

    const forced = await runCli(['savepoint', 'import', file, location, '--config', config, '--force']);
    expect(forced).toMatchObject({ code: 0, stdout: expect.stringMatching(/as checkpoint 2\.\n$/) });
    expect(await ids(location, config)).toEqual([1, 2]);
  });
});

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  let file: string;
  let config: string;
  let dynamo: DynamoDBClient;
  let clients: AwsClientManager;

  beforeAll(async () => {
    ({ file, config } = await setUp(target, cleanup));
    clients = new AwsClientManager(target.configuration());
    cleanup.add('AWS clients', () => clients.close());
    dynamo = clients.getOrCreate(DynamoDBClient);
  });

  function freshTable(): string {
    const table = uniqueName('cli-refusals');
    cleanup.add(`table ${table}`, () => deleteTableIfExists(dynamo, table));
    return table;
  }

  it('refuses a table with checkpoints of this job or of another job unless --force', async () => {
    const table = freshTable();
    const location = `dynamodb://${table}`;
    expect((await runCli(['savepoint', 'import', file, location, '--config', config])).code).toBe(0);

    const again = await runCli(['savepoint', 'import', file, location, '--config', config]);
    expect(again).toMatchObject({
      code: 1,
      stderr:
        `statebackend: Refusing to import into ${location}: it holds checkpoint 1 of this job. Importing makes the ` +
        'savepoint the newest checkpoint there, so the job would resume from it. Pick an empty location, or add ' +
        '--force (nothing there is deleted).\n',
    });

    const otherJob = ['--job', 'payments'];
    const beside = await runCli(['savepoint', 'import', file, location, '--config', config, ...otherJob]);
    expect(beside).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^statebackend: Refusing to import into dynamodb:\/\/.*: it holds checkpoints of job click-example\/sessions\. .*--force \(nothing there is deleted\)\.\n$/,
      ),
    });
    expect(await ids(location, config, otherJob)).toEqual([]);

    const forced = await runCli(['savepoint', 'import', file, location, '--config', config, '--force']);
    expect(forced).toMatchObject({ code: 0, stdout: expect.stringMatching(/as checkpoint 2\.\n$/) });
    // The import keeps history: checkpoint 1 stays (issue 19: --force never deletes what it did not write).
    expect(await ids(location, config)).toEqual([1, 2]);
    const besideForced = await runCli([
      'savepoint',
      'import',
      file,
      location,
      '--config',
      config,
      ...otherJob,
      '--force',
    ]);
    expect(besideForced.code).toBe(0);
    expect(await ids(location, config)).toEqual([1, 2]);
    expect(await ids(location, config, otherJob)).toEqual([1]);
  }, 120_000);

  it('refuses a table where the job ran and never completed a checkpoint', async () => {
    const table = freshTable();
    const backend = new DynamoDbStateBackend(target.configuration(), {
      clients,
      table: { tableName: table },
    });
    cleanup.add('backend', () => backend.close());
    const claimed = await backend.restoreKeyedStateBackend(
      {
        jobId: 'click-example',
        operatorId: 'sessions',
        keyGroupRange: KeyGroupRange.of(0, 127),
        maxParallelism: 128,
        keySerializer: Serializers.string,
      },
      { kind: 'empty' },
    );
    await claimed.dispose();

    const refused = await runCli(['savepoint', 'import', file, `dynamodb://${table}`, '--config', config]);

    expect(refused).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /it holds state of job click-example\/sessions \(no checkpoint completed\)\. .*--force/,
      ),
    });
  });

  it('--force over a job with checkpoints keeps them: the older ones stay restorable, the import is the latest', async () => {
    const table = freshTable();
    const location = `dynamodb://${table}`;
    const run = await runCli([
      'run-example',
      '--backend',
      'dynamodb',
      '--location',
      location,
      '--config',
      config,
      ...['--records', '120', '--users', '10', '--seed', '9', '--checkpoint-every', '40'],
      ...['--checkpoint-interval', '600000'],
    ]);
    expect(run.code).toBe(0);
    const before = await ids(location, config);
    const newest = before.at(-1) as number;
    expect(before.length).toBeGreaterThan(0);
    const dump = (checkpoint: number) =>
      runCli(['state', 'dump', location, '--config', config, '--checkpoint', String(checkpoint)]);
    const olderState = await dump(newest);
    expect(olderState.code).toBe(0);

    const forced = await runCli(['savepoint', 'import', file, location, '--config', config, '--force']);
    expect(forced).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(`as checkpoint ${newest + 1}\\.\n$`),
    });
    expect(await ids(location, config)).toEqual([...before, newest + 1]);
    // The job's own newest checkpoint reads as it did before the import; the import is what it resumes from.
    expect(await dump(newest)).toEqual(olderState);
    const imported = await dump(newest + 1);
    expect(imported.code).toBe(0);
    expect(imported.stdout).not.toEqual(olderState.stdout);
    const resumed = await runCli(['run-example', '--location', location, '--config', config, ...STREAM]);
    expect(resumed.stdout).toContain(`Resuming from checkpoint ${newest + 1} at click 300 of 300`);
  }, 300_000);
});
