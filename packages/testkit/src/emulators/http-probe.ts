import { request } from 'node:http';

/**
 * Resolves true when anything answers HTTP at `url` (any status: an emulator may answer an
 * unsigned request with 400), false when the connection fails or `timeoutMs` passes. It uses
 * no keep-alive agent, so no socket outlives the probe.
 */
export function answersHttp(url: string, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
