// The seam between the worker and a state store: how the keyed backend of one key group is
// opened (claimed, fencing earlier owners, and restored) and how its checkpoints are listed.
// The heap backend on a CheckpointStorage is the default; `@statebackend/kafka/dynamodb` keeps
// the state in DynamoDB instead.
import {
  CheckpointingHeapBackendBuilder,
  type CheckpointingKeyedStateBackend,
  CheckpointNotFoundError,
  type CheckpointStorage,
  KeyGroupRange,
  type Logger,
  type StateRegistration,
  type TypeSerializer,
} from '@statebackend/aws-base';
import { loadCheckpoint } from '@statebackend/aws-base/spi';

/** What every key group of a job shares; the worker passes it to {@link KeyGroupBackends}. */
export interface KeyGroupBackendParameters<K> {
  readonly jobId: string;
  readonly operatorId: string;
  readonly maxParallelism: number;
  readonly keySerializer: TypeSerializer<K>;
  /** States registered when a key group is opened (a mismatch with the restored ones fails the open). */
  readonly states?: readonly StateRegistration[];
  readonly logger: Logger;
}

/** A committed checkpoint of one key group, as {@link KeyGroupBackends.checkpoints} lists it. */
export interface StoredKeyGroupCheckpoint {
  readonly checkpointId: number;
  /**
   * The user metadata given to `snapshot()` by the parts of this checkpoint that cover the key
   * group; undefined when the checkpoint is gone since it was listed (retention, a newer owner).
   */
  userMetadata(): Promise<readonly unknown[] | undefined>;
}

/** A key group's keyed backend, opened by {@link KeyGroupBackends.open}. */
export interface OpenedKeyGroupBackend<K> {
  /** Range `[keyGroup, keyGroup]`, claimed in the store, restored as asked. */
  readonly backend: CheckpointingKeyedStateBackend<K>;
  /** The epoch of the claim just made: higher than every earlier claim of the key group. */
  readonly epoch: number;
  /** The highest checkpoint id committed for the key group by anyone (0 when none). */
  readonly newestCheckpointId: number;
}

/**
 * Opens the keyed backend of one key group: the worker's seam for state stores. Each owned key
 * group is its own backend of range `[i, i]`; the worker checkpoints it with the input offset as
 * user metadata (`{ kafkaOffset }`), confirms a checkpoint with `notifyCheckpointComplete` once
 * Kafka committed, and disposes of the backend when it loses the key group.
 *
 * An implementation keeps checkpoint N-1 restorable until N is confirmed (retention of one
 * confirmed checkpoint and every newer one), and fences earlier owners when it opens.
 */
export interface KeyGroupBackends {
  /** Where the state lives, for messages. */
  readonly location: string;
  /** The committed checkpoints of `keyGroup`, newest first. */
  checkpoints<K>(
    keyGroup: number,
    parameters: KeyGroupBackendParameters<K>,
  ): Promise<readonly StoredKeyGroupCheckpoint[]>;
  /**
   * Claims `keyGroup` (every earlier owner's later commits fail with `FencedError`) and restores
   * checkpoint `restoreFrom`, or starts empty when it is undefined.
   */
  open<K>(
    keyGroup: number,
    restoreFrom: number | undefined,
    parameters: KeyGroupBackendParameters<K>,
  ): Promise<OpenedKeyGroupBackend<K>>;
}

/** The heap backend of each key group, checkpointing to a `CheckpointStorage` (local, S3). */
export class HeapKeyGroupBackends implements KeyGroupBackends {
  readonly #storage: CheckpointStorage;

  constructor(storage: CheckpointStorage) {
    this.#storage = storage;
  }

  get location(): string {
    return this.#storage.location;
  }

  async checkpoints<K>(
    keyGroup: number,
    parameters: KeyGroupBackendParameters<K>,
  ): Promise<readonly StoredKeyGroupCheckpoint[]> {
    const storage = this.#storage;
    const range = KeyGroupRange.of(keyGroup, keyGroup);
    const ids = (await storage.listCommitted())
      .filter((c) => c.keyGroupRange.contains(keyGroup))
      .map((c) => c.checkpointId);
    return [...new Set(ids)]
      .sort((a, b) => b - a)
      .map((checkpointId) => ({
        checkpointId,
        userMetadata: async () => {
          try {
            const selection = await loadCheckpoint(storage, checkpointId, range, parameters.maxParallelism);
            return selection.parts.map((p) => p.metadata.userMetadata);
          } catch (error) {
            // Removed since it was listed (retention, or an owner discarding abandoned history).
            if (error instanceof CheckpointNotFoundError) return undefined;
            throw error;
          }
        },
      }));
  }

  async open<K>(
    keyGroup: number,
    restoreFrom: number | undefined,
    parameters: KeyGroupBackendParameters<K>,
  ): Promise<OpenedKeyGroupBackend<K>> {
    const storage = this.#storage;
    const backend = await new CheckpointingHeapBackendBuilder<K>(
      {
        jobId: parameters.jobId,
        operatorId: parameters.operatorId,
        keyGroupRange: KeyGroupRange.of(keyGroup, keyGroup),
        maxParallelism: parameters.maxParallelism,
        keySerializer: parameters.keySerializer,
        logger: parameters.logger,
      },
      {
        checkpointStorage: storage,
        retainedCheckpoints: 1,
        ...(restoreFrom === undefined ? {} : { restoreFrom: { checkpointId: restoreFrom } }),
        ...(parameters.states === undefined ? {} : { states: parameters.states }),
      },
    ).build();
    let newest = 0;
    let epoch = 0;
    try {
      for (const c of await storage.listCommitted()) {
        if (c.keyGroupRange.contains(keyGroup)) newest = Math.max(newest, c.checkpointId);
      }
      for (const claim of await storage.listClaims()) {
        if (claim.keyGroupRange.contains(keyGroup)) epoch = Math.max(epoch, claim.epoch);
      }
    } catch (error) {
      await backend.dispose();
      throw error;
    }
    return { backend, epoch, newestCheckpointId: newest };
  }
}
