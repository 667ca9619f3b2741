import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AwsClientManager,
  KeyGroupRange,
  Serializers,
  SnapshotAbortedError,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import { cleanupAfterAll, deleteTableIfExists, describeEachTarget, uniqueName } from '@statebackend/testkit';
import { type DynamoDbKeyedStateBackend, DynamoDbStateBackend, openCommitLog } from '../../src/index.js';

const counts = new ValueStateDescriptor('count', Serializers.int, 0);
const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);

/**
 * `notifyCheckpointAborted(id)` while the keyed backend's snapshot writes its state rejects that
 * snapshot with aws-base's `SnapshotAbortedError`, as the heap backend on local storage and S3
 * do; nothing is committed, and the backend goes on checkpointing.
 */
describeEachTarget('dynamodb', (target) => {
  const cleanup = cleanupAfterAll();
  const clients = new AwsClientManager(target.configuration(), {
    userAgentSuffix: 'statebackend-aws-dynamodb-it',
  });
  cleanup.add('AWS clients', () => clients.close());
  const client = clients.getOrCreate(DynamoDBClient);
  const tableName = uniqueName('ddb-aborted');
  cleanup.add(`table ${tableName}`, () => deleteTableIfExists(client, tableName));
  const backend = new DynamoDbStateBackend(target.configuration(), { clients, table: { tableName } });
  cleanup.add('backend', () => backend.close());
  const parameters = {
    jobId: 'clicks',
    operatorId: 'count',
    keyGroupRange: KeyGroupRange.of(0, 127),
    maxParallelism: 128,
    keySerializer: Serializers.string,
  };
  /** Called once at the next BatchWriteItem (a snapshot's flush), before it is sent. */
  let onFlush: (() => void) | undefined;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'BatchWriteItemCommand' && onFlush !== undefined) {
        const call = onFlush;
        onFlush = undefined;
        call();
      }
      return next(args);
    },
    { step: 'initialize', name: 'abortDuringFlush' },
  );

  const add = (keyed: DynamoDbKeyedStateBackend<string>, n: number): Promise<unknown> =>
    Promise.all(
      users.map((user) =>
        keyed.withKey(user, async (ctx) =>
          ctx.getState(counts).update((await ctx.getState(counts).value()) + n),
        ),
      ),
    );
  const committedIds = async (): Promise<number[]> => {
    const { log } = openCommitLog({ client, tableName, scope: 'clicks/count' });
    return [...new Set((await log.list()).map((c) => c.checkpointId))].sort((a, b) => a - b);
  };

  it('rejects a snapshot aborted while it writes with SnapshotAbortedError; the next one carries its changes', async () => {
    const keyed = await backend.createKeyedStateBackend(parameters);
    await add(keyed, 1);
    let aborted: Promise<void> | undefined;
    onFlush = () => {
      aborted = keyed.notifyCheckpointAborted(1);
    };

    const outcome = await keyed.snapshot(1).catch((error: unknown) => error);
    await aborted;

    expect(aborted).toBeDefined();
    expect(outcome).toBeInstanceOf(SnapshotAbortedError);
    expect((outcome as SnapshotAbortedError).name).toBe('SnapshotAbortedError');
    expect(await committedIds()).toEqual([]);
    // The backend goes on: the next checkpoint holds what the aborted one would have.
    await add(keyed, 10);
    expect((await keyed.snapshot(2)).checkpointId).toBe(2);
    await keyed.dispose();

    const restored = await backend.createKeyedStateBackend(parameters);
    expect(restored.restored?.checkpointId).toBe(2);
    const values = await Promise.all(
      users.map((user) => restored.withKey(user, (ctx) => ctx.getState(counts).value())),
    );
    expect(new Set(values)).toEqual(new Set([11]));
    await restored.dispose();
  });
});
