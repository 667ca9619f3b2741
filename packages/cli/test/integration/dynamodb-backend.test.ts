import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AwsClientManager } from '@statebackend/aws-base';
import { cleanupAfterAll, deleteTableIfExists, describeEachTarget, uniqueName } from '@statebackend/testkit';
import { runCli, summaryOf, tempDir } from '../support/run-cli.js';

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

  beforeAll(async () => {
    const clients = new AwsClientManager(target.configuration());
    cleanup.add('AWS clients', () => clients.close());
    const dynamo = clients.getOrCreate(DynamoDBClient);
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
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.stdout).toContain(`checkpoints in dynamodb://${table}/click-example/sessions`);

    const again = await runCli(['run-example', '--location', location, '--config', config, ...STREAM]);
    expect(again.stdout).toMatch(/Resuming from checkpoint \d+ at click 300 of 300/);
    expect(summaryOf(again.stdout)).toBe(summaryOf(first.stdout));

    const heap = await runCli(['run-example', '--dir', join(local, 'heap'), ...STREAM]);
    expect(summaryOf(first.stdout)).toBe(summaryOf(heap.stdout));
  }, 240_000);
});
