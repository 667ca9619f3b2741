import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { AwsClientManager } from '@statebackend/aws-base';
import { cleanupAfterAll, describeEachTarget, uniqueName } from '@statebackend/testkit';
import { besidesProgress, runCli, tempDir } from '../support/run-cli.js';

describeEachTarget('cloudwatch', (target) => {
  const cleanup = cleanupAfterAll();

  it('reports the example job metrics to CloudWatch with --metrics cloudwatch', async () => {
    const dir = await tempDir('cli-cloudwatch-');
    cleanup.add('temporary directory', () => dir.remove());
    const namespace = `statebackend-cli/${uniqueName('it')}`;
    const config = join(dir.path, 'aws.yaml');
    const settings = [
      ...target.configuration().toMap(),
      ['metrics.reporter.cloudwatch.namespace', namespace],
    ];
    await writeFile(config, settings.map(([k, v]) => `${k}: ${JSON.stringify(v)}\n`).join(''));

    const run = await runCli([
      'run-example',
      '--dir',
      join(dir.path, 'ckpt'),
      '--records',
      '500',
      '--users',
      '20',
      '--metrics',
      'cloudwatch',
      '--config',
      config,
    ]);
    expect({ code: run.code, stderr: besidesProgress(run.stderr) }).toEqual({ code: 0, stderr: '' });

    const clients = new AwsClientManager(target.configuration());
    cleanup.add('AWS clients', () => clients.close());
    const cloudwatch = clients.getOrCreate(CloudWatchClient);
    const listed = await cloudwatch.send(new ListMetricsCommand({ Namespace: namespace }));
    const names = new Set((listed.Metrics ?? []).map((m) => m.MetricName));
    expect([...names].filter((n) => n?.includes('records') === true).length).toBeGreaterThan(0);
    expect([...names].some((n) => n?.includes('numberOfCompletedCheckpoints') === true)).toBe(true);
  });
});
