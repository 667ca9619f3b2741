// The global setup named by withKafkaBroker() (kafka-config.cjs); see workspace-sources.cjs.
const { withWorkspaceSources } = require('./workspace-sources.cjs');

// With emulators in the project's options (withKafkaBroker(base, { emulators })), it starts the
// AWS test targets as well, beside the broker.
module.exports = async function kafkaGlobalSetup(globalConfig, projectConfig) {
  await withWorkspaceSources(projectConfig.moduleNameMapper, async () => {
    const { kafkaGlobalSetup: setup } = require('../src/kafka/kafka-global-setup.ts');
    const steps = [setup()];
    if (projectConfig.testEnvironmentOptions?.statebackendEmulators !== undefined) {
      const { globalSetup: awsSetup } = require('../src/jest/global-setup.ts');
      steps.push(awsSetup(globalConfig, projectConfig));
    }
    await Promise.all(steps);
  });
};
