import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { AwsClientManager } from '@statebackend/aws-base';
import { cleanupAfterAll, createTestBucket, describeEachTarget, uniqueName } from '@statebackend/testkit';
import { build } from 'esbuild';
import { tempDir } from '../support/run-cli.js';

const run = promisify(execFile);
const handlerSource = resolve(__dirname, '../fixtures/lambda-handler.ts');

interface HandlerResult {
  readonly backend: string;
  readonly restored: number | undefined;
  readonly checkpointId: number;
  readonly counts: Record<string, number>;
}

describe('bundling', () => {
  it("keeps metrics-cloudwatch's registration on import, which its package.json declares as a side effect", async () => {
    const bundled = await build({
      stdin: {
        contents:
          "import '@statebackend/metrics-cloudwatch';\n" +
          "import { defaultReporterFactories } from '@statebackend/aws-base/spi';\n" +
          'console.log(defaultReporterFactories.names().join(","));\n',
        resolveDir: resolve(__dirname, '..'),
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      banner: {
        js: "import { createRequire as bannerRequire } from 'node:module'; const require = bannerRequire(import.meta.url);",
      },
    });
    expect(bundled.warnings.map((w) => w.text)).toEqual([]);
    const dir = await tempDir('cli-bundle-');
    try {
      await writeFile(join(dir.path, 'main.mjs'), bundled.outputFiles[0]?.text ?? '');
      const { stdout } = await run(process.execPath, ['main.mjs'], { cwd: dir.path });
      expect(stdout.trim().split(',')).toContain('cloudwatch');
    } finally {
      await dir.remove();
    }
  }, 60_000);
});

describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();

  it('runs a bundled Lambda-style program whose backend (s3) and CloudWatch reporter come from YAML', async () => {
    if (!target.offers('cloudwatch')) throw new Error(`${target.name} offers S3 without CloudWatch`);
    const clients = new AwsClientManager(target.configuration());
    cleanup.add('AWS clients', () => clients.close());
    const s3 = clients.getOrCreate(S3Client, { clientConfig: { forcePathStyle: target.s3ForcePathStyle } });
    const bucket = await createTestBucket(s3, target, cleanup, 'lambda');

    // Bundled as a Lambda function is: one ESM file, every dependency inside, into a directory
    // without node_modules, so nothing can be resolved at run time.
    const dir = await tempDir('cli-lambda-');
    cleanup.add('temporary directory', () => dir.remove());
    const bundled = await build({
      entryPoints: [handlerSource],
      outfile: join(dir.path, 'index.mjs'),
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
      // CommonJS dependencies (the AWS SDK's) require Node built-ins.
      banner: {
        js: "import { createRequire as bannerRequire } from 'node:module'; const require = bannerRequire(import.meta.url);",
      },
    });
    expect(bundled.errors).toEqual([]);
    const inputs = Object.keys(bundled.metafile.inputs);
    expect(
      inputs.some((i) =>
        i.includes('metrics-cloudwatch/dist/reporter/cloudwatch-metric-reporter-factory.js'),
      ),
    ).toBe(true);
    expect(
      inputs.some((i) => i.includes('statebackend-aws-s3/dist/config/s3-state-backend-factory.js')),
    ).toBe(true);
    expect(await readdir(dir.path)).toEqual(['index.mjs']);

    const namespace = `statebackend-lambda/${uniqueName('it')}`;
    const settings: [string, string][] = [
      ...target.configuration().toMap(),
      ['state.backend.type', 's3'],
      ['state.backend.s3.bucket', bucket],
      ['state.backend.s3.force-path-style', String(target.s3ForcePathStyle)],
      ['metrics.reporter.cloudwatch.factory.class', 'cloudwatch'],
      ['metrics.reporter.cloudwatch.namespace', namespace],
    ];
    await writeFile(
      join(dir.path, 'statebackend.yaml'),
      settings.map(([k, v]) => `${k}: ${JSON.stringify(v)}\n`).join(''),
    );
    await writeFile(
      join(dir.path, 'invoke.mjs'),
      "import { handler } from './index.mjs';\nconsole.log(JSON.stringify(await handler(JSON.parse(process.argv[2]))));\n",
    );
    const invoke = async (records: string[]): Promise<HandlerResult> => {
      const { stdout } = await run(process.execPath, ['invoke.mjs', JSON.stringify({ records })], {
        cwd: dir.path,
        env: { PATH: process.env.PATH, HOME: dir.path },
      });
      return JSON.parse(stdout) as HandlerResult;
    };

    expect(await invoke(['a', 'b', 'a'])).toEqual({
      backend: 's3',
      restored: undefined,
      checkpointId: 1,
      counts: { a: 2, b: 1 },
    });
    // A second invocation (a new process) restores checkpoint 1 from S3 and takes the next id.
    expect(await invoke(['a', 'c'])).toEqual({
      backend: 's3',
      restored: 1,
      checkpointId: 2,
      counts: { a: 3, c: 1 },
    });

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'lambda/count/chk-2/' }));
    expect((listed.Contents ?? []).some((o) => o.Key?.includes('_metadata') === true)).toBe(true);
    const cloudwatch = clients.getOrCreate(CloudWatchClient);
    const metrics = await cloudwatch.send(new ListMetricsCommand({ Namespace: namespace }));
    const names = new Set((metrics.Metrics ?? []).map((m) => m.MetricName));
    expect(names.has('records')).toBe(true);
    expect([...names].some((n) => n?.includes('numberOfCompletedCheckpoints') === true)).toBe(true);
    // The bundle imports no @statebackend package at run time.
    expect(await readFile(join(dir.path, 'index.mjs'), 'utf8')).not.toMatch(/from ["']@statebackend\//);
  }, 120_000);
});
