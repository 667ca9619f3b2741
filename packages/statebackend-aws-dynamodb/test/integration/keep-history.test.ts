import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { AwsClientManager, KeyGroupRange, Serializers, ValueStateDescriptor } from '@statebackend/aws-base';
import { cleanupAfterAll, deleteTableIfExists, describeEachTarget, uniqueName } from '@statebackend/testkit';
import {
  DynamoDbCheckpointSource,
  type DynamoDbKeyedStateBackend,
  DynamoDbStateBackend,
  openCommitLog,
} from '../../src/index.js';

const counts = new ValueStateDescriptor('count', Serializers.int, 0);
const users = Array.from({ length: 40 }, (_, i) => `user-${i}`);

/**
 * A keyed backend with `keepHistory` (what `statebackend savepoint import --force` builds) adds a
 * checkpoint beside the job's own and deletes nothing: every item and commit record stays, and the
 * job's checkpoints stay restorable by id.
 */
describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const clients = new AwsClientManager(target.configuration(), {
    userAgentSuffix: 'statebackend-aws-dynamodb-it',
  });
  cleanup.add('AWS clients', () => clients.close());
  const client = clients.getOrCreate(DynamoDBClient);
  const tableName = uniqueName('ddb-keep-history');
  cleanup.add(`table ${tableName}`, () => deleteTableIfExists(client, tableName));
  const backend = new DynamoDbStateBackend(target.configuration(), {
    clients,
    table: { tableName },
    retainedCheckpoints: 2,
    cacheBytes: 4096,
  });
  cleanup.add('backend', () => backend.close());
  const parameters = (jobId: string) => ({
    jobId,
    operatorId: 'count',
    keyGroupRange: KeyGroupRange.of(0, 127),
    maxParallelism: 128,
    keySerializer: Serializers.string,
  });
  const setAll = (keyed: DynamoDbKeyedStateBackend<string>, value: number): Promise<unknown> =>
    Promise.all(users.map((user) => keyed.withKey(user, (ctx) => ctx.getState(counts).update(value))));
  const valuesOf = async (keyed: DynamoDbKeyedStateBackend<string>): Promise<Set<number>> =>
    new Set(await Promise.all(users.map((u) => keyed.withKey(u, (ctx) => ctx.getState(counts).value()))));
  const committedIds = async (jobId: string): Promise<number[]> => {
    const { log } = openCommitLog({ client, tableName, scope: `${jobId}/count` });
    return [...new Set((await log.list()).map((c) => c.checkpointId))].sort((a, b) => a - b);
  };
  const itemKeys = async (): Promise<Set<string>> => {
    const keys = new Set<string>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName,
          ProjectionExpression: 'pk, sk',
          ...(start === undefined ? {} : { ExclusiveStartKey: start as never }),
        }),
      );
      for (const item of page.Items ?? []) {
        keys.add(
          `${Buffer.from(item.pk?.B ?? []).toString('hex')}/${Buffer.from(item.sk?.B ?? []).toString('hex')}`,
        );
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return keys;
  };

  it('an import that keeps history deletes nothing, and the older checkpoints stay restorable by id', async () => {
    // The state to import: another job's checkpoint.
    const other = await backend.restoreKeyedStateBackend(parameters('other'), { kind: 'empty' });
    await setAll(other, 100);
    await other.snapshot(1);
    await other.dispose();
    // The job, with checkpoints 1-3 (2 and 3 retained), some removals among them.
    const job = await backend.restoreKeyedStateBackend(parameters('job'), { kind: 'empty' });
    for (const id of [1, 2, 3]) {
      await setAll(job, id);
      if (id === 3) await job.withKey('user-0', (ctx) => ctx.getState(counts).clear());
      await job.snapshot(id);
    }
    await job.dispose();
    const before = await itemKeys();
    expect(await committedIds('job')).toEqual([2, 3]);

    const source = await DynamoDbCheckpointSource.open({ client, tableName, scope: 'other/count' });
    const imported = await backend.createCheckpointingKeyedStateBackend(parameters('job'), {
      restoreFrom: source,
      keepHistory: true,
    });
    expect(imported.nextCheckpointId).toBe(4);
    await imported.snapshot(4);
    await imported.dispose();

    const after = await itemKeys();
    expect([...before].filter((key) => !after.has(key))).toEqual([]);
    expect(await committedIds('job')).toEqual([2, 3, 4]);
    for (const [id, expected] of [
      [2, [2]],
      [3, [0, 3]],
      [4, [100]],
    ] as const) {
      const restored = await backend.restoreKeyedStateBackend(parameters('job'), {
        kind: 'checkpoint',
        checkpointId: id,
      });
      expect({ id, values: await valuesOf(restored) }).toEqual({ id, values: new Set(expected) });
      await restored.dispose();
    }
    // Without an id, the import is what the job resumes from.
    const latest = await backend.restoreKeyedStateBackend(parameters('job'), { kind: 'latest-or-empty' });
    expect(latest.restored?.checkpointId).toBe(4);
    await latest.dispose();
  });
});
