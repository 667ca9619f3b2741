import { S3Client } from '@aws-sdk/client-s3';
import { Serializers, ValueStateDescriptor } from '@statebackend/aws-base';
import { StateBackendRegistry } from '@statebackend/aws-base/spi';
import { cleanupAfterAll, describeEachTarget } from '@statebackend/testkit';
import { registerS3StateBackend, type S3StateBackend } from '../../src/index.js';
import { parameters } from '../support/s3-backend.js';
import { createBucket, s3ClientFor } from '../support/s3-bucket.js';

const counts = new ValueStateDescriptor('count', Serializers.int, 0);

describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  const s3 = s3ClientFor(target, cleanup);
  let bucket: string;

  beforeAll(async () => {
    bucket = await createBucket(s3, target, cleanup, 's3-factory');
  });

  it('creates a working backend from configuration, checkpoints, restores, and destroys the client it created', async () => {
    const registry = registerS3StateBackend(new StateBackendRegistry());
    const configuration = target.configuration({
      'state.backend.type': 's3',
      'state.backend.s3.bucket': bucket,
      'state.backend.s3.prefix': 'from-config',
      'state.backend.s3.force-path-style': String(target.s3ForcePathStyle),
      'state.backend.s3.encryption': 'SSE-S3',
    });
    const backend = (await registry.create(configuration)) as S3StateBackend;
    const writer = await backend.createKeyedStateBackend(parameters('configured'));
    await writer.withKey('k', (ctx) => ctx.getState(counts).update(5));
    await writer.snapshot(1);
    await writer.dispose();
    const reader = await backend.createKeyedStateBackend(parameters('configured'));

    expect(await reader.withKey('k', (ctx) => ctx.getState(counts).value())).toBe(5);
    expect(backend.storageFor('configured', 'op').location).toBe(`s3://${bucket}/from-config/configured/op`);
    expect(backend.client).toBeInstanceOf(S3Client);
    expect(backend.clients.createdCount).toBe(1);
    await reader.dispose();
    await backend.close();
    expect(backend.clients.createdCount).toBe(0);
  });
});
