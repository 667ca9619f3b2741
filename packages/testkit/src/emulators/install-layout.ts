import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EmulatorNotInstalledError } from '../errors.js';

/** Overrides where the emulators are installed; `scripts/install-emulators.mjs` honours it too. */
export const EMULATORS_DIR_ENV = 'STATEBACKEND_EMULATORS_DIR';

/** The version of moto server that `scripts/install-emulators.mjs` installs. */
export const MOTO_VERSION = '5.2.5';
/** The version of ministack that `scripts/install-emulators.mjs` installs. */
export const MINISTACK_VERSION = '1.5.33';

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

/** The `ministack` executable inside its own Python venv. */
export function ministackPath(dir: string = emulatorsDir()): string {
  return requireInstalled(
    `ministack ${MINISTACK_VERSION}`,
    join(dir, 'ministack', 'venv', 'bin', 'ministack'),
  );
}
