import { AwsConfigOptions, buildAwsClientConfig } from '@statebackend/aws-base';
import {
  encodeTargets,
  type TargetDescription,
  TEST_TARGETS_ENV,
  TestTargetError,
  targetsOffering,
  testTargets,
} from '../../src/index.js';

const local: TargetDescription[] = [
  {
    name: 'moto',
    services: ['s3', 'cloudwatch', 'dynamodb'],
    endpoint: 'http://127.0.0.1:40001',
    region: 'us-east-1',
  },
  { name: 'ministack', services: ['dynamodb'], endpoint: 'http://127.0.0.1:40002', region: 'us-east-1' },
];
const env = (targets: readonly TargetDescription[]) => ({ [TEST_TARGETS_ENV]: encodeTargets(targets) });

describe('testTargets', () => {
  it('returns the targets the global setup handed over, in order', () => {
    const targets = testTargets(env(local));
    expect(targets.map((t) => [t.name, t.endpoint])).toEqual([
      ['moto', 'http://127.0.0.1:40001'],
      ['ministack', 'http://127.0.0.1:40002'],
    ]);
    expect(targets[1]?.offers('dynamodb')).toBe(true);
    expect(targets[1]?.offers('s3')).toBe(false);
  });

  it('filters the targets that offer a service', () => {
    expect(targetsOffering('dynamodb', env(local)).map((t) => t.name)).toEqual(['moto', 'ministack']);
    expect(targetsOffering('s3', env(local)).map((t) => t.name)).toEqual(['moto']);
  });

  it('builds an emulator configuration the aws-base client config accepts: endpoint, region, dummy keys', async () => {
    const [moto] = testTargets(env(local));
    const configuration = moto?.configuration({ 'aws.client.max-attempts': '2' });
    if (configuration === undefined) throw new Error('no target');
    const clientConfig = buildAwsClientConfig(configuration);
    expect(clientConfig).toMatchObject({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:40001',
      maxAttempts: 2,
    });
    const credentials =
      typeof clientConfig.credentials === 'function'
        ? await clientConfig.credentials()
        : clientConfig.credentials;
    expect(credentials).toMatchObject({ accessKeyId: 'test', secretAccessKey: 'test' });
    clientConfig.requestHandler.destroy();
    expect(moto?.s3ForcePathStyle).toBe(true);
  });

  it('addresses a real account by region only, with the default credentials chain', () => {
    const [aws] = testTargets(
      env([{ name: 'aws', services: ['s3', 'dynamodb', 'cloudwatch'], region: 'eu-west-1' }]),
    );
    const configuration = aws?.configuration();
    expect(configuration?.get(AwsConfigOptions.REGION)).toBe('eu-west-1');
    expect(configuration?.getString('aws.endpoint')).toBeUndefined();
    expect(configuration?.getString('aws.credentials.provider')).toBe('DEFAULT');
    expect(aws?.s3ForcePathStyle).toBe(false);
  });

  it('says how to wire the global setup when no targets were handed over', () => {
    expect(() => testTargets({})).toThrow(TestTargetError);
    expect(() => testTargets({})).toThrow(/STATEBACKEND_TEST_TARGETS is not set.*withEmulators/s);
  });

  it('rejects a malformed hand-over rather than guessing', () => {
    expect(() => testTargets({ [TEST_TARGETS_ENV]: '{' })).toThrow('not valid JSON');
    expect(() =>
      testTargets({ [TEST_TARGETS_ENV]: '[{"name":"minio","services":[],"region":"x"}]' }),
    ).toThrow(`${TEST_TARGETS_ENV}[0].name is minio`);
    expect(() =>
      testTargets({ [TEST_TARGETS_ENV]: '[{"name":"moto","services":["sqs"],"region":"x"}]' }),
    ).toThrow('unknown service sqs');
  });
});
