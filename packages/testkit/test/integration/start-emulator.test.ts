import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { answersHttp } from '../../src/emulators/http-probe.js';
import {
  EmulatorNotInstalledError,
  EmulatorStartError,
  type RunningEmulator,
  startEmulator,
} from '../../src/index.js';
import { isAlive, waitUntilGone } from '../support/processes.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** An install folder whose moto_server is the given shell script. */
function fakeMotoInstall(script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'testkit-fake-moto-'));
  const bin = join(dir, 'moto', 'venv', 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'moto_server'), `#!/bin/sh\n${script}\n`);
  chmodSync(join(bin, 'moto_server'), 0o755);
  return dir;
}

describe('startEmulator', () => {
  const started: RunningEmulator[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(started.map((e) => e.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('starts moto server on 127.0.0.1, answers S3, and stop() leaves no process or port behind', async () => {
    const moto = await startEmulator('moto');
    started.push(moto);
    expect(moto.endpoint).toBe(`http://127.0.0.1:${moto.port}`);
    expect(moto.services).toEqual(expect.arrayContaining(['s3', 'cloudwatch', 'dynamodb']));
    const s3 = new S3Client({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials,
      forcePathStyle: true,
    });
    await expect(s3.send(new ListBucketsCommand({}))).resolves.toMatchObject({
      $metadata: { httpStatusCode: 200 },
    });
    s3.destroy();

    await moto.stop();
    expect(isAlive(moto.pid)).toBe(false);
    expect(isAlive(moto.supervisorPid)).toBe(false);
    expect(await answersHttp(moto.endpoint)).toBe(false);
  });

  it('starts ministack on 127.0.0.1, answers S3 and ListTables, and stop() leaves no process or port behind', async () => {
    const ministack = await startEmulator('ministack');
    started.push(ministack);
    expect(ministack.endpoint).toBe(`http://127.0.0.1:${ministack.port}`);
    expect(ministack.services).toEqual(expect.arrayContaining(['s3', 'cloudwatch', 'dynamodb']));
    const dynamo = new DynamoDBClient({ endpoint: ministack.endpoint, region: 'us-east-1', credentials });
    await expect(dynamo.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
    dynamo.destroy();
    const s3 = new S3Client({
      endpoint: ministack.endpoint,
      region: 'us-east-1',
      credentials,
      forcePathStyle: true,
    });
    await expect(s3.send(new ListBucketsCommand({}))).resolves.toMatchObject({
      $metadata: { httpStatusCode: 200 },
    });
    s3.destroy();

    await ministack.stop();
    await waitUntilGone(ministack.pid, 5_000);
    expect(await answersHttp(ministack.endpoint)).toBe(false);
  });

  it.each(['moto', 'ministack'] as const)(
    'fails with the reason from %s when the port it was given is taken',
    async (name) => {
      const blocker = createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const address = blocker.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      try {
        const error = await startEmulator(name, { port }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EmulatorStartError);
        expect((error as EmulatorStartError).message).toContain(`${name} exited before it answered HTTP`);
        expect((error as EmulatorStartError).outputTail.join('\n')).toMatch(/in use|failed to bind/i);
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    },
  );

  it('names the program when it cannot be started at all', async () => {
    // An install whose ministack is there but cannot be executed (no execute permission).
    const dir = mkdtempSync(join(tmpdir(), 'testkit-broken-ministack-'));
    dirs.push(dir);
    const bin = join(dir, 'ministack', 'venv', 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'ministack'), '');
    const program = join(bin, 'ministack');
    const error = await startEmulator('ministack', { installDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`Could not start ${program}`);
    expect((error as Error).message).toMatch(/is it installed\?\n.*spawn .*ministack EACCES/s);
  });

  it('says to run emulators:install when the emulator is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'testkit-no-emulators-'));
    dirs.push(empty);
    const attempt = startEmulator('moto', { installDir: empty });
    await expect(attempt).rejects.toThrow(EmulatorNotInstalledError);
    await expect(attempt).rejects.toThrow('pnpm run emulators:install');
  });

  it('fails with the last lines of output when the emulator exits during start-up', async () => {
    const dir = fakeMotoInstall(
      'echo "starting fake moto"\necho "fatal: cannot load the S3 backend" >&2\nexit 3',
    );
    dirs.push(dir);
    const error = await startEmulator('moto', { installDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmulatorStartError);
    expect(error).toMatchObject({ emulator: 'moto' });
    expect((error as EmulatorStartError).message).toContain('moto exited before it answered HTTP');
    expect((error as EmulatorStartError).outputTail).toEqual([
      'starting fake moto',
      'fatal: cannot load the S3 backend',
    ]);
  });

  it('stops an emulator that does not answer within the start timeout and says so', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'testkit-hang-')), 'pid');
    dirs.push(join(pidFile, '..'));
    const dir = fakeMotoInstall(`echo $$ > ${pidFile}\necho "listening soon"\nexec sleep 60`);
    dirs.push(dir);
    const started = Date.now();
    const error = await startEmulator('moto', { installDir: dir, startTimeoutMs: 1_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EmulatorStartError);
    expect((error as EmulatorStartError).message).toMatch(
      /did not answer HTTP .* within 1000 ms; it was stopped/,
    );
    expect((error as EmulatorStartError).outputTail).toEqual(['listening soon']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(isAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });
});
