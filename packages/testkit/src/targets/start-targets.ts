import { type Logger, noopLogger } from '@statebackend/aws-base';
import { EMULATOR_NAMES, type EmulatorName } from '../emulators/emulator-definitions.js';
import { type RunningEmulator, startEmulator } from '../emulators/start-emulator.js';
import { TestTargetError } from '../errors.js';
import { startLocalStack } from '../localstack/start-localstack.js';
import type { TargetKind } from './target-kind.js';
import { ALL_SERVICES, type TargetDescription } from './test-target.js';

/** The region local emulators and LocalStack are addressed in; they accept any. */
export const LOCAL_REGION = 'us-east-1';

/** Options of {@link startTargets}. */
export interface StartTargetsOptions {
  /** The emulators to start for the `local` kind; both by default. */
  readonly emulators?: readonly EmulatorName[];
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
}

/** The targets of one test run and how to stop what was started for them. */
export interface RunningTargets {
  readonly kind: TargetKind;
  readonly targets: readonly TargetDescription[];
  /** Stops every process or container started; resolves when all are gone. */
  stop(): Promise<void>;
}

async function stopAll(emulators: readonly RunningEmulator[]): Promise<void> {
  const results = await Promise.allSettled(emulators.map((e) => e.stop()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

async function startLocal(emulators: readonly EmulatorName[], logger: Logger): Promise<RunningTargets> {
  const results = await Promise.allSettled(emulators.map((name) => startEmulator(name, { logger })));
  const running = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) {
    await stopAll(running);
    throw failed.reason;
  }
  // jest may exit without its teardown; the watchdogs then end the emulators.
  for (const emulator of running) emulator.unref();
  return {
    kind: 'local',
    targets: running.map((e) => ({
      name: e.name,
      services: e.services,
      endpoint: e.endpoint,
      region: LOCAL_REGION,
    })),
    stop: () => stopAll(running),
  };
}

function awsRegion(env: NodeJS.ProcessEnv): string {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (region === undefined || region === '') {
    throw new TestTargetError(
      'AWS_TEST_TARGET=aws needs AWS_REGION (or AWS_DEFAULT_REGION) and credentials the AWS SDK finds ' +
        '(environment, profile, SSO or instance role).',
    );
  }
  return region;
}

/**
 * Starts what the target kind needs: the local emulators (`local`), a LocalStack container
 * (`localstack`), or nothing (`aws`, a real account).
 *
 * @example
 * const run = await startTargets('local', { emulators: ['ministack'] });
 * try {
 *   console.log(run.targets[0]?.endpoint);
 * } finally {
 *   await run.stop();
 * }
 */
export async function startTargets(
  kind: TargetKind,
  options: StartTargetsOptions = {},
): Promise<RunningTargets> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? noopLogger;
  switch (kind) {
    case 'local':
      return startLocal(options.emulators ?? EMULATOR_NAMES, logger);
    case 'localstack': {
      const localstack = await startLocalStack({ env, logger });
      return {
        kind,
        targets: [
          { name: 'localstack', services: ALL_SERVICES, endpoint: localstack.endpoint, region: LOCAL_REGION },
        ],
        stop: () => localstack.stop(),
      };
    }
    case 'aws':
      return {
        kind,
        targets: [{ name: 'aws', services: ALL_SERVICES, region: awsRegion(env) }],
        stop: async () => {},
      };
  }
}
