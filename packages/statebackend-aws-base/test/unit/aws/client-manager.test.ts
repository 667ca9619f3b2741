import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { AwsClientManager } from '../../../src/aws/client-manager.js';
import { Configuration } from '../../../src/config/configuration.js';
import { ClientManagerClosedError, ConfigurationError } from '../../../src/errors.js';
import type { Logger } from '../../../src/logging/logger.js';

const configuration = Configuration.fromObject({
  'aws.region': 'eu-west-1',
  'aws.endpoint': 'http://localhost:4566',
  'aws.client.max-attempts': 7,
  'aws.credentials.provider': 'BASIC',
  'aws.credentials.provider.basic.accesskeyid': 'AKIAIOSFODNN7EXAMPLE',
  'aws.credentials.provider.basic.secretkey': 'manager-secret',
});

const USER_AGENT = 'statebackend-aws-dynamodb/0.1.0';

describe('AwsClientManager', () => {
  let manager: AwsClientManager;
  beforeEach(() => {
    manager = new AwsClientManager(configuration, { userAgentSuffix: USER_AGENT });
  });
  afterEach(() => manager.close());

  it('creates a client whose config carries region, endpoint, user agent and max attempts', async () => {
    const client = manager.getOrCreate(DynamoDBClient);
    expect(client).toBeInstanceOf(DynamoDBClient);
    expect(await client.config.region()).toBe('eu-west-1');
    expect(await client.config.endpoint?.()).toMatchObject({
      hostname: 'localhost',
      port: 4566,
      protocol: 'http:',
    });
    expect(client.config.customUserAgent).toEqual([[USER_AGENT]]);
    expect(await client.config.maxAttempts()).toBe(7);
    expect((await client.config.credentials()).accessKeyId).toBe('AKIAIOSFODNN7EXAMPLE');
  });

  it('works with S3Client and CloudWatchClient, and lays clientConfig over the built config', async () => {
    const s3 = manager.getOrCreate(S3Client, { clientConfig: { forcePathStyle: true, maxAttempts: 2 } });
    const cloudWatch = manager.getOrCreate(CloudWatchClient);
    expect(s3).toBeInstanceOf(S3Client);
    expect(cloudWatch).toBeInstanceOf(CloudWatchClient);
    expect(s3.config.forcePathStyle).toBe(true);
    expect(await s3.config.maxAttempts()).toBe(2);
    expect(await s3.config.region()).toBe('eu-west-1');
    expect(cloudWatch.config.customUserAgent).toEqual([[USER_AGENT]]);
    expect(manager.createdCount).toBe(2);
  });

  it('caches created clients per constructor (and clientConfig object)', () => {
    const first = manager.getOrCreate(DynamoDBClient);
    expect(manager.getOrCreate(DynamoDBClient)).toBe(first);
    expect(manager.getOrCreate(S3Client)).not.toBe(first);
    const extra = { maxAttempts: 1 };
    const tuned = manager.getOrCreate(DynamoDBClient, { clientConfig: extra });
    expect(tuned).not.toBe(first);
    expect(manager.getOrCreate(DynamoDBClient, { clientConfig: extra })).toBe(tuned);
    expect(manager.createdCount).toBe(3);
  });

  it('destroys a created client on close', () => {
    const dynamo = manager.getOrCreate(DynamoDBClient);
    const s3 = manager.getOrCreate(S3Client);
    const destroyDynamo = jest.spyOn(dynamo, 'destroy');
    const destroyS3 = jest.spyOn(s3, 'destroy');
    manager.close();
    expect(destroyDynamo).toHaveBeenCalledTimes(1);
    expect(destroyS3).toHaveBeenCalledTimes(1);
    expect(manager.isClosed).toBe(true);
    expect(manager.createdCount).toBe(0);
    manager.close(); // idempotent
    expect(destroyDynamo).toHaveBeenCalledTimes(1);
  });

  it('returns a caller-provided client as is and never destroys it', () => {
    const own = new DynamoDBClient({ region: 'us-west-2' });
    const destroyOwn = jest.spyOn(own, 'destroy');
    try {
      expect(manager.getOrCreate(DynamoDBClient, { client: own })).toBe(own);
      const created = manager.getOrCreate(DynamoDBClient);
      expect(created).not.toBe(own);
      manager.close();
      expect(destroyOwn).not.toHaveBeenCalled();
      expect(manager.createdCount).toBe(0);
    } finally {
      destroyOwn.mockRestore();
      own.destroy();
    }
  });

  it('needs no AWS settings to hand back the caller`s client; building one without a region fails typed', () => {
    const bare = new AwsClientManager(new Configuration());
    const own = new S3Client({ region: 'us-west-2' });
    try {
      expect(bare.getOrCreate(S3Client, { client: own })).toBe(own);
      expect(() => bare.getOrCreate(S3Client)).toThrow(ConfigurationError);
      try {
        bare.getOrCreate(S3Client);
      } catch (error) {
        expect((error as ConfigurationError).keys).toEqual(['aws.region']);
      }
    } finally {
      bare.close();
      own.destroy();
    }
  });

  it('refuses to hand out clients after close', () => {
    manager.close();
    expect(() => manager.getOrCreate(DynamoDBClient)).toThrow(ClientManagerClosedError);
  });

  it('logs and skips a client whose destroy throws', () => {
    const warnings: string[] = [];
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: (m) => warnings.push(m),
      error: () => {},
    };
    const logged = new AwsClientManager(configuration, { logger });
    const dynamo = logged.getOrCreate(DynamoDBClient);
    const s3 = logged.getOrCreate(S3Client);
    jest.spyOn(dynamo, 'destroy').mockImplementation(() => {
      throw new Error('boom');
    });
    const destroyS3 = jest.spyOn(s3, 'destroy');
    logged.close();
    expect(destroyS3).toHaveBeenCalled();
    expect(warnings).toEqual(['Destroying DynamoDBClient failed']);
  });

  it('is generic over any client class with destroy()', () => {
    class FakeClient {
      destroyed = false;
      readonly config: { region?: string; custom?: number };

      constructor(config: { region?: string; custom?: number }) {
        this.config = config;
      }
      destroy(): void {
        this.destroyed = true;
      }
    }
    const fake = manager.getOrCreate(FakeClient, { clientConfig: { custom: 1 } });
    expect(fake.config).toMatchObject({ region: 'eu-west-1', custom: 1, customUserAgent: USER_AGENT });
    manager.close();
    expect(fake.destroyed).toBe(true);
  });

  it('expresses "client or clientConfig, never both" in the type', () => {
    const own = new DynamoDBClient({ region: 'us-west-2' });
    try {
      const both = () =>
        // @ts-expect-error: a client and a clientConfig together are rejected by the type.
        manager.getOrCreate(DynamoDBClient, { client: own, clientConfig: { maxAttempts: 1 } });
      expect(typeof both).toBe('function');
      // @ts-expect-error: the client must be an instance of the constructor's class.
      manager.getOrCreate(S3Client, { client: own });
      // @ts-expect-error: clientConfig is the constructor's config type.
      manager.getOrCreate(DynamoDBClient, { clientConfig: { maxAttempts: 'many' } });
    } finally {
      own.destroy();
    }
  });
});
