// The global setup named by withKafkaBroker() (kafka-config.cjs); see workspace-sources.cjs.
const { withWorkspaceSources } = require('./workspace-sources.cjs');

module.exports = async function kafkaGlobalSetup(_globalConfig, projectConfig) {
  await withWorkspaceSources(projectConfig.moduleNameMapper, async () => {
    const { kafkaGlobalSetup: setup } = require('../src/kafka/kafka-global-setup.ts');
    await setup();
  });
};
