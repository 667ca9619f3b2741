const preset = require('../../jest.preset.cjs');
const { withKafkaBroker } = require('../testkit/jest/kafka-config.cjs');

// Unit tests start nothing; test/integration runs against one Apache Kafka broker (KRaft, single
// node) started by the testkit for the run, or the one STATEBACKEND_KAFKA_BOOTSTRAP names, and
// moto server (S3 checkpoints and DynamoDB state under the worker).
// @platformatic/kafka is ESM only, and tests run as CommonJS: SWC compiles it like the sources.
// test/chaos (the multi-process kill -9 test) is not part of `pnpm test`: it still finds
// handover failures in some runs (see the README). `pnpm run test:chaos` runs it.
const config = withKafkaBroker(
  {
    ...preset,
    transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/)?(@platformatic\\+|@platformatic/|scule))'],
  },
  { emulators: ['moto'] },
);
for (const project of config.projects) {
  project.testPathIgnorePatterns = [
    ...(project.testPathIgnorePatterns ?? ['/node_modules/']),
    '/test/chaos/',
  ];
}
module.exports = config;
