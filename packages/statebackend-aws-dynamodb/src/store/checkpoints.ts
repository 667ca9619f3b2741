import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { SnapshotAbortedError } from '@statebackend/aws-base';
import { flushEntries, freeze, supersededItems } from './flush.js';
import { pruneCommits } from './prune-commits.js';
import type { StoreContext } from './store-context.js';

/** A completed checkpoint, as `DynamoDbStateStore.snapshot` returns it. */
export interface CompletedCheckpoint {
  readonly checkpointId: number;
  readonly durationMs: number;
  /** Entries written by the checkpoint's flush. */
  readonly entriesWritten: number;
  /** Bytes of keys and values its flush wrote: the checkpoint's incremental size. */
  readonly bytesWritten: number;
}

/**
 * The checkpoint side of a store: snapshots (frozen at the call, written and committed later),
 * completion and abort notices, and the clean-up of what no restorable checkpoint needs. Every
 * method that returns a task expects it to run in the store's one-at-a-time queue.
 */
export class Checkpoints {
  readonly #ctx: StoreContext;
  /** Snapshots called and not aborted, until they commit. */
  readonly #inFlight = new Set<number>();
  /** Ancestors' items each committed checkpoint superseded, deleted once it is the oldest restorable. */
  readonly #superseded = new Map<number, WriteRequest[]>();

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Closes the open generation and freezes what changed, now; returns the task that writes and commits it. */
  begin(checkpointId: number, metadata: Uint8Array, states?: string): () => Promise<CompletedCheckpoint> {
    const ctx = this.#ctx;
    const gen = ctx.gen++;
    const frozen = freeze(ctx.cache.dirty());
    const started = performance.now();
    const bytes = metadata.slice();
    this.#inFlight.add(checkpointId);
    return async () => {
      const bytesWritten = await flushEntries(ctx, frozen, gen);
      if (!this.#inFlight.delete(checkpointId)) {
        throw new SnapshotAbortedError(checkpointId, 'it was aborted while its state was written');
      }
      await ctx.log.commit({
        checkpointId,
        epoch: ctx.epoch,
        cutoff: gen,
        start: ctx.keyGroupRange.startKeyGroup,
        end: ctx.keyGroupRange.endKeyGroup,
        lineage: ctx.lineage,
        metadata: bytes,
        committedAt: Date.now(),
        restorable: ctx.tracker.restorableAfterCommit(checkpointId),
        maxParallelism: ctx.maxParallelism,
        buckets: ctx.buckets,
        written: { entries: frozen.length, bytes: bytesWritten },
        ...(states === undefined ? {} : { states }),
      });
      ctx.tracker.onCommitted(checkpointId, gen);
      this.#superseded.set(checkpointId, supersededItems(frozen));
      await this.#cleanUp();
      const durationMs = performance.now() - started;
      ctx.metrics.checkpointDurationMs.update(Math.round(durationMs));
      return { checkpointId, durationMs, entriesWritten: frozen.length, bytesWritten };
    };
  }

  /** The task of a completion notice. */
  complete(checkpointId: number): () => Promise<void> {
    return async () => {
      const ctx = this.#ctx;
      if (!ctx.tracker.confirm(checkpointId)) return;
      await ctx.log.updateRestorable(ctx.tracker.restorableIds());
      await this.#cleanUp();
    };
  }

  /** Stops a snapshot still writing `checkpointId` now; returns the task that removes its commit. */
  abort(checkpointId: number): () => Promise<void> {
    this.#inFlight.delete(checkpointId);
    return async () => {
      const ctx = this.#ctx;
      if (!ctx.tracker.isPending(checkpointId)) return;
      const records = await ctx.log.list();
      await ctx.log.remove(records.filter((c) => c.checkpointId === checkpointId && c.epoch === ctx.epoch));
      ctx.tracker.abort(checkpointId);
      this.#superseded.delete(checkpointId);
    };
  }

  /** Deletes what no restorable checkpoint needs: ancestors' items and older commit records. */
  async #cleanUp(): Promise<void> {
    const ctx = this.#ctx;
    const oldest = ctx.tracker.oldestRestorable();
    if (oldest === undefined) return;
    try {
      for (const [id, deletes] of this.#superseded) {
        if (id > oldest) continue;
        if (deletes.length > 0) await ctx.io.batchWrite(deletes);
        this.#superseded.delete(id);
      }
      await pruneCommits(ctx, oldest);
    } catch (error) {
      // Clean-up only: what stays is deleted at a later checkpoint, or overwritten.
      ctx.logger.warn('Could not delete superseded versions or commit records', { error: String(error) });
    }
  }
}
