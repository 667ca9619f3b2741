import { CheckpointAlreadyExistsError, FencedError } from '@statebackend/aws-base';
import { assertNotFenced, type CommittedCheckpoint, type WriterLease } from '@statebackend/aws-base/spi';
import type { FencingState } from './s3-claims.js';
import { intersects } from './s3-fencing.js';

/** What the checks before a commit read: the claims, and the commit records of one checkpoint id. */
export interface CommitCheckReads {
  readFencing(): Promise<FencingState>;
  /** The records of one checkpoint id that count, judged with `fencing` read alongside. */
  listCommittedIn(checkpointId: number, fencing: Promise<FencingState>): Promise<CommittedCheckpoint[]>;
}

/** Checks started early that are kept at most, should snapshots keep failing before their commit. */
const MAX_PENDING = 64;

/**
 * The checks before a commit record is put: the writer is not fenced, and no record of the same
 * checkpoint id holds any of its key groups. They are two listings, so they start as soon as the
 * checkpoint writes its first data file and run while its data uploads; the commit then waits
 * for their answer instead of sending them (one round trip less on the critical path).
 *
 * Checking early loses nothing the commit relies on: the claims are listed again after the put
 * (a claim that landed since fences the commit, which withdraws its record), a record by this
 * very writer is refused by the put's `If-None-Match: *`, and a record of the same id by another
 * epoch that appears meanwhile comes from a writer one of the two claims fences. An early check
 * that failed for another reason (a listing that failed) is repeated by the commit.
 */
export class S3CommitChecks {
  readonly #pending = new Map<string, Promise<void>>();
  /** The checks that failed with the commit's verdict (fenced, or the checkpoint exists). */
  readonly #refused = new Map<string, unknown>();
  readonly #reads: CommitCheckReads;
  readonly #location: string;

  constructor(reads: CommitCheckReads, location: string) {
    this.#reads = reads;
    this.#location = location;
  }

  /** Starts the checks of `lease`'s commit of `checkpointId` unless they run already. */
  start(lease: WriterLease, checkpointId: number): void {
    const key = keyOf(lease, checkpointId);
    if (this.#pending.has(key)) return;
    const check = this.#check(lease, checkpointId);
    // Awaited by the commit; a snapshot that fails before it must not leave it unhandled.
    check.catch((error: unknown) => {
      const refusal = error instanceof FencedError || error instanceof CheckpointAlreadyExistsError;
      if (refusal && this.#pending.get(key) === check) this.#refused.set(key, error);
    });
    this.#pending.set(key, check);
    for (const oldest of this.#pending.keys()) {
      if (this.#pending.size <= MAX_PENDING) break;
      this.#pending.delete(oldest);
      this.#refused.delete(oldest);
    }
  }

  /** Throws the verdict of checks started early when it is known already: the commit would fail. */
  throwIfRefused(lease: WriterLease, checkpointId: number): void {
    const error = this.#refused.get(keyOf(lease, checkpointId));
    if (error !== undefined) throw error;
  }

  /**
   * Resolves when the commit may put its record: the checks started early when they succeeded or
   * refused the commit, fresh ones otherwise. Fails with `FencedError` or
   * `CheckpointAlreadyExistsError`. The checks of this and older checkpoint ids are dropped.
   */
  async beforeCommit(lease: WriterLease, checkpointId: number): Promise<void> {
    const early = this.#pending.get(keyOf(lease, checkpointId));
    for (const key of [...this.#pending.keys()]) {
      if (checkpointIdOf(key) <= checkpointId) {
        this.#pending.delete(key);
        this.#refused.delete(key);
      }
    }
    if (early !== undefined) {
      try {
        await early;
        return;
      } catch (error) {
        if (error instanceof FencedError || error instanceof CheckpointAlreadyExistsError) throw error;
      }
    }
    await this.#check(lease, checkpointId);
  }

  async #check(lease: WriterLease, checkpointId: number): Promise<void> {
    // Both are reads: one round trip instead of two.
    const fencing = this.#reads.readFencing();
    const [{ claims }, committed] = await Promise.all([
      fencing,
      this.#reads.listCommittedIn(checkpointId, fencing),
    ]);
    assertNotFenced(this.#location, claims, lease);
    const existing = committed.find((c) => intersects(c.keyGroupRange, lease.keyGroupRange));
    if (existing !== undefined) {
      throw new CheckpointAlreadyExistsError(this.#location, checkpointId, `by ${existing.path}`);
    }
  }
}

function keyOf(lease: WriterLease, checkpointId: number): string {
  return `${checkpointId}/${lease.epoch}`;
}

function checkpointIdOf(key: string): number {
  return Number(key.slice(0, key.indexOf('/')));
}
