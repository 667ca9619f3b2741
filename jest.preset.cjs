// Shared jest settings: tests are TypeScript compiled by SWC to CommonJS, and workspace
// packages resolve to their sources so that a test never runs against a stale build.
const path = require('node:path');

const packagesDir = path.join(__dirname, 'packages');
const workspace = {
  '@statebackend/aws-base': 'statebackend-aws-base',
  '@statebackend/aws-dynamodb': 'statebackend-aws-dynamodb',
  '@statebackend/aws-s3': 'statebackend-aws-s3',
  '@statebackend/metrics-cloudwatch': 'metrics-cloudwatch',
  '@statebackend/testkit': 'testkit',
  '@statebackend/cli': 'cli',
  '@statebackend/kafka': 'kafka',
};

// Each entry point of a package's `exports` (`.` and subpaths such as `@statebackend/aws-base/spi`)
// maps to the source its `dist/<name>.js` is built from.
const moduleNameMapper = { '^(\\.{1,2}/.*)\\.js$': '$1' };
for (const [name, dir] of Object.entries(workspace)) {
  const { exports = {} } = require(path.join(packagesDir, dir, 'package.json'));
  for (const [subpath, target] of Object.entries(exports)) {
    const built = typeof target === 'string' ? target : target.default;
    const match = /^\.\/dist\/(.+)\.js$/.exec(built ?? '');
    if (match === null) continue;
    const specifier = `${name}${subpath.slice(1)}`.replace('/', '\\/');
    moduleNameMapper[`^${specifier}$`] = path.join(packagesDir, dir, 'src', `${match[1]}.ts`);
  }
}

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testTimeout: 60_000,
};
