const preset = require('../../jest.preset.cjs');
const { withKafkaBroker } = require('../testkit/jest/kafka-config.cjs');

// Unit tests start nothing; test/integration runs the built command (dist/) as a child process,
// against local directories and against moto server for S3, started once per jest run, and
// `run-example --source kafka://…` against one Apache Kafka broker the testkit starts beside it.
// @platformatic/kafka is ESM only, and tests run as CommonJS: SWC compiles it like the sources.
module.exports = withKafkaBroker(
  {
    ...preset,
    transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/)?(@platformatic\\+|@platformatic/|scule))'],
  },
  { emulators: ['moto'] },
);
