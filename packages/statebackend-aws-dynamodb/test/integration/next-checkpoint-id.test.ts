import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AwsClientManager, KeyGroupRange, Serializers, ValueStateDescriptor } from '@statebackend/aws-base';
import { cleanupAfterAll, deleteTableIfExists, describeEachTarget, uniqueName } from '@statebackend/testkit';
import { DynamoDbStateBackend } from '../../src/index.js';

const counts = new ValueStateDescriptor('count', Serializers.int, 0);

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const clients = new AwsClientManager(target.configuration());
  cleanup.add('AWS clients', () => clients.close());
  const tableName = uniqueName('ddb-next-id');
  cleanup.add(`table ${tableName}`, () =>
    deleteTableIfExists(clients.getOrCreate(DynamoDBClient), tableName),
  );
  const backend = new DynamoDbStateBackend(target.configuration(), { clients, table: { tableName } });
  cleanup.add('backend', () => backend.close());
  const parameters = {
    jobId: 'clicks',
    operatorId: 'count',
    keyGroupRange: KeyGroupRange.of(0, 127),
    maxParallelism: 128,
    keySerializer: Serializers.string,
  };

  it('snapshot() without an id takes the next one, also after a restore, so a rerun never collides', async () => {
    for (let run = 1; run <= 2; run++) {
      const keyed = await backend.restoreKeyedStateBackend(parameters, { kind: 'latest-or-empty' });
      expect({ restored: keyed.restored?.checkpointId, next: keyed.nextCheckpointId }).toEqual({
        restored: run === 1 ? undefined : 2,
        next: run === 1 ? 1 : 3,
      });
      await keyed.withKey('user-1', async (ctx) =>
        ctx.getState(counts).update((await ctx.getState(counts).value()) + 1),
      );
      const first = await keyed.snapshot();
      const second = await keyed.snapshot(undefined, { run });
      expect([first.checkpointId, second.checkpointId]).toEqual(run === 1 ? [1, 2] : [3, 4]);
      await keyed.dispose();
    }
    const last = await backend.restoreKeyedStateBackend(parameters, { kind: 'latest-or-empty' });
    expect(last.restored?.userMetadata.map((m) => m.metadata)).toEqual([{ run: 2 }]);
    await last.withKey('user-1', async (ctx) => expect(await ctx.getState(counts).value()).toBe(2));
    await last.dispose();
    // createKeyedStateBackend, what a job written against createStateBackend calls, restores too.
    const created = await backend.createKeyedStateBackend(parameters);
    expect({ restored: created.restored?.checkpointId, next: created.nextCheckpointId }).toEqual({
      restored: 4,
      next: 5,
    });
    await created.dispose();
  });
});
