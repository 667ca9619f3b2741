import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFixtureJest } from '../support/child-jest.js';

/** A TCP port on which nothing listens (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

// A machine without a Docker engine must learn that in seconds, not wait for testcontainers.
describe('AWS_TEST_TARGET=localstack without a Docker engine', () => {
  it.each([
    ['a socket that does not exist', async () => 'unix:///nonexistent/docker.sock'],
    ['a TCP address where nothing listens', async () => `tcp://127.0.0.1:${await closedPort()}`],
  ])('fails the jest run within seconds when DOCKER_HOST is %s', async (_case, dockerHost) => {
    const host = await dockerHost();
    const started = Date.now();
    const jest = runFixtureJest(['test/integration/targets'], {
      AWS_TEST_TARGET: 'localstack',
      DOCKER_HOST: host,
    });
    const { code } = await jest.exited;
    const elapsed = Date.now() - started;
    expect(code).not.toBe(0);
    expect(jest.stderr()).toContain('DockerUnavailableError');
    expect(jest.stderr()).toContain(`No Docker engine answers at ${host} (from DOCKER_HOST)`);
    expect(jest.stderr()).toContain('needs a Docker engine');
    expect(jest.stderr()).not.toContain('testcontainers');
    expect(elapsed).toBeLessThan(15_000);
  });

  it.each([
    ['the pinned default image', {}, 'localstack/localstack:4.14.0'],
    [
      'LOCALSTACK_IMAGE',
      { LOCALSTACK_IMAGE: 'localstack/localstack:4.13.1' },
      'localstack/localstack:4.13.1',
    ],
  ])(
    'hands over to testcontainers, loaded on demand, once an engine answers, with %s',
    async (_case, env, image) => {
      // An "engine" that answers the ping but nothing else: testcontainers gets loaded, tries it and gives up.
      const dir = mkdtempSync(join(tmpdir(), 'testkit-engine-'));
      const socket = join(dir, 'docker.sock');
      const requests: string[] = [];
      const engine = createHttpServer((req, res) => {
        requests.push(`${req.method} ${req.url}`);
        res.statusCode = req.url === '/_ping' ? 200 : 500;
        res.end(req.url === '/_ping' ? 'OK' : '{"message":"not a real engine"}');
      });
      await new Promise<void>((resolve) => engine.listen(socket, resolve));
      try {
        const jest = runFixtureJest(['test/integration/targets'], {
          AWS_TEST_TARGET: 'localstack',
          DOCKER_HOST: `unix://${socket}`,
          ...env,
        });
        const { code } = await jest.exited;
        expect(code).not.toBe(0);
        expect(jest.stderr()).toContain(`LocalStack (${image}) failed to start through unix://${socket}`);
        expect(requests[0]).toBe('GET /_ping');
        expect(requests.length).toBeGreaterThan(1); // testcontainers' own requests
      } finally {
        await new Promise((resolve) => engine.close(resolve));
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
