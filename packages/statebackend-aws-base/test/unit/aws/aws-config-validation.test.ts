import { AwsConfigOptions, CREDENTIALS_PROVIDERS } from '../../../src/aws/aws-config-options.js';
import { buildAwsClientConfig, validateAwsConfiguration } from '../../../src/aws/client-config.js';
import { Configuration } from '../../../src/config/configuration.js';
import { ConfigurationError } from '../../../src/errors.js';

const SECRET_VALUE = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY-DISTINCTIVE-7781';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/state-writer';

function problems(
  values: Record<string, unknown>,
  settings?: Parameters<typeof validateAwsConfiguration>[1],
) {
  try {
    validateAwsConfiguration(Configuration.fromObject(values), settings);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('AWS configuration validation', () => {
  it('accepts a minimal and a full configuration', () => {
    expect(() =>
      validateAwsConfiguration(Configuration.fromObject({ 'aws.region': 'eu-west-1' })),
    ).not.toThrow();
    expect(() =>
      validateAwsConfiguration(
        Configuration.fromObject({
          aws: {
            region: 'us-gov-west-1',
            endpoint: 'https://dynamodb.example.com:8443/',
            'trust.all.certificates': false,
            client: {
              'max-attempts': 5,
              'retry-mode': 'ADAPTIVE',
              'connection-timeout': '2 s',
              'request-timeout': '30s',
              'max-sockets': 128,
            },
          },
          'aws.credentials.provider': 'ASSUME_ROLE',
          'aws.credentials.provider.role.arn': ROLE_ARN,
          'aws.credentials.provider.role.sessionName': 'checkpointing',
          'aws.credentials.provider.role.externalId': 'ext-123',
          'aws.credentials.provider.role.stsEndpoint': 'https://sts.eu-west-1.amazonaws.com',
          'aws.credentials.provider.role.provider': 'PROFILE',
          'aws.credentials.provider.role.provider.profile.name': 'ops',
        }),
      ),
    ).not.toThrow();
  });

  it('rejects a missing region where a client is built, with a typed error naming the key', () => {
    const error = (() => {
      try {
        buildAwsClientConfig(Configuration.fromObject({}));
      } catch (e) {
        return e as ConfigurationError;
      }
      throw new Error('expected a ConfigurationError');
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.keys).toEqual(['aws.region']);
    expect(error.issues[0]?.received).toBe('(missing)');
    expect(error.message).toContain('required to build an AWS client');
    // Validation alone may leave the region out.
    expect(() => validateAwsConfiguration(new Configuration(), { requireRegion: false })).not.toThrow();
  });

  it('rejects a malformed region', () => {
    expect(problems({ 'aws.region': 'EU West 1' }).keys).toEqual(['aws.region']);
  });

  it('rejects an unknown provider name and names the accepted ones', () => {
    const error = problems({ 'aws.region': 'eu-west-1', 'aws.credentials.provider': 'KERBEROS' });
    expect(error.keys).toEqual(['aws.credentials.provider']);
    expect(error.issues[0]).toMatchObject({
      received: "'KERBEROS'",
      expected: `one of ${CREDENTIALS_PROVIDERS.join(', ')}`,
    });
    expect(error.message).toContain('one of BASIC, ENV, PROFILE, DEFAULT, ASSUME_ROLE, WEB_IDENTITY');
  });

  it("accepts the Java connector's provider names", () => {
    for (const [java, ours] of [
      ['ENV_VAR', 'ENV'],
      ['AUTO', 'DEFAULT'],
      ['WEB_IDENTITY_TOKEN', 'WEB_IDENTITY'],
      ['basic', 'BASIC'],
    ] as const) {
      expect(
        Configuration.fromObject({ 'aws.credentials.provider': java }).get(
          AwsConfigOptions.CREDENTIALS_PROVIDER,
        ),
      ).toBe(ours);
    }
  });

  it('requires both keys for BASIC', () => {
    const error = problems({ 'aws.region': 'eu-west-1', 'aws.credentials.provider': 'BASIC' });
    expect(error.keys).toEqual([
      'aws.credentials.provider.basic.accesskeyid',
      'aws.credentials.provider.basic.secretkey',
    ]);
    expect(error.message).toContain('required when aws.credentials.provider is BASIC');
    const oneKey = problems({
      'aws.region': 'eu-west-1',
      'aws.credentials.provider': 'BASIC',
      'aws.credentials.provider.basic.accesskeyid': 'AKIAIOSFODNN7EXAMPLE',
    });
    expect(oneKey.keys).toEqual(['aws.credentials.provider.basic.secretkey']);
  });

  it('requires the role ARN for ASSUME_ROLE, and checks the source provider the same way', () => {
    const error = problems({
      'aws.region': 'eu-west-1',
      'aws.credentials.provider': 'ASSUME_ROLE',
      'aws.credentials.provider.role.provider': 'BASIC',
    });
    expect(error.keys).toEqual([
      'aws.credentials.provider.role.arn',
      'aws.credentials.provider.role.provider.basic.accesskeyid',
      'aws.credentials.provider.role.provider.basic.secretkey',
    ]);
  });

  it('rejects a malformed role ARN, session name and STS endpoint', () => {
    const error = problems({
      'aws.region': 'eu-west-1',
      'aws.credentials.provider': 'ASSUME_ROLE',
      'aws.credentials.provider.role.arn': 'state-writer',
      'aws.credentials.provider.role.sessionName': 'has spaces',
      'aws.credentials.provider.role.stsEndpoint': 'sts.amazonaws.com',
    });
    expect(error.keys).toEqual([
      'aws.credentials.provider.role.arn',
      'aws.credentials.provider.role.sessionName',
      'aws.credentials.provider.role.stsEndpoint',
    ]);
  });

  it('requires the role ARN and the token file for WEB_IDENTITY, each on its own key', () => {
    const error = problems({ 'aws.region': 'eu-west-1', 'aws.credentials.provider': 'WEB_IDENTITY' });
    expect(error.keys).toEqual([
      'aws.credentials.provider.role.arn',
      'aws.credentials.provider.webIdentityToken.file',
    ]);
    expect(AwsConfigOptions.WEB_IDENTITY_TOKEN_FILE.key).not.toBe(AwsConfigOptions.ROLE_ARN.key);
    const keys = AwsConfigOptions.all().map((option) => option.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('follows an assume-role chain and bounds its length', () => {
    const chained = {
      'aws.region': 'eu-west-1',
      'aws.credentials.provider': 'ASSUME_ROLE',
      'aws.credentials.provider.role.arn': ROLE_ARN,
      'aws.credentials.provider.role.provider': 'ASSUME_ROLE',
      'aws.credentials.provider.role.provider.role.arn': ROLE_ARN,
      'aws.credentials.provider.role.provider.role.provider': 'BASIC',
      'aws.credentials.provider.role.provider.role.provider.basic.accesskeyid': 'AKIAIOSFODNN7EXAMPLE',
    };
    expect(problems(chained).keys).toEqual([
      'aws.credentials.provider.role.provider.role.provider.basic.secretkey',
    ]);
    const tooLong: Record<string, string> = { 'aws.region': 'eu-west-1' };
    let prefix = 'aws.credentials.provider';
    for (let i = 0; i < 4; i++) {
      tooLong[prefix] = 'ASSUME_ROLE';
      tooLong[`${prefix}.role.arn`] = ROLE_ARN;
      prefix = `${prefix}.role.provider`;
    }
    expect(problems(tooLong).issues.map((i) => i.expected)).toContainEqual(
      expect.stringContaining('a provider other than ASSUME_ROLE'),
    );
  });

  it.each([
    ['localhost:4566'],
    ['ftp://example.com'],
    ['/relative/path'],
    ['http://'],
    ['https://user:pw@example.com'],
  ])('rejects the malformed endpoint %p', (endpoint) => {
    const error = problems({ 'aws.region': 'eu-west-1', 'aws.endpoint': endpoint });
    expect(error.keys).toEqual(['aws.endpoint']);
    expect(error.issues[0]?.expected).toContain('an absolute http(s) URL');
  });

  it('masks a password inside an endpoint URL in errors and output', () => {
    const values = {
      'aws.region': 'eu-west-1',
      'aws.endpoint': 'https://admin:Pw-DISTINCTIVE-55@example.com',
    };
    const error = problems(values);
    expect(error.issues[0]?.received).toBe("'https://admin:******@example.com'");
    expect(String(Configuration.fromObject(values))).not.toContain('Pw-DISTINCTIVE-55');
  });

  it.each([
    ['aws.client.max-attempts', -1, 'an integer >= 1'],
    ['aws.client.max-attempts', 0, 'an integer >= 1'],
    ['aws.client.max-attempts', 'three', 'an integer >= 1'],
    ['aws.client.max-sockets', 0, 'an integer >= 1'],
    ['aws.client.retry-mode', 'legacy', 'one of standard, adaptive'],
    ['aws.client.connection-timeout', '0 s', 'at least 1 ms'],
    ['aws.client.request-timeout', 'forever', 'a duration'],
    ['aws.trust.all.certificates', 'maybe', 'true or false'],
  ])('rejects %s = %p', (key, value, expected) => {
    const error = problems({ 'aws.region': 'eu-west-1', [key]: value });
    expect(error.keys).toEqual([key]);
    expect(error.issues[0]?.received).toBe(`'${value}'`);
    expect(error.issues[0]?.expected).toContain(expected);
  });

  it('rejects an unknown key with a near-miss suggestion', () => {
    const error = problems({ 'aws.region': 'eu-west-1', 'aws.regoin': 'eu-west-1' });
    expect(error.keys).toEqual(['aws.regoin']);
    expect(error.issues[0]?.suggestion).toBe('aws.region');
    expect(error.message).toContain(
      "aws.regoin: received 'eu-west-1'; expected a known key. Did you mean 'aws.region'?",
    );
    const camel = problems({ 'aws.region': 'eu-west-1', 'aws.credentials.provider.role.sessionname': 'x' });
    expect(camel.issues[0]?.suggestion).toBe('aws.credentials.provider.role.sessionName');
  });

  it('leaves keys outside aws.* to their components unless told otherwise', () => {
    const configuration = { 'aws.region': 'eu-west-1', 'state.backend.dynamodb.table': 'state' };
    expect(() => validateAwsConfiguration(Configuration.fromObject(configuration))).not.toThrow();
    expect(
      problems(configuration, { scopePrefixes: ['aws.', 'state.backend.dynamodb.'] }).issues[0]?.key,
    ).toBe('state.backend.dynamodb.table');
    expect(() =>
      validateAwsConfiguration(Configuration.fromObject({ ...configuration, 'aws.dynamodb.table': 't' }), {
        knownPrefixes: ['aws.dynamodb'],
      }),
    ).not.toThrow();
  });

  it('reads the Java HTTP client keys as deprecated keys, and names the ones that do not apply', () => {
    const configuration = Configuration.fromObject({
      'aws.region': 'eu-west-1',
      'aws.http-client.max-concurrency': 16,
      'http-client.connection-timeout-ms': 2500,
    });
    expect(() => validateAwsConfiguration(configuration)).not.toThrow();
    expect(configuration.get(AwsConfigOptions.MAX_SOCKETS)).toBe(16);
    expect(configuration.get(AwsConfigOptions.CONNECTION_TIMEOUT)).toBe(2500);
    const error = problems({
      'aws.region': 'eu-west-1',
      'aws.http.protocol.version': 'HTTP2',
      'aws.credentials.provider.custom.class': 'com.example.Provider',
      'aws.http-client.read-timeout': 1000,
    });
    expect(error.keys).toEqual([
      'aws.credentials.provider.custom.class',
      'aws.http.protocol.version',
      'aws.http-client.read-timeout',
    ]);
    expect(error.message).toContain('use aws.client.request-timeout');
  });

  it('validates a component`s own options and rules in the same pass', () => {
    const error = problems(
      { 'aws.client.max-attempts': 0, 'state.backend.x.tabel': 't' },
      {
        scopePrefixes: ['aws.', 'state.backend.x.'],
        rules: [
          (context) =>
            context.report({ key: 'state.backend.x.table', expected: 'a table name', received: '(missing)' }),
        ],
      },
    );
    expect(error.keys).toEqual([
      'aws.client.max-attempts',
      'aws.region',
      'state.backend.x.table',
      'state.backend.x.tabel',
    ]);
  });

  it('reports every problem of one configuration at once', () => {
    const error = problems({
      'aws.credentials.provider': 'BASIC',
      'aws.credentials.provider.basic.secretkey': SECRET_VALUE,
      'aws.endpoint': 'localhost:4566',
      'aws.client.max-attempts': -3,
      'aws.client.retry-mode': 'sometimes',
      'aws.regoin': 'eu-west-1',
    });
    expect(error.keys).toEqual([
      'aws.endpoint',
      'aws.client.max-attempts',
      'aws.client.retry-mode',
      'aws.region',
      'aws.credentials.provider.basic.accesskeyid',
      'aws.regoin',
    ]);
    expect(error.message).toContain('Invalid configuration (6 problems)');
    expect(error.message).not.toContain(SECRET_VALUE);
  });

  it('never shows a secret in a validation error', () => {
    const error = problems({
      'aws.region': 'eu-west-1',
      'aws.credentials.provider': 'BASIC',
      'aws.credentials.provider.basic.accesskeyid': 'AKIAIOSFODNN7EXAMPLE',
      'aws.credentials.provider.basic.secretkey': SECRET_VALUE,
      'aws.credentials.provider.basic.sessiontokn': SECRET_VALUE, // typo of a secret key
      'aws.credentials.provider.basic.secretkye': SECRET_VALUE, // typo of a secret key
      'aws.some.password': SECRET_VALUE, // unknown, looks secret
    });
    expect(error.keys).toEqual([
      'aws.credentials.provider.basic.sessiontokn',
      'aws.credentials.provider.basic.secretkye',
      'aws.some.password',
    ]);
    expect(error.message).not.toContain(SECRET_VALUE);
    expect(JSON.stringify(error)).not.toContain(SECRET_VALUE);
    expect(String(error.stack)).not.toContain(SECRET_VALUE);
    for (const issue of error.issues) expect(issue.received).toBe('******');
  });
});
