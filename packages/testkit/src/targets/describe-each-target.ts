import { TestTargetError } from '../errors.js';
import { jestGlobals } from '../jest/jest-globals.js';
import type { AwsService } from './test-target.js';
import { type TestTarget, testTargets } from './test-targets.js';

/**
 * Declares `body` once per test target that answers for `service`, each inside a `describe`
 * named after the target, so that every test name says where it ran (`moto › ...`,
 * `ministack › ...`).
 *
 * @example
 * describeEachTarget('dynamodb', (target) => {
 *   const clients = new AwsClientManager(target.configuration());
 *   afterAll(() => clients.close());
 *   it('round-trips an item', async () => { ... });
 * });
 * @throws TestTargetError when no target of this run answers for `service`, rather than letting
 * a suite pass having run nothing.
 */
export function describeEachTarget(service: AwsService, body: (target: TestTarget) => void): void {
  const { describe } = jestGlobals('describeEachTarget');
  const all = testTargets();
  const targets = all.filter((target) => target.offers(service));
  if (targets.length === 0) {
    const names = all.map((t) => `${t.name} (${t.services.join(', ')})`).join(', ');
    throw new TestTargetError(
      `No test target of this run answers for ${service}; running: ${names}. Add an emulator that offers ` +
        `${service} to withEmulators() in this package's jest.config.cjs.`,
    );
  }
  for (const target of targets) describe(target.name, () => body(target));
}
