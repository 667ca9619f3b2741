import { StateBackendError } from '@statebackend/aws-base';

/** Base of every error `@statebackend/kafka` throws. */
export class KafkaJobError extends StateBackendError {
  override readonly name: string = 'KafkaJobError';
}

/** Options of a Kafka job are invalid; the message names each problem. */
export class KafkaJobOptionsError extends KafkaJobError {
  override readonly name: string = 'KafkaJobOptionsError';
}

/**
 * A record's key does not belong to the key group of the partition it was read from: the input
 * is not co-partitioned by the state key. Produce it with {@link keyGroupPartition}, or
 * repartition it first.
 */
export class MisroutedRecordError extends KafkaJobError {
  override readonly name: string = 'MisroutedRecordError';
}

/**
 * The consumer group has committed offsets for a partition, but no checkpoint of its key group
 * was taken at those offsets: the offsets were moved by hand, or the checkpoints were deleted.
 * Restore a checkpoint and reset the group's offsets to the ones stored with it.
 */
export class NoCheckpointForOffsetsError extends KafkaJobError {
  override readonly name: string = 'NoCheckpointForOffsetsError';
  readonly keyGroup: number;
  readonly committedOffset: bigint;

  constructor(keyGroup: number, committedOffset: bigint, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.keyGroup = keyGroup;
    this.committedOffset = committedOffset;
  }
}

/**
 * A checkpoint could not become the commit point: the store fenced this worker (another worker
 * claimed the key group) or Kafka refused the transaction (an older group generation, a fenced
 * producer). Not thrown to the caller: the worker rolls back to the committed state and goes on.
 */
export class CommitFailedError extends KafkaJobError {
  override readonly name: string = 'CommitFailedError';
  /** True when the refusal came from a newer owner (store epoch, group generation or producer epoch). */
  readonly fenced: boolean;

  constructor(message: string, fenced: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.fenced = fenced;
  }
}

/** A Kafka request failed in a way the worker cannot recover from by itself. */
export class KafkaRequestError extends KafkaJobError {
  override readonly name: string = 'KafkaRequestError';
}
