import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AwsClientManager } from '@statebackend/aws-base';
import { cleanupAfterAll, deleteTableIfExists, describeEachTarget, uniqueName } from '@statebackend/testkit';
import { besidesProgress, runCli, summaryOf, tempDir } from '../support/run-cli.js';

const STREAM = [
  '--records',
  '300',
  '--users',
  '20',
  '--seed',
  '4',
  '--checkpoint-every',
  '100',
  '--checkpoint-interval',
  '600000',
];

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  let config: string;
  let local: string;
  let table: string;
  let dynamo: DynamoDBClient;

  beforeAll(async () => {
    const clients = new AwsClientManager(target.configuration());
    cleanup.add('AWS clients', () => clients.close());
    dynamo = clients.getOrCreate(DynamoDBClient);
    table = uniqueName('cli-state');
    cleanup.add(`table ${table}`, () => deleteTableIfExists(dynamo, table));
    const dir = await tempDir('cli-dynamodb-');
    cleanup.add('temporary directory', () => dir.remove());
    local = dir.path;
    config = join(local, 'aws.yaml');
    await writeFile(
      config,
      [...target.configuration().toMap()].map(([k, v]) => `${k}: ${JSON.stringify(v)}\n`).join(''),
    );
  });

  it('runs the example with its state in DynamoDB, resumes there, and sums up as the heap backend does', async () => {
    const location = `dynamodb://${table}`;
    const first = await runCli([
      'run-example',
      '--backend',
      'dynamodb',
      '--location',
      location,
      '--config',
      config,
      ...STREAM,
    ]);
    expect({ code: first.code, stderr: besidesProgress(first.stderr) }).toEqual({ code: 0, stderr: '' });
    expect(first.stdout).toContain(`checkpoints in dynamodb://${table}/click-example/sessions`);

    const again = await runCli(['run-example', '--location', location, '--config', config, ...STREAM]);
    expect(again.stdout).toMatch(/Resuming from checkpoint \d+ at click 300 of 300/);
    expect(summaryOf(again.stdout)).toBe(summaryOf(first.stdout));

    const heap = await runCli(['run-example', '--dir', join(local, 'heap'), ...STREAM]);
    expect(summaryOf(first.stdout)).toBe(summaryOf(heap.stdout));
  }, 240_000);

  it('rolls back with run-example --checkpoint N on DynamoDB and ends with the summary of an uninterrupted run', async () => {
    const rollback = `${table}-rollback`;
    cleanup.add(`table ${rollback}`, () => deleteTableIfExists(dynamo, rollback));
    const location = `dynamodb://${rollback}`;
    const runExample = (...extra: string[]) =>
      runCli(['run-example', '--location', location, '--config', config, ...STREAM, ...extra]);
    const first = await runExample();
    expect(first.code).toBe(0);
    const listed = await runCli(['checkpoints', 'list', location, '--config', config]);
    const ids = listed.stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((row) => Number(row.split(/\s+/)[0]));
    // The run keeps the checkpoint before the newest restorable too, as on the heap and S3 backends.
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const older = ids.at(-2) as number;
    const newest = ids.at(-1) as number;

    const rolled = await runExample('--checkpoint', String(older));
    expect({ code: rolled.code, stderr: besidesProgress(rolled.stderr) }).toEqual({ code: 0, stderr: '' });
    expect(rolled.stdout).toMatch(new RegExp(`Resuming from checkpoint ${older} at click \\d+ of 300`));
    expect(summaryOf(rolled.stdout)).toBe(summaryOf(first.stdout));

    const missing = await runExample('--checkpoint', String(newest + 100));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      new RegExp(
        `^statebackend: No checkpoint to restore at .*: checkpoint ${newest + 100} .*See 'statebackend checkpoints list'`,
      ),
    );
  }, 240_000);

  it('lists, shows, dumps and prunes checkpoints in a table, and moves the state to a directory and into another table', async () => {
    const location = `dynamodb://${table}`;
    const heapDir = join(local, 'heap');
    const heapSummary = summaryOf((await runCli(['run-example', '--dir', heapDir, ...STREAM])).stdout);
    const listed = await runCli(['checkpoints', 'list', location, '--config', config]);
    expect({ code: listed.code, stderr: listed.stderr }).toEqual({ code: 0, stderr: '' });
    const rows = listed.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^ID\s+TAKEN\s+SIZE\s+KEY GROUPS\s+STATES$/);
    const ids = rows.slice(1).map((row) => Number(row.split(/\s+/)[0]));
    expect(ids.length).toBeGreaterThan(0);
    expect(rows[1]).toMatch(/\d+(\.\d)? (B|KiB)\s+0-127\s+\S*page-clicks/);

    const shown = await runCli(['checkpoints', 'show', location, '--config', config]);
    const detail = JSON.parse(shown.stdout) as { checkpointId: number; parts: { metadata: unknown }[] };
    expect(detail.checkpointId).toBe(ids.at(-1));
    expect(JSON.stringify(detail.parts[0]?.metadata)).toContain('"records":300');

    const dumpTable = await runCli(['state', 'dump', location, '--config', config]);
    const dumpHeap = await runCli(['state', 'dump', heapDir]);
    expect(dumpTable.code).toBe(0);
    expect(dumpTable.stdout.split('\n').length).toBeGreaterThan(20);
    expect(dumpTable.stdout.split('\n').sort()).toEqual(dumpHeap.stdout.split('\n').sort());

    // Savepoint: table -> file -> a fresh directory and a fresh table; the job resumes in both.
    const file = join(local, 'from-dynamodb.sbsp');
    expect((await runCli(['savepoint', 'export', location, file, '--config', config])).code).toBe(0);
    const movedDir = join(local, 'moved');
    expect((await runCli(['savepoint', 'import', file, movedDir])).code).toBe(0);
    const resumedDir = await runCli(['run-example', '--dir', movedDir, ...STREAM]);
    expect(resumedDir.stdout).toContain('Resuming from checkpoint 1 at click 300 of 300');
    expect(summaryOf(resumedDir.stdout)).toBe(heapSummary);
    const other = `dynamodb://${table}-moved`;
    cleanup.add(`table ${table}-moved`, () => deleteTableIfExists(dynamo, `${table}-moved`));
    const imported = await runCli(['savepoint', 'import', file, other, '--config', config]);
    expect({ code: imported.code, stderr: imported.stderr }).toEqual({ code: 0, stderr: '' });
    expect(imported.stdout).toMatch(/as checkpoint 1\.\n$/);
    const resumedTable = await runCli([
      'run-example',
      '--backend',
      'dynamodb',
      '--location',
      other,
      '--config',
      config,
      ...STREAM,
    ]);
    expect(resumedTable.stdout).toContain('Resuming from checkpoint 1 at click 300 of 300');
    expect(summaryOf(resumedTable.stdout)).toBe(heapSummary);
    const dumpOther = await runCli(['state', 'dump', other, '--config', config]);
    expect(dumpOther.stdout.split('\n').sort()).toEqual(dumpHeap.stdout.split('\n').sort());

    const missing = await runCli(['state', 'dump', `dynamodb://${table}-absent`, '--config', config]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ResourceNotFoundException/);
    expect(missing.stderr.trimEnd().split('\n')).toHaveLength(1);
    const noScope = await runCli(['checkpoints', 'show', location, '--job', 'other', '--config', config]);
    expect(noScope.stderr).toBe(`statebackend: No checkpoints at dynamodb://${table}/other/sessions.\n`);

    const pruned = await runCli(['checkpoints', 'prune', location, '--keep', '1', '--config', config]);
    expect(pruned.stdout).toMatch(/^Kept checkpoints? \d+; deleted /);
    const after = await runCli(['checkpoints', 'list', location, '--config', config]);
    expect(
      after.stdout
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((row) => Number(row.split(/\s+/)[0])),
    ).toEqual([ids.at(-1)]);
  }, 240_000);
});
