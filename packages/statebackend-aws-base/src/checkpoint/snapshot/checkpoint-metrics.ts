import type { Counter, Histogram } from '../../metrics/metric.js';
import type { MetricGroup } from '../../metrics/metric-group.js';

/**
 * Checkpoint metrics under the group given, named as Flink names its checkpoint metrics:
 * `numberOfCompletedCheckpoints`, `numberOfFailedCheckpoints`, `lastCheckpointDuration` (ms),
 * `lastCheckpointSize` (bytes of every file the checkpoint references), `lastCheckpointBytesWritten`
 * (bytes it wrote; less than the size when incremental), `lastCompletedCheckpointId`, and a
 * `checkpointDuration` histogram (ms).
 */
export class CheckpointMetrics {
  readonly #completed: Counter;
  readonly #failed: Counter;
  readonly #durations: Histogram;
  #lastDuration = -1;
  #lastSize = -1;
  #lastBytesWritten = -1;
  #lastId = -1;

  constructor(group: MetricGroup) {
    this.#completed = group.counter('numberOfCompletedCheckpoints');
    this.#failed = group.counter('numberOfFailedCheckpoints');
    this.#durations = group.histogram('checkpointDuration');
    group.gauge('lastCheckpointDuration', () => this.#lastDuration);
    group.gauge('lastCheckpointSize', () => this.#lastSize);
    group.gauge('lastCheckpointBytesWritten', () => this.#lastBytesWritten);
    group.gauge('lastCompletedCheckpointId', () => this.#lastId);
  }

  completed(checkpointId: number, durationMs: number, size: number, bytesWritten: number): void {
    this.#completed.inc();
    this.#durations.update(Math.round(durationMs));
    this.#lastDuration = durationMs;
    this.#lastSize = size;
    this.#lastBytesWritten = bytesWritten;
    this.#lastId = checkpointId;
  }

  failed(): void {
    this.#failed.inc();
  }
}
