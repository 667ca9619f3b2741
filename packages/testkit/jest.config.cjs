const preset = require('../../jest.preset.cjs');
const { withEmulators } = require('./jest/config.cjs');

module.exports = withEmulators(preset, { emulators: ['moto', 'ministack'] });
