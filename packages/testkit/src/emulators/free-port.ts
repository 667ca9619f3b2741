import { createServer } from 'node:net';

/**
 * A TCP port on `host` that is free right now, found by letting the kernel pick one. Another
 * process may take it before the emulator binds it; {@link startEmulator} retries with a new
 * port when the emulator reports the port is in use.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error(`no port assigned on ${host}`))));
    });
  });
}
