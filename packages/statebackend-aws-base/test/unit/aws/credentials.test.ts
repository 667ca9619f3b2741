import { inspect } from 'node:util';
import { buildAwsClientConfig } from '../../../src/aws/client-config.js';
import {
  type AwsCredentialsProvider,
  awsCredentialProviders,
  type CredentialProvidersModule,
  resolveCredentials,
  staticCredentials,
} from '../../../src/aws/credentials.js';
import { Configuration } from '../../../src/config/configuration.js';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/state-writer';
const SOURCE_ROLE_ARN = 'arn:aws:iam::210987654321:role/hop';
const SECRET_VALUE = 'wJalrXUtnFEMI/K7MDENG/CREDENTIALS-DISTINCTIVE-3141';

/** A fake credential-providers module: each function returns a distinct, named provider. */
function fakeProviders() {
  const made = (name: string): AwsCredentialsProvider =>
    Object.assign(async () => ({ accessKeyId: name, secretAccessKey: 'fake' }), { fake: name });
  const module = {
    fromEnv: jest.fn(() => made('fromEnv')),
    fromIni: jest.fn(() => made('fromIni')),
    fromNodeProviderChain: jest.fn(() => made('fromNodeProviderChain')),
    fromTemporaryCredentials: jest.fn(() => made('fromTemporaryCredentials')),
    fromTokenFile: jest.fn(() => made('fromTokenFile')),
  } satisfies CredentialProvidersModule;
  const calledOnly = (name: keyof typeof module) => {
    for (const [other, fn] of Object.entries(module)) {
      expect([other, fn.mock.calls.length > 0]).toEqual([other, other === name]);
    }
  };
  return { module, calledOnly };
}

function resolve(values: Record<string, unknown>, module: CredentialProvidersModule) {
  return resolveCredentials(Configuration.fromObject({ 'aws.region': 'eu-west-1', ...values }), {
    region: 'eu-west-1',
    credentialProviders: module,
  });
}

