// `pnpm run test:chaos`: the multi-process chaos test alone, with its own broker.
const preset = require('../../jest.preset.cjs');
const { withKafkaBroker } = require('../testkit/jest/kafka-config.cjs');

module.exports = withKafkaBroker(
  {
    ...preset,
    transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/)?(@platformatic\\+|@platformatic/|scule))'],
  },
  { integrationDir: 'test/chaos' },
);
