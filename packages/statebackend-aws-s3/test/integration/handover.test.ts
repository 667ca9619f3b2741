import type { S3Client } from '@aws-sdk/client-s3';
import {
  type CheckpointingHeapKeyedStateBackend,
  FencedError,
  Serializers,
  SnapshotAbortedError,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import { cleanupAfterAll, describeEachTarget } from '@statebackend/testkit';
import { keyedBackend, s3StateBackend } from '../support/s3-backend.js';
import { createBucket, removeObjects, s3ClientFor } from '../support/s3-bucket.js';

type Backend = CheckpointingHeapKeyedStateBackend<string>;

const counts = new ValueStateDescriptor('count', Serializers.int, 0);

async function count(backend: Backend): Promise<number> {
  return backend.withKey('k', (ctx) => ctx.getState(counts).value());
}

async function setCount(backend: Backend, value: number): Promise<void> {
  await backend.withKey('k', (ctx) => ctx.getState(counts).update(value));
}

/** Counts the requests a client completed; resolves waiters once a count is reached or `release()`d. */
class Progress {
  #done = 0;
  #released = false;
  readonly #waiters: { count: number; resolve: () => void }[] = [];

  constructor(client: S3Client) {
    client.middlewareStack.add(
      (next) => async (args) => {
        try {
          return await next(args);
        } finally {
          this.#done++;
          this.#wake();
        }
      },
      { step: 'initialize', name: 'countRequests' },
    );
  }

  atLeast(count: number): Promise<void> {
    if (this.#released || this.#done >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  release(): void {
    this.#released = true;
    this.#wake();
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) {
      if (this.#released || this.#done >= waiter.count) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}

describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  const s3 = s3ClientFor(target, cleanup);
  let bucket: string;

  beforeAll(async () => {
    bucket = await createBucket(s3, target, cleanup, 's3-handover');
  });

  it('rejects a snapshot aborted while it uploads with SnapshotAbortedError, as local storage does', async () => {
    const client = s3ClientFor(target, cleanup);
    const backend = s3StateBackend(target, client, bucket, { compression: 'none' });
    const writer = await keyedBackend(backend, 'aborted');
    const blobs = new ValueStateDescriptor('blob', Serializers.string, '');
    // 12 MiB of state: the first part goes up while later key groups are still being encoded.
    await Promise.all(
      Array.from({ length: 3000 }, (_, i) =>
        writer.withKey(`key-${i}`, (ctx) => ctx.getState(blobs).update(`${i}`.padEnd(4096, 'x'))),
      ),
    );
    let aborted: Promise<void> | undefined;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UploadPartCommand') aborted ??= writer.notifyCheckpointAborted(1);
        return next(args);
      },
      { step: 'initialize', name: 'abortDuringUpload' },
    );

    const outcome = await writer.snapshot(1).catch((error: unknown) => error);
    await aborted;

    expect(aborted).toBeDefined();
    expect(outcome).toBeInstanceOf(SnapshotAbortedError);
    expect(await backend.storageFor('aborted', 'op').listCommitted()).toEqual([]);
    await writer.dispose();
    await backend.close();
  });

  /**
   * The scenario of the issue: owner A has checkpoint 1 and commits 2 while owner B builds a
   * backend for the same key groups. Each try lets B get a different number of requests done
   * before A's commit record is put and before A's check after the put, so the tries cover
   * every way B's claim and listing fall around A's commit.
   */
  it('hands over exactly while the old owner commits: 0 wrong outcomes in 200 tries', async () => {
    const TRIES = 200;
    const CONCURRENT = 5;
    const wrong: string[] = [];
    const outcomes = new Map<string, number>();
    const oneTry = async (attempt: number): Promise<void> => {
      const jobId = `race-${attempt}`;
      const clientA = s3ClientFor(target, cleanup);
      const clientB = s3ClientFor(target, cleanup);
      const progressB = new Progress(clientB);
      const settings = { compression: 'none', incremental: false } as const;
      const backendA = s3StateBackend(target, clientA, bucket, settings);
      const backendB = s3StateBackend(target, clientB, bucket, settings);
      const ownerA = await keyedBackend(backendA, jobId);
      await setCount(ownerA, 1);
      await ownerA.snapshot(1);
      await ownerA.notifyCheckpointComplete(1);
      await setCount(ownerA, 2);

      let buildB: Promise<Backend> | undefined;
      const beforePut = attempt % 15;
      const beforeCheck = beforePut + (Math.floor(attempt / 15) % 5);
      clientA.middlewareStack.add(
        (next, context) => async (args) => {
          const input = args.input as { Key?: string; IfNoneMatch?: string };
          if (input.IfNoneMatch === '*' && input.Key?.includes('/chk-2/_metadata') === true) {
            buildB ??= keyedBackend(backendB, jobId);
            buildB.then(
              () => progressB.release(),
              () => progressB.release(),
            );
            await progressB.atLeast(beforePut);
            return next(args);
          }
          if (buildB !== undefined && context.commandName === 'ListObjectsV2Command') {
            await progressB.atLeast(beforeCheck);
          }
          return next(args);
        },
        { step: 'initialize', name: 'raceOwnerB' },
      );

      const committedA = await ownerA.snapshot(2).then(
        () => 'committed',
        (error: unknown) => (error instanceof FencedError ? 'fenced' : `failed: ${String(error)}`),
      );
      if (buildB === undefined) throw new Error('owner B never started');
      const ownerB = await buildB.catch((error: unknown) => new Error(String(error)));
      await ownerA.dispose();
      if (ownerB instanceof Error) {
        wrong.push(`try ${attempt}: B failed to build: ${ownerB.message}`);
        return;
      }
      const restoredB = await count(ownerB);
      await ownerB.dispose();
      // B never checkpointed: a third owner restores the latest checkpoint there is now.
      const ownerC = await keyedBackend(backendB, jobId);
      const restoredC = await count(ownerC);
      await ownerC.dispose();
      await backendA.close();
      await backendB.close();
      await removeObjects(s3, bucket, `it/${jobId}/`);

      const outcome = `A ${committedA}, B restored ${restoredB}, then C restored ${restoredC}`;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      const exact =
        (committedA === 'committed' && restoredB === 2 && restoredC === 2) ||
        (committedA === 'fenced' && restoredB === 1 && restoredC === 1);
      if (!exact) wrong.push(`try ${attempt}: ${outcome}`);
    };
    for (let first = 0; first < TRIES; first += CONCURRENT) {
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENT, TRIES - first) }, (_, i) => oneTry(first + i)),
      );
    }

    expect(wrong).toEqual([]);
    // Both sides of the linearization point were reached.
    expect([...outcomes.keys()].some((o) => o.includes('B restored 1'))).toBe(true);
    expect([...outcomes.keys()].some((o) => o.includes('B restored 2'))).toBe(true);
  }, 240_000);
});
