import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerUnavailableError, requireDockerEngine } from '../../src/index.js';

/** An HTTP server on a unix socket that answers /_ping as a Docker engine does. */
async function fakeEngine(): Promise<{ socket: string; server: Server; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'testkit-docker-'));
  const socket = join(dir, 'docker.sock');
  const server = createServer((req, res) => res.end(req.url === '/_ping' ? 'OK' : ''));
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { socket, server, dir };
}

describe('requireDockerEngine', () => {
  it('accepts the engine DOCKER_HOST names when it answers /_ping', async () => {
    const engine = await fakeEngine();
    try {
      await expect(requireDockerEngine({ DOCKER_HOST: `unix://${engine.socket}` })).resolves.toEqual({
        uri: `unix://${engine.socket}`,
        source: 'DOCKER_HOST',
      });
    } finally {
      await new Promise((resolve) => engine.server.close(resolve));
      rmSync(engine.dir, { recursive: true, force: true });
    }
  });

  it('fails within its bound, naming the address, when nothing answers there', async () => {
    const started = Date.now();
    const attempt = requireDockerEngine({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, 500);
    await expect(attempt).rejects.toThrow(DockerUnavailableError);
    await expect(attempt).rejects.toThrow(
      'No Docker engine answers at unix:///nonexistent/docker.sock (from DOCKER_HOST): no such socket.',
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('rejects a DOCKER_HOST that is not a URL', async () => {
    await expect(requireDockerEngine({ DOCKER_HOST: 'docker.internal' })).rejects.toThrow(
      /docker\.internal .*not a URL/,
    );
  });
});
