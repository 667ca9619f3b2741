import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { AwsClientManager } from '@statebackend/aws-base';
import { cleanupAfterAll, createTestBucket, describeEachTarget } from '@statebackend/testkit';
import { besidesProgress, runCli, summaryOf, tempDir } from '../support/run-cli.js';

const STREAM = [
  '--records',
  '1500',
  '--users',
  '40',
  '--seed',
  '9',
  '--checkpoint-every',
  '500',
  '--checkpoint-interval',
  '600000',
];

describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  let bucket: string;
  let config: string;
  let credentialsOnly: string;
  let local: string;

  beforeAll(async () => {
    const clients = new AwsClientManager(target.configuration());
    cleanup.add('AWS clients', () => clients.close());
    const s3 = clients.getOrCreate(S3Client, { clientConfig: { forcePathStyle: target.s3ForcePathStyle } });
    bucket = await createTestBucket(s3, target, cleanup, 'cli-s3');
    const dir = await tempDir('cli-s3-');
    cleanup.add('temporary directory', () => dir.remove());
    local = dir.path;
    const settings = [...target.configuration().toMap()];
    const yaml = (entries: [string, string][]) =>
      entries.map(([k, v]) => `${k}: ${JSON.stringify(v)}\n`).join('');
    config = join(local, 'aws.yaml');
    await writeFile(config, yaml(settings));
    credentialsOnly = join(local, 'credentials.yaml');
    await writeFile(credentialsOnly, yaml(settings.filter(([key]) => key.startsWith('aws.credentials'))));
  });

  it('runs the example with checkpoints in S3, lists them, and moves the state to a local directory and back', async () => {
    const location = `s3://${bucket}/jobs`;
    const run = await runCli(['run-example', '--location', location, '--config', config, ...STREAM]);
    expect({ code: run.code, stderr: besidesProgress(run.stderr) }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`checkpoints in s3://${bucket}/jobs/click-example/sessions`);
    const summary = summaryOf(run.stdout);

    // --region and --endpoint on the command line instead of in the file.
    const flags = [
      '--region',
      target.region,
      ...(target.endpoint === undefined ? [] : ['--endpoint', target.endpoint]),
    ];
    const listed = await runCli(['checkpoints', 'list', location, '--config', credentialsOnly, ...flags]);
    expect(listed.code).toBe(0);
    expect(
      listed.stdout
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((row) => row.split(/\s+/)[0]),
    ).toEqual(['3', '4']);

    const file = join(local, 'from-s3.sbsp');
    expect((await runCli(['savepoint', 'export', location, file, '--config', config])).code).toBe(0);
    expect((await runCli(['savepoint', 'import', file, join(local, 'heap')])).code).toBe(0);
    const dumpS3 = await runCli(['state', 'dump', location, '--config', config]);
    const dumpLocal = await runCli(['state', 'dump', join(local, 'heap')]);
    expect(dumpLocal.stdout.split('\n').sort()).toEqual(dumpS3.stdout.split('\n').sort());
    const resumedLocal = await runCli(['run-example', '--dir', join(local, 'heap'), ...STREAM]);
    expect(summaryOf(resumedLocal.stdout)).toBe(summary);

    // And back into a fresh S3 prefix, where the job resumes too.
    const back = `s3://${bucket}/moved`;
    expect((await runCli(['savepoint', 'import', file, back, '--config', config])).stdout).toMatch(
      /as checkpoint 1\.\n$/,
    );
    const resumedS3 = await runCli([
      'run-example',
      '--backend',
      's3',
      '--location',
      back,
      '--config',
      config,
      ...STREAM,
    ]);
    expect(resumedS3.stdout).toContain('Resuming from checkpoint 1 at click 1500 of 1500');
    expect(summaryOf(resumedS3.stdout)).toBe(summary);
  });

  it('takes the bucket from state.backend.s3.* keys of --config with --backend s3', async () => {
    const withBucket = join(local, 'with-bucket.yaml');
    await writeFile(
      withBucket,
      [
        ...target.configuration().toMap(),
        ['state.backend.s3.bucket', bucket],
        ['state.backend.s3.prefix', 'from-config'],
      ]
        .map(([k, v]) => `${k}: ${JSON.stringify(v)}\n`)
        .join(''),
    );
    const run = await runCli([
      'run-example',
      '--backend',
      's3',
      '--config',
      withBucket,
      ...STREAM,
      '--records',
      '300',
    ]);
    expect({ code: run.code, stderr: besidesProgress(run.stderr) }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`checkpoints in s3://${bucket}/from-config/click-example/sessions`);
  });
});
