// Jest wiring for packages whose integration tests need AWS emulators:
//
//   // packages/<pkg>/jest.config.cjs
//   const preset = require('../../jest.preset.cjs');
//   const { withEmulators } = require('../testkit/jest/config.cjs');
//   module.exports = withEmulators(preset, { emulators: ['moto', 'ministack'] });
//
// The result has two jest projects. `unit` holds every test outside test/integration and starts
// nothing. `integration` holds test/integration and carries the testkit's global setup and
// teardown. Jest runs a project's global setup only when that project has selected tests, so
// `jest test/unit` (the `test:unit` script) starts no emulator, and `jest` or
// `jest test/integration` starts them once for the whole run.
//
// Which targets actually run is chosen by AWS_TEST_TARGET at run time (see the README): the
// `emulators` list applies to the default `local` target.
const path = require('node:path');

const EMULATORS = ['moto', 'ministack'];

/**
 * @param {Record<string, unknown>} base a jest config such as the repository's jest.preset.cjs
 * @param {{ emulators: string[], integrationDir?: string }} options which emulators the
 *   integration tests need under AWS_TEST_TARGET=local, and where those tests live
 *   (default `test/integration`, relative to the package)
 */
function withEmulators(base, options) {
  const emulators = options?.emulators;
  if (!Array.isArray(emulators) || emulators.length === 0 || emulators.some((e) => !EMULATORS.includes(e))) {
    throw new Error(
      `withEmulators: options.emulators must be a non-empty list out of ${EMULATORS.join(', ')}; ` +
        `received ${JSON.stringify(emulators)}`,
    );
  }
  return splitProjects(base, options.integrationDir, {
    globalSetup: path.join(__dirname, 'global-setup.cjs'),
    globalTeardown: path.join(__dirname, 'global-teardown.cjs'),
    testEnvironmentOptions: { ...base.testEnvironmentOptions, statebackendEmulators: emulators },
  });
}

/**
 * The two jest projects every wiring here returns: `unit` (everything under test/ outside the
 * integration folder, starts nothing) and `integration` (that folder, with `integration`'s own
 * settings such as a global setup).
 *
 * @param {Record<string, unknown>} base a jest config such as the repository's jest.preset.cjs
 * @param {string | undefined} integrationDir relative to the package; default `test/integration`
 * @param {Record<string, unknown>} integration settings of the integration project only
 */
function splitProjects(base, integrationDir = 'test/integration', integration) {
  const dir = integrationDir.replace(/^\/+|\/+$/g, '');
  const { testTimeout, roots: _roots, ...project } = base;
  return {
    testTimeout,
    projects: [
      {
        ...project,
        displayName: 'unit',
        roots: ['<rootDir>/test'],
        testPathIgnorePatterns: ['/node_modules/', `/${dir}/`],
      },
      { ...project, displayName: 'integration', roots: [`<rootDir>/${dir}`], ...integration },
    ],
  };
}

module.exports = { withEmulators, splitProjects };
