import assert from 'node:assert/strict';
import { checkpointCase } from './checkpoint-case.js';
import type { CheckpointConformanceOptions } from './checkpoint-conformance-options.js';
import {
  dumpAll,
  WORKLOAD_TTL,
  workloadKeys,
  workloadStates,
  writeKey,
  writeOwned,
} from './checkpoint-workload.js';
import type { ConformanceCaseGroup } from './conformance-options.js';

/**
 * Checkpoint and restore: every state kind, namespaces and TTL round-trip; the caller's metadata
 * comes back; writes after `snapshot()` stay out; aborted checkpoints go; a restoring instance
 * fences the previous one.
 */
export function checkpointRestoreCases(options: CheckpointConformanceOptions): ConformanceCaseGroup {
  return {
    name: 'checkpoint and restore',
    define(test) {
      const keys = workloadKeys(40);

      test(
        'every state kind, namespaces and TTL round-trip through a checkpoint',
        checkpointCase(options, async (c) => {
          const backend = await c.backend();
          for (let round = 1; round <= 3; round++) await writeOwned(backend, keys, round);
          const before = await dumpAll([backend], keys);
          await backend.snapshot(1);
          await c.stop(backend);
          const restored = await c.backend({ restoreFrom: 'latest' });
          assert.equal(restored.restored?.checkpointId, 1);
          assert.deepEqual(await dumpAll([restored], keys), before);
        }),
      );

      test(
        'a restored TTL value expires when it would have without the restore',
        checkpointCase(options, async (c) => {
          const backend = await c.backend();
          await writeKey(backend, 'k', 1);
          c.harness.clock.advance(WORKLOAD_TTL - 10);
          await backend.snapshot(1);
          await c.stop(backend);
          const restored = await c.backend({ restoreFrom: 'latest' });
          const read = () => restored.withKey('k', (ctx) => ctx.getState(workloadStates.ttl).value());
          assert.equal(await read(), 'k expires');
          c.harness.clock.advance(10);
          assert.equal(await read(), undefined);
        }),
      );

      test(
        'restore returns the metadata passed to snapshot(), e.g. a source position',
        checkpointCase(options, async (c) => {
          const backend = await c.backend();
          await writeKey(backend, 'k', 1);
          await backend.snapshot(7, { partition: 3, offset: 4711 });
          await c.stop(backend);
          const restored = await c.backend({ restoreFrom: 'latest' });
          assert.equal(restored.restored?.checkpointId, 7);
          assert.deepEqual(
            restored.restored?.userMetadata.map((m) => m.metadata),
            [{ partition: 3, offset: 4711 }],
          );
        }),
      );

      test(
        'writes made after snapshot() are not in the checkpoint',
        checkpointCase(options, async (c) => {
          const backend = await c.backend();
          await writeOwned(backend, keys, 1);
          const atSnapshot = await dumpAll([backend], keys);
          const pending = backend.snapshot(1);
          // While the checkpoint is written: change, add and remove state.
          await writeOwned(backend, keys, 2);
          await writeKey(backend, 'added-after', 2);
          await backend.withKey(keys[0] as string, (ctx) => ctx.getState(workloadStates.map).clear());
          await pending;
          await c.stop(backend);
          const restored = await c.backend({ restoreFrom: 'latest' });
          assert.deepEqual(await dumpAll([restored], keys), atSnapshot);
          assert.equal(
            await restored.withKey('added-after', (ctx) => ctx.getState(workloadStates.value).value()),
            undefined,
          );
        }),
      );

      test(
        'the latest checkpoint is restored by default, a retained older one on request',
        checkpointCase(options, async (c) => {
          const backend = await c.backend({ retainedCheckpoints: 2 });
          await writeOwned(backend, keys, 1);
          await backend.snapshot(1);
          const first = await dumpAll([backend], keys);
          await writeOwned(backend, keys, 2);
          await backend.snapshot(2);
          await backend.notifyCheckpointComplete(2);
          const second = await dumpAll([backend], keys);
          await c.stop(backend);
          const latest = await c.backend({ restoreFrom: 'latest' });
          assert.deepEqual(await dumpAll([latest], keys), second);
          await c.stop(latest);
          const older = await c.backend({ restoreFrom: { checkpointId: 1 }, retainedCheckpoints: 2 });
          assert.equal(older.restored?.checkpointId, 1);
          assert.deepEqual(await dumpAll([older], keys), first);
        }),
      );

      test(
        'retention removes what it no longer keeps: an expired checkpoint cannot be restored',
        checkpointCase(options, async (c) => {
          const backend = await c.backend({ retainedCheckpoints: 1 });
          for (let id = 1; id <= 3; id++) {
            await writeOwned(backend, keys, id);
            await backend.snapshot(id);
            await backend.notifyCheckpointComplete(id);
          }
          await c.stop(backend);
          await assert.rejects(
            c.backend({ restoreFrom: { checkpointId: 1 } }),
            (error: Error) => error.name === 'CheckpointNotFoundError',
          );
          const latest = await c.backend({ restoreFrom: 'latest' });
          assert.equal(latest.restored?.checkpointId, 3);
        }),
      );

      test(
        'an aborted checkpoint is never restored',
        checkpointCase(options, async (c) => {
          const left = await c.backend({ operator: [0, 2] });
          const right = await c.backend({ operator: [1, 2] });
          const both = [left, right];
          for (const backend of both) await writeOwned(backend, keys, 1);
          for (const backend of both) await backend.snapshot(1);
          for (const backend of both) await backend.notifyCheckpointComplete(1);
          const first = await dumpAll(both, keys);
          // Checkpoint 2: the left operator commits, the right one fails; it is aborted everywhere.
          for (const backend of both) await writeOwned(backend, keys, 2);
          await left.snapshot(2);
          for (const backend of both) await backend.notifyCheckpointAborted(2);
          // Checkpoint 3 is aborted while in flight.
          for (const backend of both) await writeOwned(backend, keys, 3);
          const inFlight = both.map((backend) =>
            backend.snapshot(3).then(
              () => 'completed',
              () => 'failed',
            ),
          );
          for (const backend of both) await backend.notifyCheckpointAborted(3);
          await Promise.all(inFlight);
          for (const backend of both) await c.stop(backend);
          const restored = await c.backend({ restoreFrom: 'latest' });
          assert.equal(restored.restored?.checkpointId, 1);
          assert.deepEqual(await dumpAll([restored], keys), first);
        }),
      );

      test(
        'an instance that restores the key groups fences the previous owner',
        checkpointCase(options, async (c) => {
          const old = await c.backend();
          await writeKey(old, 'k', 1);
          await old.snapshot(1);
          const successor = await c.backend({ restoreFrom: 'latest' });
          assert.equal(successor.restored?.checkpointId, 1);
          await writeKey(old, 'k', 2);
          await assert.rejects(old.snapshot(2), (error: Error) => error.name === 'FencedError');
          await successor.snapshot(2, 'successor');
          await c.stop(successor);
          const next = await c.backend({ restoreFrom: 'latest' });
          assert.deepEqual(
            next.restored?.userMetadata.map((m) => m.metadata),
            ['successor'],
          );
          assert.equal(await next.withKey('k', (ctx) => ctx.getState(workloadStates.value).value()), 'k@1');
        }),
      );

      if (options.incremental === true) {
        test(
          'incremental checkpoints restore the whole state after many small changes',
          checkpointCase(options, async (c) => {
            const backend = await c.backend({ incremental: true });
            await writeOwned(backend, keys, 1);
            await backend.snapshot(1);
            for (let id = 2; id <= 6; id++) {
              await writeKey(backend, keys[id] as string, id);
              await backend.snapshot(id);
              await backend.notifyCheckpointComplete(id);
            }
            const expected = await dumpAll([backend], keys);
            await c.stop(backend);
            const restored = await c.backend({ restoreFrom: 'latest', incremental: true });
            assert.equal(restored.restored?.checkpointId, 6);
            assert.deepEqual(await dumpAll([restored], keys), expected);
          }),
        );
      }
    },
  };
}
