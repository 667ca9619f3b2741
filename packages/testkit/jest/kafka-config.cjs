// Jest wiring for packages whose integration tests need an Apache Kafka broker:
//
//   // packages/<pkg>/jest.config.cjs
//   const preset = require('../../jest.preset.cjs');
//   const { withKafkaBroker } = require('../testkit/jest/kafka-config.cjs');
//   module.exports = withKafkaBroker(preset);
//
// Two jest projects, as with withEmulators(): `unit` (everything outside test/integration,
// starts nothing) and `integration`, whose global setup starts one single-node KRaft broker for
// the run and passes `127.0.0.1:<port>` to the tests in STATEBACKEND_KAFKA_BOOTSTRAP.
//
// With `emulators` (as withEmulators() takes them), the same global setup also starts the AWS
// test targets for the run, so integration tests can use a broker and S3 or DynamoDB together.
const path = require('node:path');
const { splitProjects, withEmulators } = require('./config.cjs');

/**
 * @param {Record<string, unknown>} base a jest config such as the repository's jest.preset.cjs
 * @param {{ integrationDir?: string, emulators?: string[] }} [options]
 */
function withKafkaBroker(base, options) {
  const withAws =
    options?.emulators === undefined
      ? undefined
      : withEmulators(base, { emulators: options.emulators, integrationDir: options.integrationDir });
  const environment = withAws?.projects[1]?.testEnvironmentOptions;
  return splitProjects(base, options?.integrationDir, {
    globalSetup: path.join(__dirname, 'kafka-global-setup.cjs'),
    globalTeardown: path.join(__dirname, 'kafka-global-teardown.cjs'),
    ...(environment === undefined ? {} : { testEnvironmentOptions: environment }),
  });
}

module.exports = { withKafkaBroker };
