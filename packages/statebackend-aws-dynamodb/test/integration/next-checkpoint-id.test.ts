import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AwsClientManager,
  CheckpointIdTooLowError,
  KeyGroupRange,
  Serializers,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import { cleanupAfterAll, deleteTableIfExists, describeEachTarget, uniqueName } from '@statebackend/testkit';
import { type DynamoDbKeyedStateBackend, DynamoDbStateBackend, openCommitLog } from '../../src/index.js';

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

  const retaining = new DynamoDbStateBackend(target.configuration(), {
    clients,
    table: { tableName },
    retainedCheckpoints: 3,
  });
  cleanup.add('retaining backend', () => retaining.close());
  const scoped = (jobId: string) => ({ ...parameters, jobId });
  const committedIds = async (jobId: string): Promise<number[]> => {
    const client = clients.getOrCreate(DynamoDBClient);
    const { log } = openCommitLog({ client, tableName, scope: `${jobId}/count` });
    return [...new Set((await log.list()).map((c) => c.checkpointId))].sort((a, b) => a - b);
  };
  const setCount = (keyed: DynamoDbKeyedStateBackend<string>, value: number): Promise<void> =>
    keyed.withKey('user-1', (ctx) => ctx.getState(counts).update(value));
  const count = (keyed: DynamoDbKeyedStateBackend<string>): Promise<number> =>
    keyed.withKey('user-1', (ctx) => ctx.getState(counts).value());

  it('a rollback continues above the newer checkpoints, and an id at or below them is refused before any write', async () => {
    const job = await retaining.restoreKeyedStateBackend(scoped('rollback'), { kind: 'latest-or-empty' });
    expect(job.latestCheckpointId).toBe(-1);
    for (const id of [1, 2, 3]) {
      await setCount(job, id * 10);
      await job.snapshot(id);
    }
    expect(job.latestCheckpointId).toBe(3);
    await job.dispose();

    const rolledBack = await retaining.restoreKeyedStateBackend(scoped('rollback'), {
      kind: 'checkpoint',
      checkpointId: 1,
    });
    expect(await count(rolledBack)).toBe(10);
    // The driver takes the id after the newest one committed, not after the one restored.
    expect({
      restored: rolledBack.restored?.checkpointId,
      latest: rolledBack.latestCheckpointId,
      next: rolledBack.nextCheckpointId,
    }).toEqual({ restored: 1, latest: 3, next: 4 });
    await setCount(rolledBack, 11);
    const calls = rolledBack.store.metrics.calls.getCount();
    for (const id of [2, 3]) {
      await expect(rolledBack.snapshot(id)).rejects.toBeInstanceOf(CheckpointIdTooLowError);
    }
    await expect(rolledBack.snapshot(3)).rejects.toThrow(/not above 3/);
    expect(rolledBack.store.metrics.calls.getCount()).toBe(calls);
    expect(await committedIds('rollback')).toEqual([1, 2, 3]);
    // The refused snapshots' changes are not lost: the next id takes them.
    expect((await rolledBack.snapshot()).checkpointId).toBe(4);
    expect(rolledBack.latestCheckpointId).toBe(4);
    await rolledBack.dispose();

    const latest = await retaining.restoreKeyedStateBackend(scoped('rollback'), { kind: 'checkpoint' });
    expect(latest.restored?.checkpointId).toBe(4);
    expect(await count(latest)).toBe(11);
    expect(latest.nextCheckpointId).toBe(5);
    await latest.dispose();
  });

  it('a backend started empty over checkpoints of its key groups still takes ids above them', async () => {
    const job = await backend.restoreKeyedStateBackend(scoped('empty-start'), { kind: 'empty' });
    await setCount(job, 5);
    await job.snapshot(5);
    await job.dispose();
    const fresh = await backend.restoreKeyedStateBackend(
      { ...scoped('empty-start'), keyGroupRange: KeyGroupRange.of(0, 63) },
      { kind: 'empty' },
    );
    expect({ latest: fresh.latestCheckpointId, next: fresh.nextCheckpointId }).toEqual({
      latest: 5,
      next: 6,
    });
    await setCount(fresh, 1);
    await expect(fresh.snapshot(1)).rejects.toBeInstanceOf(CheckpointIdTooLowError);
    expect((await fresh.snapshot()).checkpointId).toBe(6);
    await fresh.dispose();
  });
});
