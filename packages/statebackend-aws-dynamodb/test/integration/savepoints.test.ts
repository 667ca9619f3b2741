import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AwsClientManager,
  CheckpointingHeapBackendBuilder,
  type CheckpointingKeyedStateBackend,
  CheckpointNotFoundError,
  type EncodedSavepoint,
  IncompatibleSerializerError,
  KeyGroupRange,
  ListStateDescriptor,
  MapStateDescriptor,
  SavepointSource,
  Serializers,
  StateMigrationError,
  StateTtlConfig,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import { cleanupAfterAll, deleteTableIfExists, describeEachTarget, uniqueName } from '@statebackend/testkit';
import {
  DynamoDbCheckpointSource,
  DynamoDbStateBackend,
  ValueMigrationNotSupportedError,
} from '../../src/index.js';

const counts = new ValueStateDescriptor('count', Serializers.int, 0);
const visits = new ListStateDescriptor('visits', Serializers.string);
const tags = new MapStateDescriptor('tags', Serializers.string, Serializers.string);
const seen = new ValueStateDescriptor('seen', Serializers.string).enableTimeToLive(
  StateTtlConfig.newBuilder(3_600_000).build(),
);
const users = Array.from({ length: 40 }, (_, i) => `user-${i}`);
const RANGE = KeyGroupRange.of(0, 127);

type Keyed = CheckpointingKeyedStateBackend<string>;

async function write(keyed: Keyed, round: number): Promise<void> {
  for (const user of users) {
    await keyed.withKey(user, async (ctx) => {
      const count = ctx.getState(counts);
      await count.update(((await count.value()) ?? 0) + round);
      await ctx.getState(visits).add(`page-${round}`);
      await ctx.getState(tags).put(`round-${round}`, user);
      await ctx.getState(seen).update(`${user}@${round}`);
    });
  }
}

/** Every user's four states, as the keyed API reads them. */
async function dump(keyed: Keyed): Promise<unknown[]> {
  const rows: unknown[] = [];
  for (const user of users) {
    rows.push(
      await keyed.withKey(user, async (ctx) => [
        user,
        await ctx.getState(counts).value(),
        [...((await ctx.getState(visits).get()) ?? [])],
        [...(await ctx.getState(tags).entries())].sort(),
        await ctx.getState(seen).value(),
      ]),
    );
  }
  return rows;
}

async function bytesOf(savepoint: EncodedSavepoint): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of savepoint.content) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

function heapFrom(source: SavepointSource | DynamoDbCheckpointSource): Promise<Keyed> {
  return new CheckpointingHeapBackendBuilder(
    {
      jobId: uniqueName('heap'),
      operatorId: 'op',
      keyGroupRange: RANGE,
      maxParallelism: 128,
      keySerializer: Serializers.string,
    },
    { restoreFrom: source },
  ).build();
}

describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const clients = new AwsClientManager(target.configuration(), {
    userAgentSuffix: 'statebackend-aws-dynamodb-it',
  });
  cleanup.add('AWS clients', () => clients.close());
  const tableName = uniqueName('ddb-savepoints');
  const client = clients.getOrCreate(DynamoDBClient);
  cleanup.add(`table ${tableName}`, () => deleteTableIfExists(client, tableName));
  // A tiny cache: writes during an export would flush early if the export did not hold them back.
  const backend = new DynamoDbStateBackend(target.configuration(), {
    clients,
    table: { tableName },
    cacheBytes: 2 * 1024,
  });
  const open = (operatorId: string, restoreFrom?: 'latest' | SavepointSource) =>
    backend.createCheckpointingKeyedStateBackend(
      {
        jobId: 'savepoints',
        operatorId,
        keyGroupRange: RANGE,
        maxParallelism: 128,
        keySerializer: Serializers.string,
      },
      { checkpointCompletion: 'commit', ...(restoreFrom === undefined ? {} : { restoreFrom }) },
    );

  it('exports the state at the call while processing and a checkpoint go on, and imports it back', async () => {
    const keyed = await open('export-while-writing');
    await write(keyed, 1);
    const expected = await dump(keyed);
    const savepoint = keyed.exportSavepoint({ userMetadata: { offset: 40 } });
    await write(keyed, 2);
    const afterWrites = await dump(keyed);
    // Waits for the export's reads, which cannot see it.
    const checkpoint = keyed.snapshot(1, { offset: 80 });
    const bytes = await bytesOf(savepoint);
    await checkpoint;
    // Round 1 only: one value, list element, map entry and TTL value per user.
    expect(savepoint.result().entries).toBe(users.length * 4);

    const heap = await heapFrom(await SavepointSource.fromBytes(bytes));
    expect(await dump(heap)).toEqual(expected);
    expect(heap.restored?.userMetadata.map((m) => m.metadata)).toEqual([{ offset: 40 }]);
    await heap.dispose();

    const imported = await open('imported', await SavepointSource.fromBytes(bytes));
    expect(imported.restored?.checkpointId).toBeUndefined();
    expect(imported.restored?.userMetadata.map((m) => m.metadata)).toEqual([{ offset: 40 }]);
    expect(await dump(imported)).toEqual(expected);
    await imported.snapshot(1);
    await imported.dispose();
    const restarted = await open('imported', 'latest');
    expect(await dump(restarted)).toEqual(expected);
    await restarted.dispose();

    await keyed.dispose();
    const resumed = await open('export-while-writing', 'latest');
    expect(await dump(resumed)).toEqual(afterWrites);
    await resumed.dispose();
  });

  it('carries restored states that were not registered again into checkpoints and savepoints', async () => {
    const first = await open('carried');
    await write(first, 1);
    const expected = await dump(first);
    await first.snapshot(1);
    await first.dispose();
    // Only `count` is used after the restart; the other three states stay in the table.
    const second = await open('carried', 'latest');
    await second.withKey('user-1', async (ctx) => ctx.getState(counts).update(100));
    await second.snapshot(2);
    const savepoint = await bytesOf(second.exportSavepoint());
    await second.dispose();
    const source = await SavepointSource.fromBytes(savepoint);
    expect(source.states.map((s) => s.name).sort()).toEqual(['count', 'seen', 'tags', 'visits']);
    const heap = await heapFrom(source);
    const withUpdate = expected.map((row) =>
      (row as unknown[])[0] === 'user-1' ? ['user-1', 100, ...(row as unknown[]).slice(2)] : row,
    );
    expect(await dump(heap)).toEqual(withUpdate);
    await heap.dispose();
    // A checkpoint source of the table describes them too: checkpoint 2 wrote no entry of them.
    const fromTable = await DynamoDbCheckpointSource.open({ client, tableName, scope: 'savepoints/carried' });
    expect(fromTable.states.map((s) => s.name).sort()).toEqual(['count', 'seen', 'tags', 'visits']);
  });

  it('checks a registration after a restore against the stored state, before reading anything', async () => {
    const first = await open('checked');
    await write(first, 1);
    await first.snapshot(1);
    await first.dispose();
    const second = await open('checked', 'latest');
    expect(() => second.registerState(new ListStateDescriptor('count', Serializers.int))).toThrow(
      StateMigrationError,
    );
    expect(() => second.registerState(new ValueStateDescriptor('count', Serializers.number))).toThrow(
      ValueMigrationNotSupportedError,
    );
    expect(() =>
      second.registerState(new MapStateDescriptor('tags', Serializers.int, Serializers.string)),
    ).toThrow(IncompatibleSerializerError);
    expect(() => second.registerState(new ValueStateDescriptor('seen', Serializers.string))).toThrow(
      StateMigrationError,
    );
    // The stored form still registers and reads.
    expect(await second.withKey('user-3', (ctx) => ctx.getState(counts).value())).toBe(1);
    await second.dispose();
  });

  it('reads a committed checkpoint without fencing its writer, and only what that checkpoint holds', async () => {
    const keyed = await open('read-only');
    await write(keyed, 1);
    const atOne = await dump(keyed);
    await keyed.snapshot(1, { offset: 1 });
    await write(keyed, 2);
    // Flushed early (tiny cache) but not checkpointed: invisible to a reader of checkpoint 1.
    const source = await DynamoDbCheckpointSource.open({ client, tableName, scope: 'savepoints/read-only' });
    expect(source.checkpointId).toBe(1);
    expect(source.maxParallelism).toBe(128);
    expect(source.userMetadata.map((m) => m.metadata)).toEqual([{ offset: 1 }]);
    const heap = await heapFrom(source);
    expect(await dump(heap)).toEqual(atOne);
    await heap.dispose();
    // The writer was not fenced: it checkpoints on.
    const atTwo = await dump(keyed);
    await keyed.snapshot(2);
    const second = await heapFrom(
      await DynamoDbCheckpointSource.open({ client, tableName, scope: 'savepoints/read-only' }),
    );
    expect(await dump(second)).toEqual(atTwo);
    await second.dispose();
    await keyed.dispose();
    await expect(
      DynamoDbCheckpointSource.open({ client, tableName, scope: 'savepoints/read-only', checkpointId: 7 }),
    ).rejects.toThrow(CheckpointNotFoundError);
    await expect(
      DynamoDbCheckpointSource.open({ client, tableName, scope: 'savepoints/none' }),
    ).rejects.toThrow(CheckpointNotFoundError);
  });
});
