import * as root from '../../../src/index.js';
import * as spi from '../../../src/spi.js';

// The public surface: the root entry point and `./spi` together.
const base = { ...root, ...spi };

describe('public surface of the config and aws areas', () => {
  it.each([
    'ConfigOption',
    'ConfigOptions',
    'ConfigTypes',
    'Configuration',
    'validateConfiguration',
    'findConfigurationIssues',
    'parseDuration',
    'AwsConfigOptions',
    'buildAwsClientConfig',
    'validateAwsConfiguration',
    'AwsClientManager',
    'resolveCredentials',
    'awsCredentialProviders',
    'ClientManagerClosedError',
  ])('exports %s', (name) => {
    expect(base).toHaveProperty(name);
  });
});
