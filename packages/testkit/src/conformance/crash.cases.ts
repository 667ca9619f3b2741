import assert from 'node:assert/strict';
import { TestkitError } from '../errors.js';
import { CheckpointCase } from './checkpoint-case.js';
import type { CheckpointConformanceOptions } from './checkpoint-conformance-options.js';
import { dumpAll, workloadKeys, writeOwned } from './checkpoint-workload.js';
import type { ConformanceHarness } from './conformance-harness.js';
import type { ConformanceCaseGroup } from './conformance-options.js';
import { FailingCheckpointStorage, type FailureMode } from './failing-checkpoint-storage.js';

const KEYS = workloadKeys(30);
/** A checkpoint takes far fewer storage steps; more means the loop would never end. */
const MAX_STEPS = 500;

/** Runs `attempt(k)` for k = 1, 2, ... until an attempt finishes without the failure striking. */
export async function forEveryStep(
  harness: ConformanceHarness,
  options: CheckpointConformanceOptions,
  attempt: (
    c: CheckpointCase,
    failing: (storage: FailingCheckpointStorage) => void,
    k: number,
  ) => Promise<boolean>,
): Promise<number> {
  for (let k = 1; k <= MAX_STEPS; k++) {
    const c = new CheckpointCase(options, harness);
    let storage: FailingCheckpointStorage | undefined;
    try {
      const struck = await attempt(
        c,
        (s) => {
          storage = s;
        },
        k,
      );
      if (!struck) return k - 1;
    } finally {
      storage?.arm(0);
      await c.disposeAll();
    }
  }
  throw new TestkitError(`more than ${MAX_STEPS} storage steps; the failure loop does not end`);
}

/**
 * Crashes: storage failing at every step of a checkpoint (before a call reaches it, or after it
 * did with the answer lost), and of a restore. The previous complete checkpoint, or the new one if
 * its commit was stored, is restored whole; never a mix, never a partial state.
 */
export function crashCases(options: CheckpointConformanceOptions): ConformanceCaseGroup {
  const variants: { mode: FailureMode; incremental: boolean }[] = [
    { mode: 'before', incremental: false },
    { mode: 'after', incremental: false },
  ];
  if (options.incremental === true) {
    variants.push({ mode: 'before', incremental: true }, { mode: 'after', incremental: true });
  }
  const minSteps = options.minCheckpointStorageSteps ?? 3;
  return {
    name: 'crash at every step',
    define(test) {
      for (const { mode, incremental } of variants) {
        const kind = incremental ? 'an incremental' : 'a';
        test(`storage failing ${mode} any call of ${kind} checkpoint restores a complete checkpoint`, async (h) => {
          const steps = await forEveryStep(h, options, async (c, track, k) => {
            const failing = new FailingCheckpointStorage(await c.storage());
            track(failing);
            const backend = await c.backend({ storage: failing, incremental });
            await writeOwned(backend, KEYS, 1);
            await backend.snapshot(1, 'one');
            const one = await dumpAll([backend], KEYS);
            await writeOwned(backend, KEYS, 2);
            const two = await dumpAll([backend], KEYS);
            failing.arm(k, mode);
            const committed = await backend.snapshot(2, 'two').then(
              () => true,
              () => false,
            );
            const struck = failing.failed;
            failing.arm(0);
            await c.stop(backend);

            const restored = await c.backend({ restoreFrom: 'latest', incremental });
            const id = restored.restored?.checkpointId;
            if (committed || mode === 'before') assert.equal(id, committed ? 2 : 1, `failure at step ${k}`);
            assert.deepEqual(await dumpAll([restored], KEYS), id === 2 ? two : one, `failure at step ${k}`);
            assert.deepEqual(
              restored.restored?.userMetadata.map((m) => m.metadata),
              [id === 2 ? 'two' : 'one'],
            );
            return struck;
          });
          assert.ok(steps >= minSteps, `a checkpoint takes at least ${minSteps} storage steps, saw ${steps}`);
        });
      }

      test('storage failing at any step of a restore fails it whole; a retry restores exactly', async (h) => {
        const steps = await forEveryStep(h, options, async (c, track, k) => {
          const writer = await c.backend();
          await writeOwned(writer, KEYS, 1);
          await writer.snapshot(1, 'one');
          const expected = await dumpAll([writer], KEYS);
          await c.stop(writer);
          const failing = new FailingCheckpointStorage(await c.storage());
          track(failing);
          failing.arm(k, 'before');
          const attempt = await c.backend({ storage: failing, restoreFrom: 'latest' }).then(
            (backend) => backend,
            () => undefined,
          );
          const struck = failing.failed;
          failing.arm(0);
          if (attempt !== undefined) assert.deepEqual(await dumpAll([attempt], KEYS), expected);
          const retry = await c.backend({ restoreFrom: 'latest' });
          assert.deepEqual(await dumpAll([retry], KEYS), expected, `failure at step ${k}`);
          return struck;
        });
        assert.ok(steps >= 3, `a restore takes at least 3 storage steps, saw ${steps}`);
      });
    },
  };
}
