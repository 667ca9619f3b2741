import { TestTargetError } from '../errors.js';
import { ALL_SERVICES, type AwsService, type TargetDescription, type TargetName } from './test-target.js';

/**
 * The environment variable through which the jest global setup hands the running targets to the
 * test workers (workers inherit the environment of the jest process).
 */
export const TEST_TARGETS_ENV = 'STATEBACKEND_TEST_TARGETS';

const NAMES: readonly TargetName[] = ['moto', 'ministack', 'localstack', 'aws'];

/** Serializes target descriptions for {@link TEST_TARGETS_ENV}. */
export function encodeTargets(targets: readonly TargetDescription[]): string {
  return JSON.stringify(targets);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeOne(value: unknown, index: number): TargetDescription {
  const where = `${TEST_TARGETS_ENV}[${index}]`;
  if (!isRecord(value)) throw new TestTargetError(`${where} is not an object.`);
  const name = NAMES.find((n) => n === value.name);
  if (name === undefined)
    throw new TestTargetError(`${where}.name is ${String(value.name)}; expected one of ${NAMES.join(', ')}.`);
  const services: AwsService[] = [];
  for (const service of Array.isArray(value.services) ? value.services : []) {
    const known = ALL_SERVICES.find((s) => s === service);
    if (known === undefined)
      throw new TestTargetError(`${where}.services has unknown service ${String(service)}.`);
    services.push(known);
  }
  if (typeof value.region !== 'string' || value.region === '')
    throw new TestTargetError(`${where}.region is missing.`);
  if (value.endpoint !== undefined && typeof value.endpoint !== 'string') {
    throw new TestTargetError(`${where}.endpoint is not a string.`);
  }
  return value.endpoint === undefined
    ? { name, services, region: value.region }
    : { name, services, region: value.region, endpoint: value.endpoint };
}

/**
 * The targets the jest global setup started, read from {@link TEST_TARGETS_ENV}.
 *
 * @throws TestTargetError when the variable is missing (the jest project does not run the
 * testkit's global setup) or malformed.
 */
export function decodeTargets(env: NodeJS.ProcessEnv = process.env): TargetDescription[] {
  const raw = env[TEST_TARGETS_ENV];
  if (raw === undefined || raw === '') {
    throw new TestTargetError(
      `No test targets in this process: ${TEST_TARGETS_ENV} is not set. Integration tests need the testkit's ` +
        "jest global setup; wire it in jest.config.cjs with require('../testkit/jest/config.cjs').withEmulators(...).",
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new TestTargetError(`${TEST_TARGETS_ENV} is not valid JSON.`, { cause: error });
  }
  if (!Array.isArray(parsed)) throw new TestTargetError(`${TEST_TARGETS_ENV} is not a JSON array.`);
  return parsed.map(decodeOne);
}
