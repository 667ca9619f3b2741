import { flushEntries, freeze } from './flush.js';
import { readKeyGroup, type VisibleEntry } from './key-group-reader.js';
import type { StoreContext } from './store-context.js';

/**
 * The store held at one moment for a reader of its whole state (a savepoint export): see
 * `DynamoDbStateStore.hold`.
 */
export interface StoreHold {
  /** Resolves once what changed before the hold is in DynamoDB; rejects when that write failed. */
  readonly ready: Promise<void>;
  /** Every entry of `keyGroup` as it was when the hold was taken. Wait for {@link ready} first. */
  readKeyGroup(keyGroup: number): Promise<VisibleEntry[]>;
  /** Lets writes reach DynamoDB again. Idempotent. */
  release(): void;
}

/**
 * Takes a hold: closes the open generation and freezes what changed now; queues (through
 * `enqueue`, the store's one-at-a-time queue) a task that writes it as uncommitted versions and
 * then keeps the queue until the hold is released, so that no later write reaches DynamoDB while
 * the reader reads. The writer's own slot then holds exactly the state at this call.
 */
export function takeHold(
  ctx: StoreContext,
  enqueue: (task: () => Promise<void>) => Promise<void>,
  onRelease: () => void,
): StoreHold {
  const gen = ctx.gen++;
  const frozen = freeze(ctx.cache.dirty());
  let release = (): void => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  enqueue(async () => {
    await flushEntries(ctx, frozen, gen);
    settle?.resolve();
    await released;
  }).catch((error: unknown) => settle?.reject(error));
  // Handled here too: a hold whose reader never starts must not end the process when it fails.
  ready.catch(() => undefined);
  const scope = {
    io: ctx.io,
    scopeBytes: ctx.scopeBytes,
    buckets: ctx.buckets,
    ownEpoch: ctx.epoch,
    lineage: ctx.lineage,
  };
  return {
    ready,
    readKeyGroup: (keyGroup) => readKeyGroup(scope, keyGroup),
    release: () => {
      onRelease();
      release();
    },
  };
}
