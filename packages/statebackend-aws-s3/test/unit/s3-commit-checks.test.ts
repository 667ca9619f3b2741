import {
  CheckpointAlreadyExistsError,
  CheckpointStorageError,
  FencedError,
  KeyGroupRange,
} from '@statebackend/aws-base';
import type { CommittedCheckpoint, WriterLease } from '@statebackend/aws-base/spi';
import { S3CommitChecks } from '../../src/storage/s3-commit-checks.js';

const LOCATION = 's3://bucket/ckpt/job/op';
const lease: WriterLease = { epoch: 3, keyGroupRange: KeyGroupRange.of(0, 63) };

/** Listings answered from arrays the test changes, counting how often each is read. */
function reads(claims: WriterLease[] = [lease], committed: CommittedCheckpoint[] = []) {
  const counts = { claims: 0, committed: 0 };
  let failNext = false;
  return {
    counts,
    claims,
    committed,
    failNextListing: () => {
      failNext = true;
    },
    readFencing: async () => {
      counts.claims++;
      if (failNext) {
        failNext = false;
        throw new CheckpointStorageError('list', LOCATION, { cause: new Error('reset'), retryable: true });
      }
      return { claims: [...claims], highestEpoch: 0, cutEpochs: new Set<number>() };
    },
    listCommittedIn: async (checkpointId: number, fencing: Promise<unknown>) => {
      await fencing.catch(() => undefined);
      counts.committed++;
      return committed.filter((c) => c.checkpointId === checkpointId);
    },
  };
}

const record = (checkpointId: number, range: KeyGroupRange, epoch: number): CommittedCheckpoint => ({
  checkpointId,
  keyGroupRange: range,
  writerEpoch: epoch,
  path: `chk-${checkpointId}/_metadata.kg-${range.startKeyGroup}-${range.endKeyGroup}.e${epoch}`,
  size: 10,
  committedAt: 0,
});

describe('S3CommitChecks', () => {
  it('lists once for a commit whose checks started with its first data file', async () => {
    const store = reads();
    const checks = new S3CommitChecks(store, LOCATION);

    checks.start(lease, 7);
    checks.start(lease, 7); // a second data file of the same checkpoint
    await checks.beforeCommit(lease, 7);

    expect(store.counts).toEqual({ claims: 1, committed: 1 });
  });

  it('checks at the commit when no data file started the checks', async () => {
    const store = reads();
    const checks = new S3CommitChecks(store, LOCATION);

    await checks.beforeCommit(lease, 7);
    await checks.beforeCommit(lease, 7);

    expect(store.counts).toEqual({ claims: 2, committed: 2 });
  });

  it('fails the commit with FencedError when a newer claim was listed early, and the next data file at once', async () => {
    const store = reads([lease, { epoch: 4, keyGroupRange: KeyGroupRange.of(32, 127) }]);
    const checks = new S3CommitChecks(store, LOCATION);

    checks.start(lease, 7);
    await new Promise((resolve) => setImmediate(resolve));

    expect(() => checks.throwIfRefused(lease, 7)).toThrow(FencedError);
    await expect(checks.beforeCommit(lease, 7)).rejects.toBeInstanceOf(FencedError);
    expect(store.counts).toEqual({ claims: 1, committed: 1 });
  });

  it('drops the early checks of a checkpoint once a later one commits', async () => {
    const store = reads();
    const checks = new S3CommitChecks(store, LOCATION);

    checks.start(lease, 5);
    await checks.beforeCommit(lease, 6);
    await checks.beforeCommit(lease, 5); // checked afresh: what was listed for it is gone

    expect(store.counts).toEqual({ claims: 3, committed: 3 });
  });

  it('refuses a commit whose checkpoint id already has a record holding its key groups', async () => {
    const store = reads([lease], [record(7, KeyGroupRange.of(60, 90), 2)]);
    const checks = new S3CommitChecks(store, LOCATION);

    checks.start(lease, 7);
    await new Promise((resolve) => setImmediate(resolve));

    expect(() => checks.throwIfRefused(lease, 7)).toThrow(CheckpointAlreadyExistsError);
    await expect(checks.beforeCommit(lease, 7)).rejects.toBeInstanceOf(CheckpointAlreadyExistsError);
    expect(store.counts).toEqual({ claims: 1, committed: 1 });
  });

  it('repeats checks that failed for another reason than a refusal, at the commit', async () => {
    const store = reads();
    const checks = new S3CommitChecks(store, LOCATION);
    store.failNextListing();

    checks.start(lease, 7);
    await new Promise((resolve) => setImmediate(resolve));
    expect(() => checks.throwIfRefused(lease, 7)).not.toThrow();
    await checks.beforeCommit(lease, 7);

    expect(store.counts).toEqual({ claims: 2, committed: 2 });
  });
});
