import { type Logger, noopLogger } from '@statebackend/aws-base';
import { EmulatorStartError } from '../errors.js';
import type { AwsService } from '../targets/test-target.js';
import { EMULATORS, type EmulatorName } from './emulator-definitions.js';
import { freePort } from './free-port.js';
import { answersHttp } from './http-probe.js';
import { emulatorsDir } from './install-layout.js';
import { type SupervisedProcess, spawnSupervised } from './supervised-process.js';

/** Options of {@link startEmulator}. */
export interface StartEmulatorOptions {
  /** The port to serve on; by default a free one, with a retry if another process takes it first. */
  readonly port?: number;
  /** How long the emulator may take to answer HTTP before it is stopped and the start fails. */
  readonly startTimeoutMs?: number;
  /** Where `pnpm run emulators:install` put the emulators; see {@link emulatorsDir}. */
  readonly installDir?: string;
  readonly logger?: Logger;
}

/** An emulator process serving on 127.0.0.1. */
export interface RunningEmulator {
  readonly name: EmulatorName;
  readonly services: readonly AwsService[];
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** The pid of the emulator process. */
  readonly pid: number;
  /** The pid of the watchdog that ends the emulator when this process dies. */
  readonly supervisorPid: number;
  /** Milliseconds from spawning the process to its first HTTP answer. */
  readonly startupMs: number;
  /** Lets this process exit while the emulator runs; the watchdog then ends the emulator. */
  unref(): void;
  /** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
  stop(): Promise<void>;
}

const DEFAULT_START_TIMEOUT_MS = 60_000;
const PORT_ATTEMPTS = 3;

type Outcome = 'ready' | 'exited' | 'timeout';

async function waitUntilAnswering(
  child: SupervisedProcess,
  endpoint: string,
  deadline: number,
): Promise<Outcome> {
  while (Date.now() < deadline) {
    if (child.hasExited()) return 'exited';
    if (await answersHttp(endpoint, Math.min(1_000, Math.max(1, deadline - Date.now())))) {
      // A port taken by someone else can answer too; our process must still be alive.
      return child.hasExited() ? 'exited' : 'ready';
    }
    await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, 100))]);
  }
  return 'timeout';
}

function portWasTaken(output: readonly string[]): boolean {
  return output.some((line) =>
    /address already in use|port \d+ is in use|already in use|BindException|failed to bind/i.test(line),
  );
}

/**
 * Starts an emulator on 127.0.0.1 under a watchdog and resolves once it answers HTTP.
 *
 * @example
 * const moto = await startEmulator('moto');
 * try {
 *   // new S3Client({ endpoint: moto.endpoint, ... })
 * } finally {
 *   await moto.stop();
 * }
 * @throws EmulatorNotInstalledError when `pnpm run emulators:install` has not run.
 * @throws EmulatorStartError, with the process's last output, when it exits or does not answer in time.
 */
export async function startEmulator(
  name: EmulatorName,
  options: StartEmulatorOptions = {},
): Promise<RunningEmulator> {
  const definition = EMULATORS[name];
  const logger = options.logger ?? noopLogger;
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const installDir = options.installDir ?? emulatorsDir();
  for (let attempt = 1; ; attempt += 1) {
    const port = options.port ?? (await freePort());
    const { command, args, env } = definition.commandLine(port, installDir);
    const endpoint = `http://127.0.0.1:${port}`;
    const started = Date.now();
    const child = await spawnSupervised(command, args, { env: { ...process.env, ...env } });
    const outcome = await waitUntilAnswering(child, endpoint, started + timeoutMs);
    if (outcome === 'ready') {
      const startupMs = Date.now() - started;
      logger.info(`started ${name} on ${endpoint}`, {
        pid: child.pid,
        supervisorPid: child.supervisorPid,
        startupMs,
      });
      return {
        name,
        services: definition.services,
        endpoint,
        port,
        pid: child.pid,
        supervisorPid: child.supervisorPid,
        startupMs,
        unref: () => child.unref(),
        stop: async () => {
          await child.stop();
          logger.debug(`stopped ${name}`, { pid: child.pid });
        },
      };
    }
    await child.stop();
    const output = child.output.snapshot();
    if (
      outcome === 'exited' &&
      options.port === undefined &&
      attempt < PORT_ATTEMPTS &&
      portWasTaken(output)
    ) {
      logger.warn(`${name}: port ${port} was taken before it bound it; trying another`);
      continue;
    }
    const what =
      outcome === 'exited'
        ? `${name} exited before it answered HTTP on ${endpoint}`
        : `${name} did not answer HTTP on ${endpoint} within ${timeoutMs} ms; it was stopped`;
    throw new EmulatorStartError(name, `${what}. Command: ${command} ${args.join(' ')}`, output);
  }
}
