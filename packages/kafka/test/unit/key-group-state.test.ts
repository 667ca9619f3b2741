import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assignToKeyGroup,
  FencedError,
  LocalCheckpointStorage,
  noopLogger,
  Serializers,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import { NoCheckpointForOffsetsError } from '../../src/index.js';
import { isStoreFencing, KeyGroupState, type KeyGroupStateConfig } from '../../src/state/key-group-state.js';

const count = new ValueStateDescriptor('count', Serializers.int, 0);

describe('KeyGroupState: the checkpoint restored is the one at the group’s committed offset', () => {
  let dir: string;
  let config: KeyGroupStateConfig<string>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'statebackend-kafka-kgs-'));
    config = {
      jobId: 'job',
      operatorId: 'op',
      maxParallelism: 4,
      keySerializer: Serializers.string,
      checkpointStorage: new LocalCheckpointStorage({ directory: dir, jobId: 'job', operatorId: 'op' }),
      states: [{ descriptor: count }],
      logger: noopLogger,
    };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function apply(state: KeyGroupState<string>, key: string, times: number, to: bigint): Promise<void> {
    for (let i = 0; i < times; i += 1) {
      await state.backend.withKey(key, async (ctx) =>
        ctx.getState(count).update((await ctx.getState(count).value()) + 1),
      );
    }
    state.position = to;
  }

  async function countOf(state: KeyGroupState<string>, key: string): Promise<number> {
    return state.backend.withKey(key, (ctx) => ctx.getState(count).value());
  }

  // A key of key group 1 with maxParallelism 4.
  const key =
    Array.from({ length: 100 }, (_, i) => `k${i}`).find(
      (k) => assignToKeyGroup(Serializers.string.serialize(k), 4) === 1,
    ) ?? 'none';

  it('restores N-1 when N was written but its offsets never committed, and N is not restored later', async () => {
    const first = await KeyGroupState.open(config, 1, undefined, 0n);
    expect(first.position).toBe(0n);
    await apply(first, key, 3, 10n);
    const n1 = await first.checkpoint();
    await first.confirm(n1.checkpointId, n1.position); // the transaction of N-1 committed offset 10
    await apply(first, key, 2, 20n);
    const n = await first.checkpoint(); // N is in the store; its transaction never happens
    expect(n.checkpointId).toBeGreaterThan(n1.checkpointId);
    await first.close();

    const next = await KeyGroupState.open(config, 1, 10n, 0n);
    expect(next.position).toBe(10n);
    expect(await countOf(next, key)).toBe(3);
    // N (written by the earlier owner after what the group committed) stays until the new owner
    // commits a checkpoint of its own (aws-base keeps a rollback undoable until then), then goes.
    const listed = async () => (await config.checkpointStorage.listCommitted()).map((c) => c.checkpointId);
    expect(await listed()).toEqual([n1.checkpointId, n.checkpointId]);
    await apply(next, key, 1, 11n);
    const after = await next.checkpoint();
    expect(after.checkpointId).toBeGreaterThan(n.checkpointId);
    await next.confirm(after.checkpointId, after.position);
    expect(await listed()).not.toContain(n.checkpointId);
    await next.close();

    const third = await KeyGroupState.open(config, 1, 11n, 0n);
    expect(await countOf(third, key)).toBe(4);
    await third.close();
  });

  it('fences the earlier owner: its checkpoint after the new claim fails with FencedError', async () => {
    const old = await KeyGroupState.open(config, 1, undefined, 0n);
    await apply(old, key, 1, 5n);
    const newer = await KeyGroupState.open(config, 1, undefined, 0n);
    const refused = await old.checkpoint().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(FencedError);
    expect(isStoreFencing(refused)).toBe(true);
    await old.close();
    await newer.close();
  });

  it('refuses a committed offset that no checkpoint was taken at', async () => {
    const first = await KeyGroupState.open(config, 1, undefined, 0n);
    await apply(first, key, 1, 7n);
    const c = await first.checkpoint();
    await first.confirm(c.checkpointId, c.position);
    await first.close();
    await expect(KeyGroupState.open(config, 1, 99n, 0n)).rejects.toThrow(NoCheckpointForOffsetsError);
  });

  it('gives no two key groups (and no two claims) a common checkpoint id', async () => {
    // Retention counts a checkpoint id as complete once its parts cover every key group; ids
    // shared across key groups would make an unconfirmed checkpoint look complete and let
    // retention drop the one Kafka committed.
    const ids: number[][] = [];
    for (const keyGroup of [0, 1, 2, 3, 0, 1]) {
      const state = await KeyGroupState.open(config, keyGroup, undefined, 0n);
      const own: number[] = [];
      for (let i = 1; i <= 2; i += 1) {
        state.position = BigInt(i);
        own.push((await state.checkpoint()).checkpointId);
      }
      await state.close();
      ids.push(own);
    }
    const all = ids.flat();
    expect(new Set(all).size).toBe(all.length);
    // Later claims get higher ids than earlier ones.
    const firsts = ids.map((own) => own[0] ?? 0);
    expect([...firsts].sort((a, b) => a - b)).toEqual(firsts);
  });
});
