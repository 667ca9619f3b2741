import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  AwsClientManager,
  assignToKeyGroup,
  computeKeyGroupRangeForOperatorIndex,
  KeyGroupRange,
  MapStateDescriptor,
  Serializers,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import { cleanupAfterAll, deleteTableIfExists, describeEachTarget, uniqueName } from '@statebackend/testkit';
import { type DynamoDbKeyedStateBackend, DynamoDbStateBackend } from '../../src/index.js';

const counts = new ValueStateDescriptor('count', Serializers.int, 0);
const tags = new MapStateDescriptor('tags', Serializers.string, Serializers.string);
const users = Array.from({ length: 60 }, (_, i) => `user-${i}`);
const encoder = new TextEncoder();

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const clients = new AwsClientManager(target.configuration(), {
    userAgentSuffix: 'statebackend-aws-dynamodb-it',
  });
  cleanup.add('AWS clients', () => clients.close());
  const tableName = uniqueName('ddb-keyed');
  cleanup.add(`table ${tableName}`, () =>
    deleteTableIfExists(clients.getOrCreate(DynamoDBClient), tableName),
  );
  const backend = new DynamoDbStateBackend(target.configuration(), {
    clients,
    table: { tableName },
    cacheBytes: 8 * 1024,
  });
  const parameters = (range: KeyGroupRange) => ({
    jobId: 'clicks',
    operatorId: 'count',
    keyGroupRange: range,
    maxParallelism: 128,
    keySerializer: Serializers.string,
  });

  async function process(keyed: DynamoDbKeyedStateBackend<string>, round: number): Promise<void> {
    const owned = users.filter((u) =>
      keyed.keyGroupRange.contains(assignToKeyGroup(Serializers.string.serialize(u), 128)),
    );
    await Promise.all(
      owned.map((user) =>
        keyed.withKey(user, async (ctx) => {
          const count = ctx.getState(counts);
          await count.update(((await count.value()) ?? 0) + 1);
          await ctx.getState(tags).put(`round-${round}`, user);
        }),
      ),
    );
  }
  it('snapshots and restores through the keyed API, rescaling from one instance to two and back', async () => {
    const one = await backend.createKeyedStateBackend(parameters(KeyGroupRange.of(0, 127)));
    await process(one, 1);
    await process(one, 2);
    await one.snapshot(1, { offset: 2 });
    await process(one, 3); // after the checkpoint: must not survive

    const halves = await Promise.all(
      [0, 1].map((i) =>
        backend.restoreKeyedStateBackend(parameters(computeKeyGroupRangeForOperatorIndex(128, 2, i)), {
          kind: 'checkpoint',
        }),
      ),
    );
    for (const half of halves) {
      expect(half.restored?.userMetadata.map((m) => m.metadata)).toEqual([{ offset: 2 }]);
      await process(half, 4);
      await half.snapshot(2);
    }
    await one.dispose();

    const merged = await backend.restoreKeyedStateBackend(parameters(KeyGroupRange.of(0, 127)), {
      kind: 'checkpoint',
    });
    for (const user of users) {
      await merged.withKey(user, async (ctx) => {
        expect(await ctx.getState(counts).value()).toBe(3);
        const entries = [...(await ctx.getState(tags).entries())].map(([k]) => k).sort();
        expect(entries).toEqual(['round-1', 'round-2', 'round-4']);
      });
    }
    const keys: string[] = [];
    for await (const key of merged.keys('count')) keys.push(key);
    expect(keys.sort()).toEqual([...users].sort());
    for (const half of halves) await half.dispose();

    // Only the newest commit record of each key group is kept (clean-up follows the commit in the
    // store's queue; disposing waits for it).
    await merged.snapshot(3);
    await merged.dispose();
    const meta = encoder.encode('clicks/count');
    const pk = new Uint8Array(meta.length + 2);
    pk.set(meta, 0);
    pk[meta.length + 1] = 2;
    const { Items } = await clients.getOrCreate(DynamoDBClient).send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { B: pk } },
        ConsistentRead: true,
      }),
    );
    const commits = (Items ?? []).filter((item) => new TextDecoder().decode(item.sk?.B).startsWith('commit'));
    expect(commits.map((item) => item.ckpt?.N)).toEqual(['3']);
  });
});
