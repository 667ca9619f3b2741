import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, noopLogger } from '@statebackend/aws-base';
import { freePort } from '../emulators/free-port.js';
import { emulatorsDir } from '../emulators/install-layout.js';
import { type SupervisedProcess, spawnSupervised } from '../emulators/supervised-process.js';
import { EmulatorStartError } from '../errors.js';
import { brokerProperties } from './broker-properties.js';
import { KAFKA_VERSION, kafkaLibDir } from './kafka-layout.js';

/** Options of {@link startKafkaBroker}. */
export interface StartKafkaOptions {
  /** How long the broker may take to accept connections; default 60 s. */
  readonly startTimeoutMs?: number;
  /** Where `pnpm run emulators:install` put the emulators. */
  readonly installDir?: string;
  /** The JVM's maximum heap; default `320m`, which a test broker does not outgrow. */
  readonly maxHeap?: string;
  readonly logger?: Logger;
}

/** A single-node KRaft broker serving on 127.0.0.1. */
export interface RunningKafkaBroker {
  /** `127.0.0.1:<port>`, for a client's bootstrap list. */
  readonly bootstrap: string;
  readonly port: number;
  readonly pid: number;
  /** Milliseconds from formatting the storage to the first accepted connection. */
  readonly startupMs: number;
  /** Stops the broker (SIGTERM, then SIGKILL) and deletes its log directory. */
  stop(): Promise<void>;
}

const PORT_ATTEMPTS = 3;

function javaExecutable(): string {
  const home = process.env.JAVA_HOME;
  if (home !== undefined && home !== '' && existsSync(join(home, 'bin', 'java')))
    return join(home, 'bin', 'java');
  return 'java';
}

function jvmArgs(maxHeap: string): string[] {
  // A small heap, one GC thread and the client compiler: the broker of a test run handles little
  // data, and the machines running the tests are small and shared.
  return [
    `-Xmx${maxHeap}`,
    '-Xms64m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
  ];
}

function acceptsConnection(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => done(true));
  });
}

async function waitUntilAccepting(
  child: SupervisedProcess,
  port: number,
  deadline: number,
): Promise<'ready' | 'exited' | 'timeout'> {
  while (Date.now() < deadline) {
    if (child.hasExited()) return 'exited';
    if (await acceptsConnection(port)) return child.hasExited() ? 'exited' : 'ready';
    await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, 100))]);
  }
  return 'timeout';
}

/**
 * Formats a fresh log directory and starts Apache Kafka (broker and controller in one JVM) on
 * free ports of 127.0.0.1, under the testkit's watchdog, so it ends with the test run even if
 * jest is killed. Resolves once the broker accepts connections; clients retry until its
 * metadata is ready.
 *
 * @example
 * const kafka = await startKafkaBroker();
 * try {
 *   // new Producer({ bootstrapBrokers: [kafka.bootstrap], ... })
 * } finally {
 *   await kafka.stop();
 * }
 * @throws EmulatorNotInstalledError when `pnpm run emulators:install` has not installed Kafka.
 * @throws EmulatorStartError, with the broker's last output, when it exits or does not start in time.
 */
export async function startKafkaBroker(options: StartKafkaOptions = {}): Promise<RunningKafkaBroker> {
  const logger = options.logger ?? noopLogger;
  const lib = kafkaLibDir(options.installDir ?? emulatorsDir());
  const classPath = join(lib, '*');
  const java = javaExecutable();
  const maxHeap = options.maxHeap ?? '320m';
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  for (let attempt = 1; ; attempt += 1) {
    const dir = await mkdtemp(join(tmpdir(), 'statebackend-kafka-'));
    const port = await freePort();
    const controllerPort = await freePort();
    const config = join(dir, 'server.properties');
    await writeFile(config, brokerProperties({ port, controllerPort, logDir: join(dir, 'data') }));
    const started = Date.now();
    const format = spawnSync(
      java,
      [
        '-Xmx128m',
        '-cp',
        classPath,
        'kafka.tools.StorageTool',
        'format',
        '--standalone',
        '-t',
        randomUUID(),
        '-c',
        config,
      ],
      { encoding: 'utf8' },
    );
    if (format.status !== 0) {
      await rm(dir, { recursive: true, force: true });
      const output = `${format.stdout ?? ''}\n${format.stderr ?? ''}`.trim().split('\n').slice(-20);
      throw new EmulatorStartError(
        'kafka',
        `Formatting Kafka's storage failed (exit ${format.status})`,
        output,
        {
          cause: format.error,
        },
      );
    }
    const args = [...jvmArgs(maxHeap), '-cp', classPath, 'kafka.Kafka', config];
    const child = await spawnSupervised(java, args);
    const outcome = await waitUntilAccepting(child, port, started + timeoutMs);
    if (outcome === 'ready') {
      const startupMs = Date.now() - started;
      logger.info(`started kafka ${KAFKA_VERSION} on 127.0.0.1:${port}`, { pid: child.pid, startupMs });
      return {
        bootstrap: `127.0.0.1:${port}`,
        port,
        pid: child.pid,
        startupMs,
        stop: async () => {
          await child.stop();
          await rm(dir, { recursive: true, force: true });
          logger.debug('stopped kafka', { pid: child.pid });
        },
      };
    }
    await child.stop();
    await rm(dir, { recursive: true, force: true });
    const output = child.output.snapshot();
    const taken = output.some((line) => /address already in use|BindException/i.test(line));
    if (outcome === 'exited' && taken && attempt < PORT_ATTEMPTS) {
      logger.warn(`kafka: port ${port} or ${controllerPort} was taken before it bound it; trying others`);
      continue;
    }
    const what =
      outcome === 'exited'
        ? 'kafka exited before it accepted connections'
        : `kafka did not accept connections on 127.0.0.1:${port} within ${timeoutMs} ms; it was stopped`;
    throw new EmulatorStartError('kafka', `${what}. Command: ${java} ${args.join(' ')}`, output);
  }
}
