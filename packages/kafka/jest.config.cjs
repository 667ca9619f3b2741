const preset = require('../../jest.preset.cjs');
const { withKafkaBroker } = require('../testkit/jest/kafka-config.cjs');

// Unit tests start nothing; test/integration runs against one Apache Kafka broker (KRaft, single
// node) started by the testkit for the run, or the one STATEBACKEND_KAFKA_BOOTSTRAP names.
// @platformatic/kafka is ESM only, and tests run as CommonJS: SWC compiles it like the sources.
module.exports = withKafkaBroker({
  ...preset,
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/)?(@platformatic\\+|@platformatic/|scule))'],
});
