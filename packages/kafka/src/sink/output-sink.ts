import type { OutputRecord } from '../worker/kafka-keyed-worker-options.js';

/**
 * Names one output of a key group for deduplication in a sink that is not Kafka: output number
 * `sequence` (from 0) of checkpoint `checkpointId` of key group `keyGroup`. With delivery
 * `after-commit` the same output always carries the same key, however often it is written.
 */
export interface IdempotenceKey {
  readonly keyGroup: number;
  readonly checkpointId: number;
  readonly sequence: number;
}

/** An emitted record as a sink receives it. */
export interface SinkRecord extends OutputRecord {
  readonly idempotenceKey: IdempotenceKey;
}

/**
 * Where a worker writes what the job emits when the output is not a Kafka topic (a database, an
 * HTTP API, a file). Records of one key group arrive in emission order.
 *
 * - `after-commit` (default): a checkpoint's outputs are stored with its state (in the
 *   checkpoint's user metadata) and written here once its Kafka transaction committed; after a
 *   crash between that commit and the end of {@link write}, the next owner restores the
 *   checkpoint and writes them again, with the same idempotence keys. Never lost; a sink that
 *   ignores keys it has seen gets every output exactly once. Outputs wait for the checkpoint
 *   interval, and each checkpoint's outputs must fit in its metadata (DynamoDB: one item).
 * - `at-least-once`: outputs are written before the state commit of their checkpoint, so a
 *   crash after the write and before the commit processes the same records again and writes
 *   their outputs again, under other idempotence keys (the checkpoint id differs). Never lost,
 *   duplicates possible; nothing is stored with the state.
 *
 * A failing {@link write} is a failed checkpoint: the worker rolls back to the committed state
 * and tries again from there.
 */
export interface OutputSink {
  readonly delivery?: 'after-commit' | 'at-least-once';
  write(records: readonly SinkRecord[]): Promise<void>;
}

/** Outputs as stored in a checkpoint's user metadata (delivery `after-commit`). */
export interface StoredOutput {
  readonly k?: string;
  readonly v: string;
  readonly p?: number;
}

export function storeOutputs(outputs: readonly OutputRecord[]): StoredOutput[] {
  return outputs.map((o) => ({
    ...(o.key === undefined ? {} : { k: o.key.toString('base64') }),
    v: o.value.toString('base64'),
    ...(o.partition === undefined ? {} : { p: o.partition }),
  }));
}

export function loadOutputs(stored: unknown): OutputRecord[] {
  if (!Array.isArray(stored)) return [];
  return (stored as StoredOutput[]).map((s) => ({
    ...(s.k === undefined ? {} : { key: Buffer.from(s.k, 'base64') }),
    value: Buffer.from(s.v, 'base64'),
    ...(s.p === undefined ? {} : { partition: s.p }),
  }));
}

/** The records of one key group's checkpoint with their idempotence keys. */
export function sinkRecords(
  keyGroup: number,
  checkpointId: number,
  outputs: readonly OutputRecord[],
): SinkRecord[] {
  return outputs.map((output, sequence) => ({
    ...output,
    idempotenceKey: { keyGroup, checkpointId, sequence },
  }));
}
