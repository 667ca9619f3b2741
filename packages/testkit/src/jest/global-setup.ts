import { parseEmulatorNames } from '../emulators/emulator-definitions.js';
import { loggerFromEnv } from '../logging/stderr-logger.js';
import { startTargets } from '../targets/start-targets.js';
import { encodeTargets, TEST_TARGETS_ENV } from '../targets/target-env.js';
import { targetKindFromEnv } from '../targets/target-kind.js';
import { getRunningTargets, setRunningTargets } from './run-state.js';

/** The part of jest's ProjectConfig the setup reads. */
export interface JestProjectConfigLike {
  readonly displayName?: unknown;
  readonly testEnvironmentOptions?: Readonly<Record<string, unknown>>;
}

/** Where `withEmulators()` (jest/config.cjs) puts the list of emulators in the project config. */
export const EMULATORS_OPTION = 'statebackendEmulators';

/**
 * Jest global setup: starts the targets `AWS_TEST_TARGET` asks for, once per jest run, and hands
 * them to the test workers through {@link TEST_TARGETS_ENV}. Packages do not reference this
 * file directly but `withEmulators()` from `jest/config.cjs`, whose setup module calls it.
 */
export async function globalSetup(
  _globalConfig: unknown,
  projectConfig: JestProjectConfigLike,
): Promise<void> {
  if (getRunningTargets() !== undefined) return;
  const logger = loggerFromEnv();
  const kind = targetKindFromEnv();
  const emulators = parseEmulatorNames(
    projectConfig.testEnvironmentOptions?.[EMULATORS_OPTION],
    `testEnvironmentOptions.${EMULATORS_OPTION} of the jest project`,
  );
  const started = Date.now();
  const running = await startTargets(kind, { emulators, logger });
  setRunningTargets(running);
  process.env[TEST_TARGETS_ENV] = encodeTargets(running.targets);
  logger.info(`test targets ready for AWS_TEST_TARGET=${kind}`, {
    targets: running.targets.map((t) => t.name),
    ms: Date.now() - started,
  });
}
