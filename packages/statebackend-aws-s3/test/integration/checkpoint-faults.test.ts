import {
  type CheckpointingHeapKeyedStateBackend,
  listCheckpoints,
  Serializers,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import { cleanupAfterAll, describeEachTarget } from '@statebackend/testkit';
import { type FaultMode, S3FaultInjector } from '../support/fault-injection.js';
import { keyedBackend, parameters, s3StateBackend } from '../support/s3-backend.js';
import { createBucket, listKeys, openUploads, s3ClientFor } from '../support/s3-bucket.js';

const counts = new ValueStateDescriptor('count', Serializers.int, 0);
const KEYS = Array.from({ length: 60 }, (_, i) => `key-${i}`);

async function write(
  backend: CheckpointingHeapKeyedStateBackend<string>,
  keys: readonly string[],
  value: number,
): Promise<void> {
  await Promise.all(keys.map((key) => backend.withKey(key, (ctx) => ctx.getState(counts).update(value))));
}

async function read(backend: CheckpointingHeapKeyedStateBackend<string>): Promise<number[]> {
  return Promise.all(KEYS.map((key) => backend.withKey(key, (ctx) => ctx.getState(counts).value())));
}

/** State at checkpoint 1: every key 1. At checkpoint 2: the first ten keys 2. */
const AT_1 = KEYS.map(() => 1);
const AT_2 = KEYS.map((_, i) => (i < 10 ? 2 : 1));

describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  const clean = s3ClientFor(target, cleanup);
  const faulty = s3ClientFor(target, cleanup, { maxAttempts: 1 });
  const failures = new S3FaultInjector(faulty);
  // Answers lost inside the SDK's retry loop: the SDK repeats the request, which S3 already applied.
  const retrying = s3ClientFor(target, cleanup, { maxAttempts: 3 });
  const repeats = new S3FaultInjector(retrying, 'deserialize');
  let bucket: string;

  beforeAll(async () => {
    bucket = await createBucket(clean, target, cleanup, 's3-faults');
  });

  /**
   * Checkpoint 1 completes; checkpoint 2 runs with call `k` failing. Returns whether
   * checkpoint 2 reported success.
   */
  async function checkpointWithFault(
    jobId: string,
    k: number,
    mode: FaultMode,
    faults: S3FaultInjector = failures,
  ): Promise<boolean> {
    const client = faults === failures ? faulty : retrying;
    const backend = s3StateBackend(target, client, bucket, { retainedCheckpoints: 1 });
    const writer = await keyedBackend(backend, jobId);
    await write(writer, KEYS, 1);
    await writer.snapshot(1);
    await write(writer, KEYS.slice(0, 10), 2);
    faults.arm(k, mode);
    const succeeded = await writer.snapshot(2).then(
      () => true,
      () => false,
    );
    faults.disarm();
    await writer.dispose();
    await backend.close();
    return succeeded;
  }

  it('counts the S3 calls of an incremental checkpoint without faults', async () => {
    expect(await checkpointWithFault('fault-dry-run', 0, 'request-lost')).toBe(true);
    expect(failures.calls).toBeGreaterThanOrEqual(6);
    expect(failures.commands).toEqual(expect.arrayContaining(['PutObjectCommand', 'ListObjectsV2Command']));
  });

  const cases = [
    ['request-lost', failures],
    ['response-lost', failures],
    ['response-lost-and-repeated-by-the-SDK', repeats],
  ] as const;
  for (const [name, faults] of cases) {
    const mode: FaultMode = name === 'request-lost' ? 'request-lost' : 'response-lost';
    it(`restores exactly the last complete checkpoint and leaves no orphan after failing each call of a checkpoint (${name})`, async () => {
      await checkpointWithFault(`fault-calls-${name}`, 0, mode, faults);
      const total = faults.calls;
      const outcomes: string[] = [];
      for (let k = 1; k <= total; k++) {
        const jobId = `fault-${name}-${k}`;
        const reported = await checkpointWithFault(jobId, k, mode, faults);

        const backend = s3StateBackend(target, clean, bucket, { retainedCheckpoints: 1 });
        const storage = backend.storageFor(jobId, 'op');
        const reader = await backend.createKeyedStateBackend(parameters(jobId), { storage });
        const restored = reader.restored?.checkpointId;
        // A checkpoint reported complete is restored; one that failed is restored only if its
        // commit record was stored before the answer got lost.
        if (reported) expect({ k, restored }).toEqual({ k, restored: 2 });
        outcomes.push(`${reported ? 'ok' : 'failed'}:${restored}`);
        expect({ k, state: await read(reader) }).toEqual({ k, state: restored === 2 ? AT_2 : AT_1 });

        await write(reader, KEYS.slice(20, 25), 3);
        await reader.snapshot(3);
        await reader.notifyCheckpointComplete(3);
        const [latest] = await listCheckpoints(storage);
        const expected = new Set<string>();
        for (const part of latest?.parts ?? []) {
          expected.add(storage.layout.keyOf(part.committed.path));
          for (const file of part.metadata.files) expected.add(storage.layout.keyOf(file.path));
        }
        const prefix = `it/${jobId}/op/`;
        const stored = (await listKeys(clean, bucket, prefix)).filter(
          (key) => !key.startsWith(`${prefix}_fencing/`),
        );
        expect({ k, stored }).toEqual({ k, stored: [...expected].sort() });
        await reader.dispose();
        await backend.close();
      }
      expect(await openUploads(clean, bucket)).toEqual([]);
      if (faults === failures) {
        // The faults bit: some runs failed before the commit (restoring 1), some after it.
        expect(outcomes).toEqual(expect.arrayContaining(['failed:1', 'ok:2']));
      } else {
        // Every repeated request is absorbed: each checkpoint completes.
        expect(outcomes.every((o) => o === 'ok:2')).toBe(true);
      }
    });
  }
});
