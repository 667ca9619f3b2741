import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { DockerUnavailableError } from '../errors.js';

/** Where a Docker engine was found. */
export interface DockerEngine {
  /** `unix:///var/run/docker.sock`, `tcp://host:2375`, ... */
  readonly uri: string;
  /** Where the address came from, e.g. `DOCKER_HOST`. */
  readonly source: string;
}

interface Candidate {
  readonly uri: string;
  readonly source: string;
}

function propertiesFile(): Map<string, string> {
  const file = join(homedir(), '.testcontainers.properties');
  const properties = new Map<string, string>();
  if (!existsSync(file)) return properties;
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const match = /^\s*([\w.]+)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) properties.set(match[1], match[2]);
  }
  return properties;
}

/**
 * The engine addresses testcontainers would use, in its order: `tc.host` from
 * ~/.testcontainers.properties, `DOCKER_HOST` (or the file's `docker.host`), then the usual
 * sockets of Docker, rootless Docker and Docker Desktop. A configured address is used alone,
 * whether or not it answers, because testcontainers would not look further either.
 */
function candidates(env: NodeJS.ProcessEnv): { configured?: Candidate; sockets: Candidate[] } {
  const properties = propertiesFile();
  const tcHost = properties.get('tc.host');
  if (tcHost !== undefined)
    return { configured: { uri: tcHost, source: 'tc.host in ~/.testcontainers.properties' }, sockets: [] };
  const dockerHost = env.DOCKER_HOST;
  if (dockerHost !== undefined && dockerHost !== '')
    return { configured: { uri: dockerHost, source: 'DOCKER_HOST' }, sockets: [] };
  const fileHost = properties.get('docker.host');
  if (fileHost !== undefined)
    return {
      configured: { uri: fileHost, source: 'docker.host in ~/.testcontainers.properties' },
      sockets: [],
    };
  const paths = [
    '/var/run/docker.sock',
    env.XDG_RUNTIME_DIR === undefined ? undefined : join(env.XDG_RUNTIME_DIR, 'docker.sock'),
    join(homedir(), '.docker', 'run', 'docker.sock'),
    join(homedir(), '.docker', 'desktop', 'docker.sock'),
    join('/run', 'user', String(userInfo().uid), 'docker.sock'),
  ];
  return {
    sockets: paths.flatMap((path) =>
      path === undefined ? [] : [{ uri: `unix://${path}`, source: 'default socket' }],
    ),
  };
}

function pingUnixSocket(socketPath: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request(
      { socketPath, path: '/_ping', method: 'GET', timeout: timeoutMs, agent: false },
      (res) => {
        res.resume();
        resolve(undefined);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve(error.message));
    req.end();
  });
}

function connectTcp(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('timeout', () => socket.destroy(new Error(`no connection within ${timeoutMs} ms`)));
    socket.once('error', (error) => resolve(error.message));
  });
}

/** Undefined when the engine answers, else why not. Schemes it cannot probe (ssh, npipe) pass. */
function probe(uri: string, timeoutMs: number): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return Promise.resolve('not a URL');
  }
  if (url.protocol === 'unix:') {
    if (!existsSync(url.pathname)) return Promise.resolve('no such socket');
    return pingUnixSocket(url.pathname, timeoutMs);
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    return connectTcp(url.hostname, Number(url.port || (url.protocol === 'https:' ? 2376 : 2375)), timeoutMs);
  }
  return Promise.resolve(undefined);
}

const HELP =
  'AWS_TEST_TARGET=localstack runs LocalStack in a container and needs a Docker engine: start Docker ' +
  '(or Podman with its Docker socket) or point DOCKER_HOST at one. Without Docker, run the tests with ' +
  'AWS_TEST_TARGET=local (moto server and ministack, the default).';

/**
 * Finds the Docker engine testcontainers would use and checks that it answers, within
 * `timeoutMs` per probe, so that a machine without Docker fails in seconds rather than hanging
 * in testcontainers' own start-up.
 *
 * @throws DockerUnavailableError saying what was tried and what to do.
 */
export async function requireDockerEngine(
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 3_000,
): Promise<DockerEngine> {
  const { configured, sockets } = candidates(env);
  if (configured !== undefined) {
    const problem = await probe(configured.uri, timeoutMs);
    if (problem === undefined) return configured;
    throw new DockerUnavailableError(
      `No Docker engine answers at ${configured.uri} (from ${configured.source}): ${problem}. ${HELP}`,
    );
  }
  const present = sockets.find((s) => existsSync(new URL(s.uri).pathname));
  if (present === undefined) {
    const tried = sockets.map((s) => new URL(s.uri).pathname).join(', ');
    throw new DockerUnavailableError(
      `No Docker engine found: DOCKER_HOST is not set and none of ${tried} exists. ${HELP}`,
    );
  }
  const problem = await probe(present.uri, timeoutMs);
  if (problem === undefined) return present;
  throw new DockerUnavailableError(`No Docker engine answers at ${present.uri}: ${problem}. ${HELP}`);
}
