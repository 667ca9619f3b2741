import * as base from '../../../src/index.js';

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
