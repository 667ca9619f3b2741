import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { CloudWatchClient, type CloudWatchClientConfig } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import { buildAwsClientConfig, DEFAULT_USER_AGENT } from '../../../src/aws/client-config.js';
import { Configuration } from '../../../src/config/configuration.js';
import { ConfigurationError } from '../../../src/errors.js';

const BASIC = {
  'aws.credentials.provider': 'BASIC',
  'aws.credentials.provider.basic.accesskeyid': 'AKIAIOSFODNN7EXAMPLE',
  'aws.credentials.provider.basic.secretkey': 'client-config-secret',
};

interface ResolvedHandlerConfig extends NodeHttpHandlerOptions {
  httpAgentProvider(): Promise<HttpAgent>;
}

/**
 * The settings a NodeHttpHandler resolved, with its agents (it resolves them asynchronously and
 * makes the http agent on first use, so read them from its internals).
 */
async function handlerOptions(
  handler: NodeHttpHandler,
): Promise<NodeHttpHandlerOptions & { httpAgent: HttpAgent; httpsAgent: HttpsAgent }> {
  const resolved = await (handler as unknown as { configProvider: Promise<ResolvedHandlerConfig> })
    .configProvider;
  return {
    ...resolved,
    httpAgent: await resolved.httpAgentProvider(),
    httpsAgent: resolved.httpsAgent as HttpsAgent,
  };
}

describe('buildAwsClientConfig', () => {
  it('builds region, credentials, endpoint, retries, user agent and an HTTP handler', async () => {
    const configuration = Configuration.fromObject({
      aws: {
        region: 'eu-west-1',
        endpoint: 'http://localhost:4566',
        client: {
          'max-attempts': 5,
          'retry-mode': 'adaptive',
          'connection-timeout': '2 s',
          'request-timeout': '45 s',
          'max-sockets': 64,
        },
      },
      ...BASIC,
    });
    const config = buildAwsClientConfig(configuration, {
      userAgentSuffix: 'statebackend-aws-dynamodb/0.1.0',
    });
    try {
      expect(config).toMatchObject({
        region: 'eu-west-1',
        endpoint: 'http://localhost:4566',
        maxAttempts: 5,
        retryMode: 'adaptive',
        customUserAgent: 'statebackend-aws-dynamodb/0.1.0',
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'client-config-secret' },
      });
      expect(config.requestHandler).toBeInstanceOf(NodeHttpHandler);
      const options = await handlerOptions(config.requestHandler);
      expect(options).toMatchObject({
        connectionTimeout: 2000,
        requestTimeout: 45_000,
        throwOnRequestTimeout: true,
      });
      expect(options.httpAgent).toBeInstanceOf(HttpAgent);
      expect(options.httpsAgent).toBeInstanceOf(HttpsAgent);
      const https = options.httpsAgent as HttpsAgent & {
        keepAlive: boolean;
        options: { rejectUnauthorized: boolean };
      };
      const http = options.httpAgent as HttpAgent & { keepAlive: boolean };
      expect([http.keepAlive, http.maxSockets]).toEqual([true, 64]);
      expect([https.keepAlive, https.maxSockets, https.options.rejectUnauthorized]).toEqual([true, 64, true]);
    } finally {
      config.requestHandler.destroy();
    }
  });

  it('uses defaults: no endpoint, 3 standard attempts, 50 sockets, no request limit, the base user agent', async () => {
    const config = buildAwsClientConfig(Configuration.fromObject({ 'aws.region': 'us-east-1', ...BASIC }));
    try {
      expect(config).not.toHaveProperty('endpoint');
      expect(config).toMatchObject({
        maxAttempts: 3,
        retryMode: 'standard',
        customUserAgent: DEFAULT_USER_AGENT,
      });
      const options = await handlerOptions(config.requestHandler);
      expect(options.connectionTimeout).toBe(10_000);
      expect(options.requestTimeout).toBeUndefined();
      expect((options.httpsAgent as HttpsAgent).maxSockets).toBe(50);
    } finally {
      config.requestHandler.destroy();
    }
  });

  it('trusts all certificates only when told to', async () => {
    const config = buildAwsClientConfig(
      Configuration.fromObject({ 'aws.region': 'us-east-1', 'aws.trust.all.certificates': true, ...BASIC }),
    );
    const agent = (await handlerOptions(config.requestHandler)).httpsAgent as HttpsAgent & {
      options: { rejectUnauthorized: boolean };
    };
    expect(agent.options.rejectUnauthorized).toBe(false);
    config.requestHandler.destroy();
  });

  it('validates before building: a bad configuration is a ConfigurationError, no handler is made', () => {
    expect(() => buildAwsClientConfig(Configuration.fromObject({ 'aws.endpoint': 'nope' }))).toThrow(
      ConfigurationError,
    );
  });

  it('fits DynamoDBClient, S3Client and CloudWatchClient, which read it back', async () => {
    const configuration = Configuration.fromObject({
      'aws.region': 'eu-central-1',
      'aws.endpoint': 'http://127.0.0.1:8000',
      'aws.client.max-attempts': 4,
      ...BASIC,
    });
    // Compile-time: the built config is assignable to each client's config type.
    const dynamoConfig: DynamoDBClientConfig = buildAwsClientConfig(configuration, {
      userAgentSuffix: 'ua-test/1.0',
    });
    const s3Config: S3ClientConfig = { ...buildAwsClientConfig(configuration), forcePathStyle: true };
    const cloudWatchConfig: CloudWatchClientConfig = buildAwsClientConfig(configuration);
    const clients = [
      new DynamoDBClient(dynamoConfig),
      new S3Client(s3Config),
      new CloudWatchClient(cloudWatchConfig),
    ];
    try {
      for (const client of clients) {
        expect(await client.config.region()).toBe('eu-central-1');
        expect(await client.config.maxAttempts()).toBe(4);
        const credentials = await client.config.credentials();
        expect(credentials.accessKeyId).toBe('AKIAIOSFODNN7EXAMPLE');
      }
      const dynamo = clients[0] as DynamoDBClient;
      expect(dynamo.config.customUserAgent).toEqual([['ua-test/1.0']]);
      const endpoint = await dynamo.config.endpoint?.();
      expect(endpoint).toMatchObject({ hostname: '127.0.0.1', port: 8000, protocol: 'http:' });
    } finally {
      for (const client of clients) client.destroy();
    }
  });
});
