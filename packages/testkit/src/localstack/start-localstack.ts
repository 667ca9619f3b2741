import { type Logger, noopLogger } from '@statebackend/aws-base';
import { LocalStackStartError, TestkitError } from '../errors.js';
import { requireDockerEngine } from './docker-engine.js';

/** Overrides the LocalStack image. */
export const LOCALSTACK_IMAGE_ENV = 'LOCALSTACK_IMAGE';
/** The image used when {@link LOCALSTACK_IMAGE_ENV} is unset; pinned so that runs are repeatable. */
export const DEFAULT_LOCALSTACK_IMAGE = 'localstack/localstack:4.14.0';
/** Passed through to the container when set; newer LocalStack images need it. */
export const LOCALSTACK_AUTH_TOKEN_ENV = 'LOCALSTACK_AUTH_TOKEN';

/** A LocalStack container started by {@link startLocalStack}. */
export interface RunningLocalStack {
  /** `http://<host>:<mapped port>` */
  readonly endpoint: string;
  readonly image: string;
  readonly startupMs: number;
  /** Stops and removes the container. */
  stop(): Promise<void>;
}

/** Options of {@link startLocalStack}. */
export interface StartLocalStackOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
  /** Bound on pulling the image and starting the container; 5 minutes by default. */
  readonly startTimeoutMs?: number;
}

const MINIMUM_NODE = [22, 22] as const;

function requireNodeForTestcontainers(): void {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor < MINIMUM_NODE[1])) {
    throw new TestkitError(
      `AWS_TEST_TARGET=localstack uses testcontainers, which needs Node >= ${MINIMUM_NODE.join('.')}; this is ` +
        `Node ${process.versions.node}. Run through scripts/dev, which installs a suitable Node.`,
    );
  }
}

/**
 * Starts LocalStack through testcontainers. The Docker engine is checked first, so that a
 * machine without one fails in seconds; testcontainers is imported only here, so that suites
 * running against the local emulators never load it. If the process dies, testcontainers'
 * reaper (Ryuk) removes the container.
 *
 * @throws DockerUnavailableError when no Docker engine answers.
 * @throws LocalStackStartError when the container does not start within the bound.
 */
export async function startLocalStack(options: StartLocalStackOptions = {}): Promise<RunningLocalStack> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? noopLogger;
  const timeoutMs = options.startTimeoutMs ?? 300_000;
  requireNodeForTestcontainers();
  const engine = await requireDockerEngine(env);
  logger.debug('Docker engine answers', { uri: engine.uri, source: engine.source });

  const image = env[LOCALSTACK_IMAGE_ENV] || DEFAULT_LOCALSTACK_IMAGE;
  const { LocalstackContainer } = await import('@testcontainers/localstack');
  let container = new LocalstackContainer(image);
  const token = env[LOCALSTACK_AUTH_TOKEN_ENV];
  if (token !== undefined && token !== '')
    container = container.withEnvironment({ [LOCALSTACK_AUTH_TOKEN_ENV]: token });

  const started = Date.now();
  const starting = container.start();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([starting, timedOut])
    .catch((error: unknown) => {
      const why = error instanceof Error ? error.message : String(error);
      throw new LocalStackStartError(`LocalStack (${image}) failed to start through ${engine.uri}: ${why}`, {
        cause: error,
      });
    })
    .finally(() => clearTimeout(timer));
  if (outcome === 'timeout') {
    // Should the start still finish, remove the container instead of leaving it to the reaper.
    starting.then((late) => late.stop()).catch(() => undefined);
    throw new LocalStackStartError(
      `LocalStack (${image}) did not start within ${timeoutMs} ms through the Docker engine at ${engine.uri}.`,
    );
  }
  const startupMs = Date.now() - started;
  logger.info(`started LocalStack ${image} on ${outcome.getConnectionUri()}`, { startupMs });
  return {
    endpoint: outcome.getConnectionUri(),
    image,
    startupMs,
    stop: async () => {
      await outcome.stop();
    },
  };
}
