import { TestkitError } from '../errors.js';
import type { AwsService } from '../targets/test-target.js';
import { ministackPath, motoServerPath } from './install-layout.js';

/** An emulator the testkit can run as a local process. */
export type EmulatorName = 'moto' | 'ministack';

/** The command line of an emulator, and the environment it adds to this process's. */
export interface EmulatorCommandLine {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** How one emulator is run. */
export interface EmulatorDefinition {
  readonly name: EmulatorName;
  /** The AWS services the integration tests use it for. */
  readonly services: readonly AwsService[];
  /** The command line that serves on `port`, from the emulators installed under `installDir`. */
  commandLine(port: number, installDir: string): EmulatorCommandLine;
}

const moto: EmulatorDefinition = {
  name: 'moto',
  services: ['s3', 'cloudwatch', 'dynamodb'],
  commandLine: (port, installDir) => ({
    command: motoServerPath(installDir),
    args: ['-H', '127.0.0.1', '-p', String(port)],
  }),
};

// ministack is configured only through its environment. BIND_HOST keeps it on loopback (its
// default is every interface); SERVICES narrows it to what the tests use, which also makes it
// start faster; S3 objects stay in memory unless S3_PERSIST=1, which is never set here.
const ministack: EmulatorDefinition = {
  name: 'ministack',
  services: ['s3', 'cloudwatch', 'dynamodb'],
  commandLine: (port, installDir) => ({
    command: ministackPath(installDir),
    args: [],
    env: {
      GATEWAY_PORT: String(port),
      BIND_HOST: '127.0.0.1',
      SERVICES: 's3,dynamodb,cloudwatch',
      S3_PERSIST: '0',
      LOG_LEVEL: 'WARNING',
    },
  }),
};

/** The names of every emulator the testkit knows. */
export const EMULATOR_NAMES: readonly EmulatorName[] = ['moto', 'ministack'];

/** Every emulator the testkit knows, by name. */
export const EMULATORS: Readonly<Record<EmulatorName, EmulatorDefinition>> = {
  moto,
  ministack,
};

/**
 * Checks a list of emulator names, e.g. from a jest config, and removes duplicates.
 *
 * @throws TestkitError naming the unknown entry and the known ones.
 */
export function parseEmulatorNames(value: unknown, where: string): EmulatorName[] {
  const known = EMULATOR_NAMES.join(', ');
  if (!Array.isArray(value) || value.length === 0) {
    throw new TestkitError(
      `${where} must be a non-empty list of emulators out of ${known}; received ${JSON.stringify(value)}.`,
    );
  }
  const names: EmulatorName[] = [];
  for (const item of value) {
    const name = EMULATOR_NAMES.find((n) => n === item);
    if (name === undefined) {
      throw new TestkitError(`${where} lists unknown emulator ${JSON.stringify(item)}; known: ${known}.`);
    }
    if (!names.includes(name)) names.push(name);
  }
  return names;
}
