#!/usr/bin/env node
// Installs the AWS emulators that the integration tests start as local processes, two
// independent open-source servers for every service the project uses:
//   moto server (S3, CloudWatch, DynamoDB; Apache-2.0) in a Python venv, from PyPI;
//   ministack (S3, CloudWatch, DynamoDB; MIT) in a Python venv of its own, from PyPI.
// Everything lands in <repo>/.cache/emulators/ (gitignored), or in $STATEBACKEND_EMULATORS_DIR.
// A stamp file per emulator records the installed version, so a re-run with nothing to do takes
// well under a second. The stamp is written last: an interrupted install is redone next time.
//
// AWS_TEST_TARGET=localstack or aws needs no local emulator, so nothing is installed then.
// The layout and versions here are read by packages/testkit/src/emulators/install-layout.ts:
// keep both in step.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MOTO_VERSION = '5.2.5';
const MINISTACK_VERSION = '1.5.33';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = process.env.STATEBACKEND_EMULATORS_DIR || join(root, '.cache', 'emulators');

class InstallError extends Error {}

/** Runs a command to completion; throws with its output when it fails or is missing. */
function run(command, args, { cwd, what, missing } = {}) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error?.code === 'ENOENT') {
    throw new InstallError(`'${command}' was not found on PATH. ${missing ?? ''}`.trim());
  }
  if (result.error) throw result.error;
  if (result.status !== 0) {
    const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-25).join('\n');
    throw new InstallError(`${what ?? command} failed (exit ${result.status}):\n${output}`);
  }
  return `${result.stdout}${result.stderr}`;
}

function readStamp(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'stamp.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

function writeStamp(dir, version) {
  writeFileSync(
    join(dir, 'stamp.json'),
    `${JSON.stringify({ version, installedAt: new Date().toISOString() })}\n`,
  );
}

function requirePython() {
  const missing =
    'moto and ministack need Python 3.9 or newer with the venv module (Debian: apt-get install python3 python3-venv), ' +
    'or run the tests with AWS_TEST_TARGET=localstack or aws.';
  const version = run('python3', ['--version'], { missing }).trim();
  const match = /Python (\d+)\.(\d+)/.exec(version);
  if (!match || Number(match[1]) < 3 || (Number(match[1]) === 3 && Number(match[2]) < 9)) {
    throw new InstallError(`python3 is ${version}; ${missing}`);
  }
}

/**
 * Installs `requirement` into a venv of its own under `<cache>/<name>` unless the stamp says
 * `version` is there and `executable` exists. Each server gets its own venv: moto and ministack
 * pin different versions of shared dependencies.
 */
function installPythonServer(name, version, requirement, executable) {
  const dir = join(cacheDir, name);
  const server = join(dir, 'venv', 'bin', executable);
  if (readStamp(dir)?.version === version && existsSync(server)) return 'cached';
  requirePython();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  run('python3', ['-m', 'venv', join(dir, 'venv')], { what: 'python3 -m venv' });
  const python = join(dir, 'venv', 'bin', 'python');
  run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', requirement], {
    what: `pip install ${requirement}`,
  });
  if (!existsSync(server)) throw new InstallError(`pip installed ${requirement} but ${server} is missing`);
  writeStamp(dir, version);
  return 'installed';
}

function main() {
  const target = process.env.AWS_TEST_TARGET || 'local';
  if (target === 'localstack' || target === 'aws') {
    console.log(`emulators: AWS_TEST_TARGET=${target}, no local emulator to install`);
    return;
  }
  if (target !== 'local') {
    throw new InstallError(
      `AWS_TEST_TARGET is '${target}'; expected one of local (default), localstack, aws.`,
    );
  }
  const emulators = [
    ['moto', MOTO_VERSION, `moto[server]==${MOTO_VERSION}`, 'moto_server'],
    ['ministack', MINISTACK_VERSION, `ministack==${MINISTACK_VERSION}`, 'ministack'],
  ];
  for (const [name, version, requirement, executable] of emulators) {
    const dir = join(cacheDir, name);
    const started = Date.now();
    const outcome = installPythonServer(name, version, requirement, executable);
    const took = outcome === 'installed' ? ` in ${((Date.now() - started) / 1000).toFixed(1)} s` : '';
    console.log(`emulators: ${name} ${version} ${outcome}${took} (${dir})`);
  }
}

try {
  main();
} catch (error) {
  if (!(error instanceof InstallError)) throw error;
  console.error(`emulators: ${error.message}`);
  process.exitCode = 1;
}
