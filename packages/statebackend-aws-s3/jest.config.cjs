const preset = require('../../jest.preset.cjs');
const { withEmulators } = require('../testkit/jest/config.cjs');

// Unit tests start nothing; test/integration runs against moto server and ministack (or LocalStack / a real
// account, as AWS_TEST_TARGET says), started once per jest run.
module.exports = withEmulators(preset, { emulators: ['moto', 'ministack'] });
