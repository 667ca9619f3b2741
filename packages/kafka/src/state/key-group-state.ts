// The only module that uses the store's claim/fencing API: a key group is opened (claimed,
// fencing its previous owner, and restored from the checkpoint taken at the group's committed
// offset), checkpointed with the offset it reflects, confirmed once Kafka committed, and closed.
// Keeping it here lets it follow changes of the handover API in one place.
import {
  CheckpointingHeapBackendBuilder,
  type CheckpointingHeapKeyedStateBackend,
  CheckpointNotFoundError,
  type CheckpointStorage,
  FencedError,
  KeyGroupRange,
  type Logger,
  type StateRegistration,
  type TypeSerializer,
} from '@statebackend/aws-base';
import { loadCheckpoint } from '@statebackend/aws-base/spi';
import { NoCheckpointForOffsetsError } from '../errors.js';

/** What every key group of a job shares. */
export interface KeyGroupStateConfig<K> {
  readonly jobId: string;
  readonly operatorId: string;
  readonly maxParallelism: number;
  readonly keySerializer: TypeSerializer<K>;
  readonly checkpointStorage: CheckpointStorage;
  readonly states?: readonly StateRegistration[];
  readonly logger: Logger;
}

/** Checkpoint ids reserved for each claim of a key group (ids start at epoch × this). */
const IDS_PER_CLAIM = 2 ** 24;

/** The user metadata stored with each checkpoint: the next input offset it reflects. */
interface OffsetMetadata {
  readonly kafkaOffset: string;
}

function offsetOf(metadata: unknown): bigint | undefined {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const value = (metadata as Partial<OffsetMetadata>).kafkaOffset;
  return typeof value === 'string' && /^\d+$/.test(value) ? BigInt(value) : undefined;
}

/** The state of one owned key group (= one input partition). */
export class KeyGroupState<K> {
  readonly keyGroup: number;
  readonly backend: CheckpointingHeapKeyedStateBackend<K>;
  /** The next input offset to read; what the next checkpoint reflects. */
  position: bigint;
  /** The offset the last confirmed checkpoint reflects (the group's committed offset). */
  committedPosition: bigint;
  #nextCheckpointId: number;

  private constructor(
    keyGroup: number,
    backend: CheckpointingHeapKeyedStateBackend<K>,
    position: bigint,
    nextCheckpointId: number,
  ) {
    this.keyGroup = keyGroup;
    this.backend = backend;
    this.position = position;
    this.committedPosition = position;
    this.#nextCheckpointId = nextCheckpointId;
  }

  /**
   * Claims key group `keyGroup` (fencing every earlier owner in the store), and restores the
   * checkpoint whose stored offset equals `committedOffset`, the group's committed offset read
   * after every pending transaction settled. Checkpoints newer than it (state written by an
   * owner whose Kafka transaction then failed) are discarded by the restore. Without a committed
   * offset the key group starts empty at `startOffset`.
   *
   * @throws NoCheckpointForOffsetsError when offsets are committed but no checkpoint matches.
   */
  static async open<K>(
    config: KeyGroupStateConfig<K>,
    keyGroup: number,
    committedOffset: bigint | undefined,
    startOffset: bigint,
  ): Promise<KeyGroupState<K>> {
    const range = KeyGroupRange.of(keyGroup, keyGroup);
    const storage = config.checkpointStorage;
    const ids = (await storage.listCommitted())
      .filter((c) => c.keyGroupRange.contains(keyGroup))
      .map((c) => c.checkpointId);
    const candidates = [...new Set(ids)].sort((a, b) => b - a);
    let restoreId: number | undefined;
    if (committedOffset !== undefined) {
      for (const id of candidates) {
        let selection: Awaited<ReturnType<typeof loadCheckpoint>>;
        try {
          selection = await loadCheckpoint(storage, id, range, config.maxParallelism);
        } catch (error) {
          // Removed since it was listed (retention, or an owner discarding abandoned history).
          if (error instanceof CheckpointNotFoundError) continue;
          throw error;
        }
        if (selection.parts.some((p) => offsetOf(p.metadata.userMetadata) === committedOffset)) {
          restoreId = id;
          break;
        }
      }
      if (restoreId === undefined) {
        throw new NoCheckpointForOffsetsError(
          keyGroup,
          committedOffset,
          `The consumer group committed offset ${committedOffset} for key group ${keyGroup}, but none of its ` +
            `checkpoints in ${storage.location} (ids ${candidates.join(', ') || 'none'}) was taken at that offset. ` +
            'Reset the group to the offset of a checkpoint, or restore from a savepoint.',
        );
      }
    }
    const backend = await new CheckpointingHeapBackendBuilder<K>(
      {
        jobId: config.jobId,
        operatorId: config.operatorId,
        keyGroupRange: range,
        maxParallelism: config.maxParallelism,
        keySerializer: config.keySerializer,
        logger: config.logger,
      },
      {
        checkpointStorage: storage,
        retainedCheckpoints: 1,
        ...(restoreId === undefined ? {} : { restoreFrom: { checkpointId: restoreId } }),
        ...(config.states === undefined ? {} : { states: config.states }),
      },
    ).build();
    // Checkpoint ids are chosen after the claim, from this owner's epoch: ids of a later claim
    // are all higher than those of an earlier one, and no two owners share an id. Otherwise a
    // commit of the previous owner that lands just after this claim (the store checks the fence
    // before it writes the commit record) could carry the id this owner then uses too, and a
    // restore of that id reads only the newer owner's part, not the one the group committed.
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
    const nextId = Math.max(newest + 1, epoch * IDS_PER_CLAIM + 1);
    const position = committedOffset ?? startOffset;
    return new KeyGroupState(keyGroup, backend, position, nextId);
  }

  /** True when records were applied since the last confirmed checkpoint. */
  get dirty(): boolean {
    return this.position !== this.committedPosition;
  }

  /**
   * Writes checkpoint N of this key group, tagged with {@link position}; resolves with N once
   * the store committed it. The previous confirmed checkpoint stays until N is confirmed.
   *
   * @throws FencedError when another worker claimed the key group since this one opened it.
   */
  async checkpoint(): Promise<{ readonly checkpointId: number; readonly position: bigint }> {
    const checkpointId = this.#nextCheckpointId;
    this.#nextCheckpointId += 1;
    const position = this.position;
    const metadata: OffsetMetadata = { kafkaOffset: position.toString() };
    await this.backend.snapshot(checkpointId, { ...metadata });
    return { checkpointId, position };
  }

  /** Kafka committed the offsets of checkpoint `checkpointId`: it is now the one to restore. */
  async confirm(checkpointId: number, position: bigint): Promise<void> {
    this.committedPosition = position;
    await this.backend.notifyCheckpointComplete(checkpointId);
  }

  /** Lets go of the key group; its checkpoints stay for the next owner. */
  async close(): Promise<void> {
    await this.backend.dispose();
  }
}

/** True when `error` says that a newer owner holds the key group in the store. */
export function isStoreFencing(error: unknown): boolean {
  return error instanceof FencedError;
}
