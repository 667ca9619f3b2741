import type { FrozenEntry } from './flush.js';
import { type KeyGroupReadScope, readKeyGroup, type VisibleEntry } from './key-group-reader.js';

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

/** What a hold needs of its store. */
export interface HoldHost {
  /** Writes `frozen` as generation `gen` of the own slot. */
  flush(frozen: readonly FrozenEntry[], gen: number): Promise<unknown>;
  /** Runs a task in the store's one-at-a-time queue, after those queued before it. */
  enqueue(task: () => Promise<void>): Promise<void>;
  /** The hold was released. */
  released(): void;
}

/**
 * Takes a hold of what the store froze when it closed generation `gen` (`frozen`, what changed):
 * queues a task that writes it as uncommitted versions and then keeps the queue until the hold is
 * released, so that no later write reaches DynamoDB while the reader reads (through `reader`: the
 * store's slot and lineage now). The writer's own slot then holds exactly the state at the call.
 */
export function takeHold(
  gen: number,
  frozen: readonly FrozenEntry[],
  reader: KeyGroupReadScope,
  host: HoldHost,
): StoreHold {
  let release = (): void => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  host
    .enqueue(async () => {
      await host.flush(frozen, gen);
      settle?.resolve();
      await released;
    })
    .catch((error: unknown) => settle?.reject(error));
  // Handled here too: a hold whose reader never starts must not end the process when it fails.
  ready.catch(() => undefined);
  return {
    ready,
    readKeyGroup: (keyGroup) => readKeyGroup(reader, keyGroup),
    release: () => {
      host.released();
      release();
    },
  };
}
