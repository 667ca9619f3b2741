// The only module that uses the store's claim/fencing API: a key group is opened (claimed,
// fencing its previous owner, and restored from the checkpoint taken at the group's committed
// offset), checkpointed with the offset it reflects, confirmed once Kafka committed, and closed.
// Keeping it here lets it follow changes of the handover API in one place; which store holds the
// state is the business of a KeyGroupBackends (key-group-backends.ts).
import {
  type CheckpointingKeyedStateBackend,
  type CheckpointStorage,
  FencedError,
  type JsonValue,
  type Logger,
  type StateRegistration,
  type TypeSerializer,
} from '@statebackend/aws-base';
import { KafkaJobError, NoCheckpointForOffsetsError } from '../errors.js';
import { HeapKeyGroupBackends, type KeyGroupBackends } from './key-group-backends.js';

/** What every key group of a job shares. */
interface KeyGroupStateCommon<K> {
  readonly jobId: string;
  readonly operatorId: string;
  readonly maxParallelism: number;
  readonly keySerializer: TypeSerializer<K>;
  readonly states?: readonly StateRegistration[];
  readonly logger: Logger;
}

/** Key groups with heap state, checkpointed to `checkpointStorage`. */
export interface KeyGroupStateConfig<K> extends KeyGroupStateCommon<K> {
  readonly checkpointStorage: CheckpointStorage;
}

/** Key groups whose state lives where `backends` opens it. */
export interface KeyGroupBackendsConfig<K> extends KeyGroupStateCommon<K> {
  readonly backends: KeyGroupBackends;
}

/** Checkpoint ids reserved for each claim of a key group (ids start at epoch × this). */
const IDS_PER_CLAIM = 2 ** 24;

/**
 * The worker no longer wanted a key group by the time {@link KeyGroupState.open} was about to claim
 * it (the group took it away while its checkpoints were listed): nothing was claimed.
 */
export class KeyGroupOpenAbandonedError extends KafkaJobError {
  override readonly name: string = 'KeyGroupOpenAbandonedError';
}

/** The user metadata stored with each checkpoint: the next input offset it reflects. */
interface OffsetMetadata {
  readonly kafkaOffset: string;
  /** With an `after-commit` sink: the checkpoint's outputs, written once Kafka committed it. */
  readonly sinkOutputs?: JsonValue;
}

function offsetOf(metadata: unknown): bigint | undefined {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const value = (metadata as Partial<OffsetMetadata>).kafkaOffset;
  return typeof value === 'string' && /^\d+$/.test(value) ? BigInt(value) : undefined;
}

/** The state of one owned key group (= one input partition). */
export class KeyGroupState<K> {
  readonly keyGroup: number;
  readonly backend: CheckpointingKeyedStateBackend<K>;
  /** The next input offset to read; what the next checkpoint reflects. */
  position: bigint;
  /** The offset the last confirmed checkpoint reflects (the group's committed offset). */
  committedPosition: bigint;
  /** The checkpoint restored (undefined after an empty start) and the metadata it was taken with. */
  readonly restored:
    | { readonly checkpointId: number; readonly metadata: Partial<OffsetMetadata> }
    | undefined;
  #nextCheckpointId: number;

  private constructor(
    keyGroup: number,
    backend: CheckpointingKeyedStateBackend<K>,
    position: bigint,
    nextCheckpointId: number,
    restored: KeyGroupState<K>['restored'],
  ) {
    this.restored = restored;
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
   * `wanted` is asked right before the claim: when it says no, nothing is claimed (a claim of a key
   * group the worker lost meanwhile would fence its new owner).
   *
   * @throws NoCheckpointForOffsetsError when offsets are committed but no checkpoint matches.
   * @throws KeyGroupOpenAbandonedError when `wanted` said no before the claim.
   */
  static async open<K>(
    config: KeyGroupStateConfig<K> | KeyGroupBackendsConfig<K>,
    keyGroup: number,
    committedOffset: bigint | undefined,
    startOffset: bigint,
    wanted: () => boolean = () => true,
  ): Promise<KeyGroupState<K>> {
    const backends = backendsOf(config);
    const parameters = {
      jobId: config.jobId,
      operatorId: config.operatorId,
      maxParallelism: config.maxParallelism,
      keySerializer: config.keySerializer,
      logger: config.logger,
      ...(config.states === undefined ? {} : { states: config.states }),
    };
    let restoreId: number | undefined;
    let restoredMetadata: Partial<OffsetMetadata> | undefined;
    if (committedOffset !== undefined) {
      const candidates = await backends.checkpoints(keyGroup, parameters);
      for (const candidate of candidates) {
        const metadata = (await candidate.userMetadata())?.find((m) => offsetOf(m) === committedOffset);
        if (metadata !== undefined) {
          restoreId = candidate.checkpointId;
          restoredMetadata = metadata as Partial<OffsetMetadata>;
          break;
        }
      }
      if (restoreId === undefined) {
        throw new NoCheckpointForOffsetsError(
          keyGroup,
          committedOffset,
          `The consumer group committed offset ${committedOffset} for key group ${keyGroup}, but none of its ` +
            `checkpoints in ${backends.location} (ids ${candidates.map((c) => c.checkpointId).join(', ') || 'none'}) ` +
            'was taken at that offset. Reset the group to the offset of a checkpoint, or restore from a savepoint.',
        );
      }
    }
    if (!wanted()) {
      throw new KeyGroupOpenAbandonedError(`Key group ${keyGroup} was no longer wanted; it was not claimed`);
    }
    const opened = await backends.open(keyGroup, restoreId, parameters);
    // Checkpoint ids are chosen after the claim, from this owner's epoch: ids of a later claim
    // are all higher than those of an earlier one, and no two owners share an id. Otherwise a
    // commit of the previous owner that lands just after this claim (the store checks the fence
    // before it writes the commit record) could carry the id this owner then uses too, and a
    // restore of that id reads only the newer owner's part, not the one the group committed.
    const nextId = Math.max(opened.newestCheckpointId + 1, opened.epoch * IDS_PER_CLAIM + 1);
    const position = committedOffset ?? startOffset;
    const restored =
      restoreId === undefined || restoredMetadata === undefined
        ? undefined
        : { checkpointId: restoreId, metadata: restoredMetadata };
    return new KeyGroupState(keyGroup, opened.backend, position, nextId, restored);
  }

  /** The id the next {@link checkpoint} takes. */
  get nextCheckpointId(): number {
    return this.#nextCheckpointId;
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
  async checkpoint(
    sinkOutputs?: JsonValue,
  ): Promise<{ readonly checkpointId: number; readonly position: bigint }> {
    const checkpointId = this.#nextCheckpointId;
    this.#nextCheckpointId += 1;
    const position = this.position;
    const metadata: OffsetMetadata = {
      kafkaOffset: position.toString(),
      ...(sinkOutputs === undefined ? {} : { sinkOutputs }),
    };
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

function backendsOf<K>(config: KeyGroupStateConfig<K> | KeyGroupBackendsConfig<K>): KeyGroupBackends {
  return 'backends' in config ? config.backends : new HeapKeyGroupBackends(config.checkpointStorage);
}

/** True when `error` says that a newer owner holds the key group in the store. */
export function isStoreFencing(error: unknown): boolean {
  return error instanceof FencedError;
}