describe('credentials providers', () => {
  it('BASIC → a static credentials object, no provider function', async () => {
    const { module } = fakeProviders();
    const credentials = resolve(
      {
        'aws.credentials.provider': 'BASIC',
        'aws.credentials.provider.basic.accesskeyid': 'AKIAIOSFODNN7EXAMPLE',
        'aws.credentials.provider.basic.secretkey': SECRET_VALUE,
        'aws.credentials.provider.basic.sessiontoken': 'session-token-value',
      },
      module,
    );
    expect(credentials).toEqual({
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: SECRET_VALUE,
      sessionToken: 'session-token-value',
    });
    for (const fn of Object.values(module)) expect(fn).not.toHaveBeenCalled();
    // The object the SDK reads does not print its secrets.
    expect(JSON.stringify(credentials)).not.toContain(SECRET_VALUE);
    expect(inspect(credentials)).not.toContain(SECRET_VALUE);
    expect(String(credentials)).not.toContain(SECRET_VALUE);
    expect(JSON.stringify(credentials)).not.toContain('session-token-value');
  });

  it('BASIC without a session token leaves it out', () => {
    const { module } = fakeProviders();
    const credentials = resolve(
      {
        'aws.credentials.provider': 'BASIC',
        'aws.credentials.provider.basic.accesskeyid': 'AKIAIOSFODNN7EXAMPLE',
        'aws.credentials.provider.basic.secretkey': SECRET_VALUE,
      },
      module,
    );
    expect(Object.keys(credentials)).toEqual(['accessKeyId', 'secretAccessKey']);
  });

  it('ENV → fromEnv()', () => {
    const { module, calledOnly } = fakeProviders();
    const credentials = resolve({ 'aws.credentials.provider': 'ENV' }, module);
    calledOnly('fromEnv');
    expect(module.fromEnv).toHaveBeenCalledWith();
    expect(credentials).toBe(module.fromEnv.mock.results[0]?.value);
  });

  it('PROFILE → fromIni({ profile, filepath, configFilepath, clientConfig })', () => {
    const { module, calledOnly } = fakeProviders();
    const credentials = resolve(
      {
        'aws.credentials.provider': 'PROFILE',
        'aws.credentials.provider.profile.name': 'ops',
        'aws.credentials.provider.profile.path': '/etc/aws/credentials',
        'aws.credentials.provider.profile.config-path': '/etc/aws/config',
      },
      module,
    );
    calledOnly('fromIni');
    expect(module.fromIni).toHaveBeenCalledWith({
      profile: 'ops',
      filepath: '/etc/aws/credentials',
      configFilepath: '/etc/aws/config',
      clientConfig: { region: 'eu-west-1' },
    });
    expect(credentials).toBe(module.fromIni.mock.results[0]?.value);
  });

  it('PROFILE without settings → fromIni with only the STS region (the SDK picks the profile)', () => {
    const { module } = fakeProviders();
    resolve({ 'aws.credentials.provider': 'PROFILE' }, module);
    expect(module.fromIni).toHaveBeenCalledWith({ clientConfig: { region: 'eu-west-1' } });
  });

  it('DEFAULT (also when unset) → fromNodeProviderChain()', () => {
    const { module, calledOnly } = fakeProviders();
    const credentials = resolve({}, module);
    calledOnly('fromNodeProviderChain');
    expect(module.fromNodeProviderChain).toHaveBeenCalledWith();
    expect(credentials).toBe(module.fromNodeProviderChain.mock.results[0]?.value);
    resolve({ 'aws.credentials.provider': 'DEFAULT' }, module);
    expect(module.fromNodeProviderChain).toHaveBeenCalledTimes(2);
  });

  it('ASSUME_ROLE → fromTemporaryCredentials({ params, masterCredentials, clientConfig })', () => {
    const { module } = fakeProviders();
    const credentials = resolve(
      {
        'aws.credentials.provider': 'ASSUME_ROLE',
        'aws.credentials.provider.role.arn': ROLE_ARN,
        'aws.credentials.provider.role.sessionName': 'checkpointing',
        'aws.credentials.provider.role.externalId': 'ext-123',
        'aws.credentials.provider.role.stsEndpoint': 'https://sts.eu-west-1.amazonaws.com',
      },
      module,
    );
    expect(module.fromTemporaryCredentials).toHaveBeenCalledTimes(1);
    expect(module.fromTemporaryCredentials).toHaveBeenCalledWith({
      params: { RoleArn: ROLE_ARN, RoleSessionName: 'checkpointing', ExternalId: 'ext-123' },
      // role.provider defaults to DEFAULT: the source credentials come from the default chain.
      masterCredentials: module.fromNodeProviderChain.mock.results[0]?.value,
      clientConfig: { region: 'eu-west-1', endpoint: 'https://sts.eu-west-1.amazonaws.com' },
    });
    expect(credentials).toBe(module.fromTemporaryCredentials.mock.results[0]?.value);
  });

  it('ASSUME_ROLE with BASIC source credentials and a generated session name', () => {
    const { module } = fakeProviders();
    resolve(
      {
        'aws.credentials.provider': 'ASSUME_ROLE',
        'aws.credentials.provider.role.arn': ROLE_ARN,
        'aws.credentials.provider.role.provider': 'BASIC',
        'aws.credentials.provider.role.provider.basic.accesskeyid': 'AKIASOURCE',
        'aws.credentials.provider.role.provider.basic.secretkey': SECRET_VALUE,
      },
      module,
    );
    expect(module.fromTemporaryCredentials).toHaveBeenCalledWith({
      params: { RoleArn: ROLE_ARN, RoleSessionName: expect.stringMatching(/^statebackend-aws-\d+$/) },
      masterCredentials: { accessKeyId: 'AKIASOURCE', secretAccessKey: SECRET_VALUE },
      clientConfig: { region: 'eu-west-1' },
    });
    expect(module.fromNodeProviderChain).not.toHaveBeenCalled();
  });

  it('ASSUME_ROLE chained through another ASSUME_ROLE', () => {
    const { module } = fakeProviders();
    resolve(
      {
        'aws.credentials.provider': 'ASSUME_ROLE',
        'aws.credentials.provider.role.arn': ROLE_ARN,
        'aws.credentials.provider.role.provider': 'ASSUME_ROLE',
        'aws.credentials.provider.role.provider.role.arn': SOURCE_ROLE_ARN,
        'aws.credentials.provider.role.provider.role.provider': 'ENV',
      },
      module,
    );
    const [inner, outer] = module.fromTemporaryCredentials.mock.calls.map((call) => (call as unknown[])[0]);
    expect(inner).toMatchObject({
      params: { RoleArn: SOURCE_ROLE_ARN },
      masterCredentials: module.fromEnv.mock.results[0]?.value,
    });
    expect(outer).toMatchObject({
      params: { RoleArn: ROLE_ARN },
      masterCredentials: module.fromTemporaryCredentials.mock.results[0]?.value,
    });
  });

  it('WEB_IDENTITY → fromTokenFile({ roleArn, roleSessionName, webIdentityTokenFile, clientConfig })', () => {
    const { module, calledOnly } = fakeProviders();
    const credentials = resolve(
      {
        'aws.credentials.provider': 'WEB_IDENTITY',
        'aws.credentials.provider.role.arn': ROLE_ARN,
        'aws.credentials.provider.role.sessionName': 'k8s-pod',
        'aws.credentials.provider.webIdentityToken.file':
          '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
      },
      module,
    );
    calledOnly('fromTokenFile');
    expect(module.fromTokenFile).toHaveBeenCalledWith({
      roleArn: ROLE_ARN,
      roleSessionName: 'k8s-pod',
      webIdentityTokenFile: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
      clientConfig: { region: 'eu-west-1' },
    });
    expect(credentials).toBe(module.fromTokenFile.mock.results[0]?.value);
  });

  it('is what buildAwsClientConfig puts in the client config, unless credentials are given', () => {
    const { module } = fakeProviders();
    const configuration = Configuration.fromObject({
      'aws.region': 'eu-west-1',
      'aws.credentials.provider': 'ENV',
    });
    const config = buildAwsClientConfig(configuration, { credentialProviders: module });
    expect(config.credentials).toBe(module.fromEnv.mock.results[0]?.value);
    config.requestHandler.destroy();
    const own = staticCredentials({ accessKeyId: 'AKIAOWN', secretAccessKey: 'own' });
    const withOwn = buildAwsClientConfig(configuration, { credentialProviders: module, credentials: own });
    expect(withOwn.credentials).toBe(own);
    expect(module.fromEnv).toHaveBeenCalledTimes(1);
    withOwn.requestHandler.destroy();
  });

  it('uses the real @aws-sdk/credential-providers by default', () => {
    expect(typeof awsCredentialProviders.fromTemporaryCredentials).toBe('function');
    const provider = resolveCredentials(Configuration.fromObject({ 'aws.credentials.provider': 'ENV' }), {
      region: 'eu-west-1',
    });
    expect(typeof provider).toBe('function');
  });
});
