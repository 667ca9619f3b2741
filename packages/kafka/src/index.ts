// Public surface of @statebackend/kafka; nothing is defined here.

export {
  CommitFailedError,
  KafkaJobError,
  KafkaJobOptionsError,
  KafkaRequestError,
  MisroutedRecordError,
  NoCheckpointForOffsetsError,
} from './errors.js';
export { committedRecords, type InputRecord } from './kafka/committed-records.js';
export { keyGroupPartition } from './ownership/key-group-partitioner.js';
export {
  type KafkaKeyedWorkerStats,
  KafkaKeyedWorker,
} from './worker/kafka-keyed-worker.js';
export {
  type KafkaKeyedWorkerHooks,
  type KafkaKeyedWorkerOptions,
  type OutputRecord,
  validateWorkerOptions,
} from './worker/kafka-keyed-worker-options.js';
export type {
  IdempotenceKey,
  OutputSink,
  SinkRecord,
} from './sink/output-sink.js';
export {
  HeapKeyGroupBackends,
  type KeyGroupBackendParameters,
  type KeyGroupBackends,
  type OpenedKeyGroupBackend,
  type StoredKeyGroupCheckpoint,
} from './state/key-group-backends.js';
export {
  Repartitioner,
  type RepartitionerOptions,
  type RepartitionerStats,
} from './repartition/repartitioner.js';
