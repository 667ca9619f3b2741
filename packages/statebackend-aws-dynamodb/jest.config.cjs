const preset = require('../../jest.preset.cjs');

module.exports = { ...preset, roots: ['<rootDir>/test'] };
