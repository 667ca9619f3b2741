// The global teardown named by withEmulators() (config.cjs); see workspace-sources.cjs.
const { withWorkspaceSources } = require('./workspace-sources.cjs');

module.exports = async function globalTeardown(globalConfig, projectConfig) {
  await withWorkspaceSources(projectConfig.moduleNameMapper, async () => {
    const { globalTeardown: teardown } = require('../src/jest/global-teardown.ts');
    await teardown(globalConfig, projectConfig);
  });
};
