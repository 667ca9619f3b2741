// The global teardown named by withKafkaBroker() (kafka-config.cjs); see workspace-sources.cjs.
const { withWorkspaceSources } = require('./workspace-sources.cjs');

module.exports = async function kafkaGlobalTeardown(_globalConfig, projectConfig) {
  await withWorkspaceSources(projectConfig.moduleNameMapper, async () => {
    const { kafkaGlobalTeardown: teardown } = require('../src/kafka/kafka-global-setup.ts');
    const { globalTeardown: awsTeardown } = require('../src/jest/global-teardown.ts');
    // The AWS teardown stops only what the setup started (nothing without emulators).
    await Promise.all([teardown(), awsTeardown()]);
  });
};
