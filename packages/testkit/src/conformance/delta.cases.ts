import assert from 'node:assert/strict';
import type { CheckpointingKeyedStateBackend } from '@statebackend/aws-base';
import { checkpointCase } from './checkpoint-case.js';
import type { CheckpointConformanceOptions } from './checkpoint-conformance-options.js';
import {
  clearKey,
  dumpAll,
  keyGroupOf,
  keysWithValue,
  workloadKeys,
  writeKey,
  writeOwned,
} from './checkpoint-workload.js';
import type { ConformanceCaseGroup } from './conformance-options.js';
import { forEveryStep } from './crash.cases.js';
import { FailingCheckpointStorage, type FailureMode } from './failing-checkpoint-storage.js';

/** Key groups the keys crowd into, spread over the operators of parallelism 1, 2 and 3. */
const CROWDED = new Set([0, 40, 70, 100]);
/**
 * 60 keys, 15 in each crowded key group: a change of one key is then a small part of its key
 * group, which a backend with entry-level increments writes as a delta.
 */
const KEYS = workloadKeys(20_000)
  .filter((key) => CROWDED.has(keyGroupOf(key)))
  .slice(0, 60);

/**
 * Small changes of checkpoint `id`: one key rewritten, one key removed, one key added. Few enough
 * that a backend with entry-level incremental checkpoints writes them as deltas.
 */
async function smallChange(backend: CheckpointingKeyedStateBackend<string>, id: number): Promise<void> {
  const owned = KEYS.filter((key) => backend.keyGroupRange.contains(keyGroupOf(key)));
  await writeKey(backend, owned[id % owned.length] as string, id);
  await clearKey(backend, owned[(id * 7 + 3) % owned.length] as string);
  const added = `added-${id}`;
  if (backend.keyGroupRange.contains(keyGroupOf(added))) await writeKey(backend, added, id);
}

const ADDED = Array.from({ length: 20 }, (_, id) => `added-${id}`);

/**
 * Incremental checkpoints as chains of small changes (entry-level deltas where the backend has
 * them): long chains with removals restore exactly, removed state comes back absent, a chain
 * restores at another parallelism, and a crash at any step of a small-change checkpoint restores
 * a complete one.
 */
export function deltaCases(options: CheckpointConformanceOptions): ConformanceCaseGroup {
  return {
    name: 'incremental checkpoints of small changes',
    define(test) {
      test(
        'a long chain of small changes and removals restores exactly; removed keys are absent',
        checkpointCase(options, async (c) => {
          const backend = await c.backend({ incremental: true, retainedCheckpoints: 2 });
          await writeOwned(backend, KEYS, 1);
          await backend.snapshot(1);
          await backend.notifyCheckpointComplete(1);
          for (let id = 2; id <= 19; id++) {
            await smallChange(backend, id);
            await backend.snapshot(id, { id });
            await backend.notifyCheckpointComplete(id);
          }
          const expected = await dumpAll([backend], [...KEYS, ...ADDED]);
          const present = await keysWithValue(backend);
          await c.stop(backend);
          const restored = await c.backend({ restoreFrom: 'latest', incremental: true });
          assert.equal(restored.restored?.checkpointId, 19);
          assert.deepEqual(await keysWithValue(restored), present);
          assert.ok(present.length < KEYS.length + ADDED.length, 'some keys were removed');
          assert.deepEqual(await dumpAll([restored], [...KEYS, ...ADDED]), expected);
        }),
      );

      test(
        'an older retained checkpoint of a chain restores as it was',
        checkpointCase(options, async (c) => {
          const backend = await c.backend({ incremental: true, retainedCheckpoints: 3 });
          await writeOwned(backend, KEYS, 1);
          let older: Record<string, unknown> = {};
          for (let id = 1; id <= 6; id++) {
            if (id > 1) await smallChange(backend, id);
            await backend.snapshot(id);
            await backend.notifyCheckpointComplete(id);
            if (id === 5) older = await dumpAll([backend], [...KEYS, ...ADDED]);
          }
          await c.stop(backend);
          const restored = await c.backend({ restoreFrom: { checkpointId: 5 }, incremental: true });
          assert.deepEqual(await dumpAll([restored], [...KEYS, ...ADDED]), older);
        }),
      );

      for (const [from, to] of [
        [2, 3],
        [2, 1],
      ] as const) {
        test(
          `a chain of small changes taken at parallelism ${from} restores at parallelism ${to}`,
          checkpointCase(options, async (c) => {
            const writers: CheckpointingKeyedStateBackend<string>[] = [];
            for (let i = 0; i < from; i++)
              writers.push(await c.backend({ operator: [i, from], incremental: true }));
            for (const writer of writers) await writeOwned(writer, KEYS, 1);
            for (let id = 1; id <= 5; id++) {
              for (const writer of writers) {
                if (id > 1) await smallChange(writer, id);
                await writer.snapshot(id);
              }
              for (const writer of writers) await writer.notifyCheckpointComplete(id);
            }
            const expected = await dumpAll(writers, [...KEYS, ...ADDED]);
            const present = (await Promise.all(writers.map(keysWithValue))).flat().sort();
            for (const writer of writers) await c.stop(writer);
            const readers: CheckpointingKeyedStateBackend<string>[] = [];
            for (let i = 0; i < to; i++) {
              readers.push(await c.backend({ operator: [i, to], restoreFrom: 'latest', incremental: true }));
            }
            const seen = (await Promise.all(readers.map(keysWithValue))).flat().sort();
            assert.deepEqual(seen, present, 'every key exactly once, removed keys nowhere');
            assert.deepEqual(await dumpAll(readers, [...KEYS, ...ADDED]), expected);
          }),
        );
      }

      for (const mode of ['before', 'after'] as FailureMode[]) {
        test(`storage failing ${mode} any call of a small-change checkpoint restores a complete one`, async (h) => {
          const steps = await forEveryStep(h, options, async (c, track, k) => {
            const failing = new FailingCheckpointStorage(await c.storage());
            track(failing);
            const backend = await c.backend({ storage: failing, incremental: true });
            await writeOwned(backend, KEYS, 1);
            await backend.snapshot(1, 'one');
            await smallChange(backend, 2);
            await backend.snapshot(2, 'two');
            const two = await dumpAll([backend], [...KEYS, ...ADDED]);
            await smallChange(backend, 3);
            const three = await dumpAll([backend], [...KEYS, ...ADDED]);
            failing.arm(k, mode);
            const committed = await backend.snapshot(3, 'three').then(
              () => true,
              () => false,
            );
            const struck = failing.failed;
            failing.arm(0);
            await c.stop(backend);

            const restored = await c.backend({ restoreFrom: 'latest', incremental: true });
            const id = restored.restored?.checkpointId;
            if (committed || mode === 'before') assert.equal(id, committed ? 3 : 2, `failure at step ${k}`);
            assert.deepEqual(
              await dumpAll([restored], [...KEYS, ...ADDED]),
              id === 3 ? three : two,
              `failure at step ${k}`,
            );
            // The chain goes on from what was restored.
            await smallChange(restored, 4);
            const four = await dumpAll([restored], [...KEYS, ...ADDED]);
            await restored.snapshot(4);
            await c.stop(restored);
            const again = await c.backend({ restoreFrom: 'latest', incremental: true });
            assert.deepEqual(await dumpAll([again], [...KEYS, ...ADDED]), four, `failure at step ${k}`);
            return struck;
          });
          assert.ok(steps >= 3, `a checkpoint takes at least 3 storage steps, saw ${steps}`);
        });
      }
    },
  };
}
