import { AwsClientManager, Configuration, ConfigurationError } from '@statebackend/aws-base';
import { StateBackendRegistry } from '@statebackend/aws-base/spi';
import { registerS3StateBackend, S3StateBackend, s3BackendOptionsFrom } from '../../src/index.js';

const AWS = { 'aws.region': 'eu-west-1' };

async function createError(entries: Record<string, unknown>): Promise<ConfigurationError> {
  const registry = registerS3StateBackend(new StateBackendRegistry());
  const clients = new AwsClientManager(Configuration.fromObject(AWS));
  const error = await registry
    .create(Configuration.fromObject(entries), { clients })
    .catch((e: unknown) => e);
  expect(clients.createdCount).toBe(0);
  clients.close();
  expect(error).toBeInstanceOf(ConfigurationError);
  return error as ConfigurationError;
}

describe('S3StateBackendFactory', () => {
  it('registers the s3 type', () => {
    expect(registerS3StateBackend(new StateBackendRegistry()).knownTypes()).toContain('s3');
  });

  it('requires a bucket, before any AWS client exists', async () => {
    const error = await createError({ ...AWS, 'state.backend.type': 's3' });

    expect(error.keys).toEqual(['state.backend.s3.bucket']);
    expect(error.message).toContain('(missing)');
  });

  it('reports every bad key at once, with a suggestion for a misspelt one', async () => {
    const error = await createError({
      'state.backend.type': 'S3',
      'state.backend.s3.buckt': 'state',
      'state.backend.s3.bucket': 'Not A Bucket',
      'state.backend.s3.upload.part-size': 1024,
      'state.backend.s3.encryption': 'rot13',
      'state.backend.s3.compression': 'gzip',
      'state.backend.s3.entropy.key': '_entropy_',
      'state.backend.s3.prefix': 'no-marker',
    });

    expect(error.keys.sort()).toEqual(
      [
        'aws.region',
        'state.backend.s3.bucket',
        'state.backend.s3.buckt',
        'state.backend.s3.compression',
        'state.backend.s3.encryption',
        'state.backend.s3.prefix',
        'state.backend.s3.upload.part-size',
      ].sort(),
    );
    expect(error.issues.find((i) => i.key === 'state.backend.s3.buckt')?.suggestion).toBe(
      'state.backend.s3.bucket',
    );
  });

  it('refuses a KMS key id without SSE-KMS', async () => {
    const error = await createError({
      ...AWS,
      'state.backend.type': 's3',
      'state.backend.s3.bucket': 'state',
      'state.backend.s3.encryption.kms-key-id': 'alias/state',
    });

    expect(error.keys).toEqual(['state.backend.s3.encryption']);
  });

  it('creates an S3StateBackend from valid configuration without calling AWS', async () => {
    const registry = registerS3StateBackend(new StateBackendRegistry());
    const backend = await registry.create(
      Configuration.fromObject({ ...AWS, 'state.backend.type': 's3', 'state.backend.s3.bucket': 'state' }),
    );

    expect(backend).toBeInstanceOf(S3StateBackend);
    expect((backend as S3StateBackend).clients.createdCount).toBe(0);
    await backend.close();
  });

  it('reads every option into the backend options', () => {
    const options = s3BackendOptionsFrom(
      Configuration.fromYaml(`
state.backend.s3.bucket: state
state.backend.s3.prefix: flink/_entropy_/ckpt
state.backend.s3.entropy.key: _entropy_
state.backend.s3.entropy.length: 6
state.backend.s3.encryption: SSE-KMS
state.backend.s3.encryption.kms-key-id: alias/state
state.backend.s3.expected-bucket-owner: "111122223333"
state.backend.s3.retained-checkpoints: 3
state.backend.s3.incremental: false
state.backend.s3.upload.part-size: 16777216
state.backend.s3.upload.concurrency: 8
state.backend.s3.force-path-style: true
state.backend.s3.compression: NONE
`),
    );

    expect(options).toMatchObject({
      location: {
        bucket: 'state',
        prefix: 'flink/_entropy_/ckpt',
        entropyMarker: '_entropy_',
        entropyLength: 6,
        encryption: { type: 'SSE-KMS', kmsKeyId: 'alias/state' },
        expectedBucketOwner: '111122223333',
        partSize: 16 * 1024 * 1024,
        uploadConcurrency: 8,
      },
      clientConfig: { forcePathStyle: true },
      retainedCheckpoints: 3,
      incremental: false,
      compression: 'none',
    });
    expect(
      s3BackendOptionsFrom(Configuration.fromObject({ 'state.backend.s3.bucket': 'state' })).compression,
    ).toBe('zstd');
  });
});
