// The global setup named by withEmulators() (config.cjs); see workspace-sources.cjs for why it
// is a CommonJS file handing over to the TypeScript implementation.
const { withWorkspaceSources } = require('./workspace-sources.cjs');

module.exports = async function globalSetup(globalConfig, projectConfig) {
  await withWorkspaceSources(projectConfig.moduleNameMapper, async () => {
    const { globalSetup: setup } = require('../src/jest/global-setup.ts');
    await setup(globalConfig, projectConfig);
  });
};
