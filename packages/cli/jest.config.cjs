const preset = require('../../jest.preset.cjs');
const { withEmulators } = require('../testkit/jest/config.cjs');

// Unit tests start nothing; test/integration runs the built command (dist/) as a child process,
// against local directories and against moto server for S3, started once per jest run.
module.exports = withEmulators(preset, { emulators: ['moto'] });
