import { loggerFromEnv } from '../logging/stderr-logger.js';
import { TEST_TARGETS_ENV } from '../targets/target-env.js';
import { getRunningTargets, setRunningTargets } from './run-state.js';

/** Jest global teardown: stops what {@link globalSetup} started and waits until it is gone. */
export async function globalTeardown(_globalConfig?: unknown, _projectConfig?: unknown): Promise<void> {
  const running = getRunningTargets();
  if (running === undefined) return;
  setRunningTargets(undefined);
  delete process.env[TEST_TARGETS_ENV];
  const started = Date.now();
  await running.stop();
  loggerFromEnv().info(`stopped the test targets of AWS_TEST_TARGET=${running.kind}`, {
    ms: Date.now() - started,
  });
}
