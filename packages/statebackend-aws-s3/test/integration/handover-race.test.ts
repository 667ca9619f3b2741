import type { S3Client } from '@aws-sdk/client-s3';
import {
  type CheckpointingHeapKeyedStateBackend,
  FencedError,
  KeyGroupRange,
  Serializers,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import { cleanupAfterAll, describeEachTarget, seededRandom } from '@statebackend/testkit';
import { S3CheckpointStorage } from '../../src/index.js';
import { keyedBackend, s3StateBackend } from '../support/s3-backend.js';
import { createBucket, removeObjects, s3ClientFor } from '../support/s3-bucket.js';

type Backend = CheckpointingHeapKeyedStateBackend<string>;
const counts = new ValueStateDescriptor('count', Serializers.int, 0);
const RANGE = KeyGroupRange.of(0, 127);

/** Appends `<role> <command>` to `log` for every request of `client` that decides ownership, when it completes. */
function logDecidingRequests(client: S3Client, role: string, log: { current: string[] }): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const key =
        (args.input as { Key?: string; Prefix?: string }).Key ??
        (args.input as { Prefix?: string }).Prefix ??
        '';
      try {
        return await next(args);
      } finally {
        if (/_fencing|_metadata|chk-$/.test(key)) log.current.push(`${role} ${context.commandName}`);
      }
    },
    { step: 'initialize', name: 'logDecidingRequests' },
  );
}

/**
 * Real concurrency, no scheduler: many jobs at once, each handing its key groups over again and
 * again while the current owner commits, so the requests of the two owners interleave as the
 * emulator serves them. Each handover is checked against the invariant; the orders of the
 * owners' deciding requests (claims, listings, commit records, cuts) are counted.
 */
describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  const s3 = s3ClientFor(target, cleanup);
  let bucket: string;

  beforeAll(async () => {
    bucket = await createBucket(s3, target, cleanup, 's3-race');
  });

  it('hands over exactly in many concurrent races, in many orders of the owners’ requests', async () => {
    const JOBS = 4;
    const ROUNDS = 20;
    const wrong: string[] = [];
    const orders = new Set<string>();
    let handovers = 0;
    const random = seededRandom(19);

    const job = async (index: number): Promise<void> => {
      const log = { current: [] as string[] };
      const roles = ['even', 'odd'].map((role) => {
        const client = s3ClientFor(target, cleanup);
        logDecidingRequests(client, role, log);
        return {
          role,
          backend: s3StateBackend(target, client, bucket, { compression: 'none', incremental: false }),
        };
      });
      const jobId = `race-${target.name}-${index}`;
      let owner: Backend = await keyedBackend((roles[0] as (typeof roles)[number]).backend, jobId);
      let acked = 0;
      for (let round = 1; round <= ROUNDS; round++) {
        await owner.withKey('k', (ctx) => ctx.getState(counts).update(round));
        log.current = [];
        const next = (roles[round % 2] as (typeof roles)[number]).backend;
        // Who starts first, and by how many turns, varies; the emulator does the rest.
        const head = Math.floor(random() * 3);
        const start = async <T>(first: boolean, run: () => Promise<T>): Promise<T> => {
          for (let turn = 0; turn < (first ? 0 : head); turn++) await new Promise((r) => setImmediate(r));
          return run();
        };
        const commitFirst = random() < 0.5;
        const [committed, successor] = await Promise.all([
          start(commitFirst, () =>
            owner.snapshot(round).then(
              () => 'ok' as const,
              (error: unknown) => (error instanceof FencedError ? ('fenced' as const) : error),
            ),
          ),
          start(!commitFirst, () => keyedBackend(next, jobId).catch((error: unknown) => error)),
        ]);
        orders.add(log.current.join(','));
        handovers++;
        await owner.dispose();
        if (!(successor instanceof Object && 'withKey' in successor)) {
          wrong.push(`${jobId} round ${round}: the new owner failed: ${String(successor)}`);
          return;
        }
        const restored = await (successor as Backend).withKey('k', (ctx) => ctx.getState(counts).value());
        if (committed === 'ok') acked = round;
        const exact =
          (committed === 'ok' && restored === round) || (committed === 'fenced' && restored === acked);
        if (!exact)
          wrong.push(`${jobId} round ${round}: commit ${String(committed)}, new owner restored ${restored}`);
        owner = successor as Backend;
      }
      await owner.dispose();
      const fresh = await keyedBackend((roles[0] as (typeof roles)[number]).backend, jobId);
      const final = await fresh.withKey('k', (ctx) => ctx.getState(counts).value());
      if (final !== acked) wrong.push(`${jobId}: a fresh owner restored ${final}, not ${acked}`);
      await fresh.dispose();
      for (const { backend } of roles) await backend.close();
      await removeObjects(s3, bucket, `it/${jobId}/`);
    };
    await Promise.all(Array.from({ length: JOBS }, (_, i) => job(i)));

    process.stderr.write(
      `S3 on ${target.name}: ${handovers} concurrent handovers, ${orders.size} distinct orders of the owners' deciding requests\n`,
    );
    expect(wrong).toEqual([]);
    expect(handovers).toBe(JOBS * ROUNDS);
    expect(orders.size).toBeGreaterThan(10);
  }, 120_000);

  it('counts a commit exactly when the new owner listed it, in many concurrent storage-level handovers', async () => {
    const JOBS = 10;
    const ROUNDS = 15;
    const wrong: string[] = [];
    const orders = new Set<string>();
    let handovers = 0;
    let countedBeforeClaim = 0;
    const random = seededRandom(1919);
    const job = async (index: number): Promise<void> => {
      const log = { current: [] as string[] };
      const storages = ['even', 'odd'].map((role) => {
        const client = s3ClientFor(target, cleanup);
        logDecidingRequests(client, role, log);
        return new S3CheckpointStorage({
          client,
          bucket,
          prefix: 'race',
          jobId: `job-${index}`,
          operatorId: 'op',
        });
      });
      const first = storages[0] as S3CheckpointStorage;
      let lease = { storage: first, lease: await first.claim(RANGE) };
      const acked: number[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        log.current = [];
        const successor = storages[round % 2] as S3CheckpointStorage;
        const { storage, lease: old } = lease;
        const head = Math.floor(random() * 4);
        const commit = (async () => {
          await storage.writeFile(old, round, 'exclusive', [new Uint8Array([round])]);
          return storage.commit(old, round, new TextEncoder().encode(`checkpoint ${round}`)).then(
            () => 'ok' as const,
            (error: unknown) => (error instanceof FencedError ? ('fenced' as const) : error),
          );
        })();
        const takeOver = (async () => {
          for (let turn = 0; turn < head; turn++) await new Promise((r) => setImmediate(r));
          const claimed = await successor.claim(RANGE);
          return { claimed, listed: (await successor.listCommitted()).map((c) => c.checkpointId) };
        })();
        const [committed, { claimed, listed }] = await Promise.all([commit, takeOver]);
        orders.add(log.current.join(','));
        handovers++;
        if (committed === 'ok') acked.push(round);
        if (committed === 'ok') countedBeforeClaim++;
        const seen = listed.includes(round);
        if ((committed === 'ok') !== seen)
          wrong.push(`job ${index} round ${round}: commit ${String(committed)}, listed ${seen}`);
        lease = { storage: successor, lease: claimed };
      }
      const final = (await first.listCommitted()).map((c) => c.checkpointId);
      if (JSON.stringify(final) !== JSON.stringify(acked)) {
        wrong.push(
          `job ${index}: at the end ${JSON.stringify(final)} count, acknowledged ${JSON.stringify(acked)}`,
        );
      }
      await removeObjects(s3, bucket, `race/job-${index}/`);
    };
    await Promise.all(Array.from({ length: JOBS }, (_, i) => job(i)));

    process.stderr.write(
      `S3 on ${target.name}: ${handovers} storage-level handovers (${countedBeforeClaim} commits before the claim), ` +
        `${orders.size} distinct orders of the owners' deciding requests\n`,
    );
    expect(wrong).toEqual([]);
    expect(handovers).toBe(JOBS * ROUNDS);
    expect(countedBeforeClaim).toBeGreaterThan(0);
    expect(countedBeforeClaim).toBeLessThan(handovers);
  }, 120_000);
});
