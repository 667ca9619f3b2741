import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EmulatorNotInstalledError } from '../errors.js';

/** Overrides where the emulators are installed; `scripts/install-emulators.mjs` honours it too. */
export const EMULATORS_DIR_ENV = 'STATEBACKEND_EMULATORS_DIR';

/** The version of moto server that `scripts/install-emulators.mjs` installs. */
export const MOTO_VERSION = '5.2.5';
/** The version of DynamoDB Local that `scripts/install-emulators.mjs` installs. */
export const DYNAMODB_LOCAL_VERSION = '3.3.1';

/**
 * Where `pnpm run emulators:install` puts the emulators: `<repo>/.cache/emulators`. This file
 * sits four levels below the repository root both as source (`src/emulators/`) and when built
 * (`dist/emulators/`).
 */
export function emulatorsDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[EMULATORS_DIR_ENV];
  if (override !== undefined && override !== '') return resolve(override);
  return resolve(import.meta.dirname, '..', '..', '..', '..', '.cache', 'emulators');
}

function requireInstalled(what: string, path: string): string {
  if (!existsSync(path)) {
    throw new EmulatorNotInstalledError(
      `${what} is not installed (looked for ${path}). Run \`pnpm run emulators:install\` at the repository ` +
        'root, or choose another target with AWS_TEST_TARGET=localstack or aws.',
    );
  }
  return path;
}

/** The `moto_server` executable inside the emulators' Python venv. */
export function motoServerPath(dir: string = emulatorsDir()): string {
  return requireInstalled(`moto server ${MOTO_VERSION}`, join(dir, 'moto', 'venv', 'bin', 'moto_server'));
}

/** The folder of DynamoDB Local's jars, for a `java -cp '<folder>/*'` class path. */
export function dynamoDbLocalLibDir(dir: string = emulatorsDir()): string {
  const lib = join(dir, 'dynamodb-local', 'lib');
  requireInstalled(
    `DynamoDB Local ${DYNAMODB_LOCAL_VERSION}`,
    join(lib, `DynamoDBLocal-${DYNAMODB_LOCAL_VERSION}.jar`),
  );
  return lib;
}
