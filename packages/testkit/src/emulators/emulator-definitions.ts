import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TestkitError } from '../errors.js';
import type { AwsService } from '../targets/test-target.js';
import { dynamoDbLocalLibDir, motoServerPath } from './install-layout.js';

/** An emulator the testkit can run as a local process. */
export type EmulatorName = 'moto' | 'dynamodb-local';

/** How one emulator is run. */
export interface EmulatorDefinition {
  readonly name: EmulatorName;
  /** The AWS services the integration tests use it for. */
  readonly services: readonly AwsService[];
  /** The command line that serves on `port`, from the emulators installed under `installDir`. */
  commandLine(
    port: number,
    installDir: string,
  ): { readonly command: string; readonly args: readonly string[] };
}

function javaExecutable(env: NodeJS.ProcessEnv): string {
  const home = env.JAVA_HOME;
  if (home !== undefined && home !== '' && existsSync(join(home, 'bin', 'java')))
    return join(home, 'bin', 'java');
  return 'java';
}

const moto: EmulatorDefinition = {
  name: 'moto',
  services: ['s3', 'cloudwatch', 'dynamodb'],
  commandLine: (port, installDir) => ({
    command: motoServerPath(installDir),
    args: ['-H', '127.0.0.1', '-p', String(port)],
  }),
};

// DynamoDB Local has no option for the listen address: it binds every interface. Its 3.x jar
// carries sqlite4java's natives and loads them itself, so no -Djava.library.path is needed.
const dynamoDbLocal: EmulatorDefinition = {
  name: 'dynamodb-local',
  services: ['dynamodb'],
  commandLine: (port, installDir) => ({
    command: javaExecutable(process.env),
    args: [
      '-cp',
      join(dynamoDbLocalLibDir(installDir), '*'),
      'software.amazon.dynamodb.services.local.main.ServerRunner',
      '-inMemory',
      '-port',
      String(port),
      '-disableTelemetry',
    ],
  }),
};

/** The names of every emulator the testkit knows. */
export const EMULATOR_NAMES: readonly EmulatorName[] = ['moto', 'dynamodb-local'];

/** Every emulator the testkit knows, by name. */
export const EMULATORS: Readonly<Record<EmulatorName, EmulatorDefinition>> = {
  moto,
  'dynamodb-local': dynamoDbLocal,
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
