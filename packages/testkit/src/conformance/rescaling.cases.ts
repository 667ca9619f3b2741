import assert from 'node:assert/strict';
import type { CheckpointingKeyedStateBackend } from '@statebackend/aws-base';
import { type CheckpointCase, checkpointCase } from './checkpoint-case.js';
import type { CheckpointConformanceOptions } from './checkpoint-conformance-options.js';
import { dumpAll, keysWithValue, ownerOf, workloadKeys, writeOwned } from './checkpoint-workload.js';
import type { ConformanceCaseGroup } from './conformance-options.js';

const KEYS = workloadKeys(120);

/** Takes checkpoint 1 at `parallelism`, each operator writing the keys it owns. */
async function checkpointAt(c: CheckpointCase, parallelism: number): Promise<Record<string, unknown>> {
  const operators: CheckpointingKeyedStateBackend<string>[] = [];
  for (let i = 0; i < parallelism; i++) operators.push(await c.backend({ operator: [i, parallelism] }));
  for (const operator of operators) await writeOwned(operator, KEYS, 1);
  for (const [i, operator] of operators.entries()) await operator.snapshot(1, { subtask: i });
  const dump = await dumpAll(operators, KEYS);
  for (const operator of operators) await c.stop(operator);
  return dump;
}

/** Restores checkpoint 1 at `parallelism` and checks every key is in exactly its owner, unchanged. */
async function restoreAt(
  c: CheckpointCase,
  parallelism: number,
  expected: Record<string, unknown>,
): Promise<void> {
  const operators: CheckpointingKeyedStateBackend<string>[] = [];
  for (let i = 0; i < parallelism; i++) {
    operators.push(await c.backend({ operator: [i, parallelism], restoreFrom: { checkpointId: 1 } }));
  }
  const seen: string[] = [];
  for (const [i, operator] of operators.entries()) {
    const keys = await keysWithValue(operator);
    assert.deepEqual(
      keys,
      KEYS.filter((key) => ownerOf(key, parallelism) === i).sort(),
      `operator ${i} of ${parallelism}`,
    );
    seen.push(...keys);
    assert.ok(
      (operator.restored?.userMetadata.length ?? 0) >= 1,
      'the metadata of the parts read comes back',
    );
  }
  assert.deepEqual(seen.sort(), [...KEYS].sort(), 'every key exactly once');
  assert.deepEqual(await dumpAll(operators, KEYS), expected);
  for (const operator of operators) await c.stop(operator);
}

/**
 * Rescaling: a checkpoint taken at one parallelism restores at another, every key exactly once,
 * in the operator that owns its key group, with all of its state.
 */
export function rescalingCases(options: CheckpointConformanceOptions): ConformanceCaseGroup {
  return {
    name: 'restore with rescaling',
    define(test) {
      for (const [from, to] of [
        [2, 1],
        [1, 3],
        [4, 2],
        [2, 3],
      ] as const) {
        test(
          `a checkpoint taken at parallelism ${from} restores at parallelism ${to}`,
          checkpointCase(options, async (c) => {
            const expected = await checkpointAt(c, from);
            await restoreAt(c, to, expected);
          }),
        );
      }

      test(
        'a checkpoint one operator never committed is passed over for the latest complete one',
        checkpointCase(options, async (c) => {
          const left = await c.backend({ operator: [0, 2] });
          const right = await c.backend({ operator: [1, 2] });
          await writeOwned(left, KEYS, 1);
          await writeOwned(right, KEYS, 1);
          await left.snapshot(1);
          await right.snapshot(1);
          const expected = await dumpAll([left, right], KEYS);
          await writeOwned(left, KEYS, 2);
          await left.snapshot(2); // the right operator crashes before its checkpoint 2
          await c.stop(left);
          await c.stop(right);
          const whole = await c.backend({ restoreFrom: 'latest' });
          assert.equal(whole.restored?.checkpointId, 1);
          assert.deepEqual(await dumpAll([whole], KEYS), expected);
        }),
      );
    },
  };
}
