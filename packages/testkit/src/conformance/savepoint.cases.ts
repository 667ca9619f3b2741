import assert from 'node:assert/strict';
import {
  CheckpointingHeapBackendBuilder,
  type CheckpointingKeyedStateBackend,
  computeKeyGroupRangeForOperatorIndex,
  type EncodedSavepoint,
  SavepointSource,
  Serializers,
} from '@statebackend/aws-base';
import { uniqueName } from '../isolation/unique-name.js';
import { checkpointCase, MAX_PARALLELISM } from './checkpoint-case.js';
import type { CheckpointConformanceOptions } from './checkpoint-conformance-options.js';
import { dumpAll, keysWithValue, workloadKeys, writeOwned } from './checkpoint-workload.js';
import type { ConformanceCaseGroup } from './conformance-options.js';
import type { ManualClock } from './manual-clock.js';

const KEYS = workloadKeys(60);

async function bytesOf(savepoint: EncodedSavepoint): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of savepoint.content) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

/** A heap backend (the reference every backend's savepoints must be readable by), operator `index` of `parallelism`. */
function referenceHeap(
  index: number,
  parallelism: number,
  clock: ManualClock,
  restoreFrom?: SavepointSource,
): Promise<CheckpointingKeyedStateBackend<string>> {
  return new CheckpointingHeapBackendBuilder(
    {
      jobId: uniqueName('reference'),
      operatorId: 'op',
      keyGroupRange: computeKeyGroupRangeForOperatorIndex(MAX_PARALLELISM, parallelism, index),
      maxParallelism: MAX_PARALLELISM,
      keySerializer: Serializers.string,
      clock,
    },
    restoreFrom === undefined ? {} : { restoreFrom },
  ).build();
}

/**
 * Canonical savepoints: exported from the backend under test, imported into the reference heap
 * backend (and the other way round), at another parallelism, with every state and the caller's
 * metadata. This is what lets a job move between backends.
 */
export function savepointCases(options: CheckpointConformanceOptions): ConformanceCaseGroup {
  return {
    name: 'canonical savepoints',
    define(test) {
      test(
        'a savepoint exported here imports into the heap backend at another parallelism',
        checkpointCase(options, async (c) => {
          const left = await c.backend({ operator: [0, 2] });
          const right = await c.backend({ operator: [1, 2] });
          for (const backend of [left, right]) await writeOwned(backend, KEYS, 1);
          const expected = await dumpAll([left, right], KEYS);
          const files = [
            await bytesOf(left.exportSavepoint({ userMetadata: 'left' })),
            await bytesOf(right.exportSavepoint({ userMetadata: 'right' })),
          ];
          const source = await SavepointSource.fromBytes(...files);
          const imported = [];
          for (let i = 0; i < 3; i++) imported.push(await referenceHeap(i, 3, c.harness.clock, source));
          assert.deepEqual(await dumpAll(imported, KEYS), expected);
          const seen = (await Promise.all(imported.map(keysWithValue))).flat().sort();
          assert.deepEqual(seen, [...KEYS].sort(), 'every key exactly once');
          // Each instance reports the metadata of the parts it read from, and only those.
          assert.deepEqual(
            imported.map((backend) => backend.restored?.userMetadata.map((m) => m.metadata)),
            [['left'], ['left', 'right'], ['right']],
          );
          for (const backend of imported) await backend.dispose();
        }),
      );

      test(
        'a savepoint of the heap backend imports here, and checkpoints continue from it',
        checkpointCase(options, async (c) => {
          const heap = await referenceHeap(0, 1, c.harness.clock);
          await writeOwned(heap, KEYS, 1);
          const expected = await dumpAll([heap], KEYS);
          const source = await SavepointSource.fromBytes(
            await bytesOf(heap.exportSavepoint({ userMetadata: { offset: 5 } })),
          );
          await heap.dispose();
          const imported = await c.backend({ restoreFrom: source });
          assert.deepEqual(
            imported.restored?.userMetadata.map((m) => m.metadata),
            [{ offset: 5 }],
          );
          assert.deepEqual(await dumpAll([imported], KEYS), expected);
          await imported.snapshot(1);
          await c.stop(imported);
          const restarted = await c.backend({ restoreFrom: 'latest' });
          assert.deepEqual(await dumpAll([restarted], KEYS), expected);
        }),
      );

      test(
        'writes made after exportSavepoint() are not in the savepoint',
        checkpointCase(options, async (c) => {
          const backend = await c.backend();
          await writeOwned(backend, KEYS, 1);
          const expected = await dumpAll([backend], KEYS);
          const savepoint = backend.exportSavepoint();
          await writeOwned(backend, KEYS, 2);
          const source = await SavepointSource.fromBytes(await bytesOf(savepoint));
          const imported = await referenceHeap(0, 1, c.harness.clock, source);
          assert.deepEqual(await dumpAll([imported], KEYS), expected);
          await imported.dispose();
        }),
      );
    },
  };
}
