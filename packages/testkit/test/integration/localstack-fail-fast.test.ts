import { createServer } from 'node:net';
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
    expect(jest.stderr()).toContain(`DockerUnavailableError`);
    expect(jest.stderr()).toContain(`No Docker engine answers at ${host} (from DOCKER_HOST)`);
    expect(jest.stderr()).toContain('needs a Docker engine');
    expect(elapsed).toBeLessThan(15_000);
  });
});
