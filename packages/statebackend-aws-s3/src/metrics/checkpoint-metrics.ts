import {
  type CompletedCheckpoint,
  type Counter,
  HdrHistogram,
  type Histogram,
  type MetricGroup,
  SimpleCounter,
} from '@statebackend/aws-base';

/**
 * Checkpoint metrics of one keyed backend, registered under `checkpoints` of its metric group:
 * `completed` and `failed` (counters), `duration` (histogram, ms), `lastDuration`, `lastSize`
 * (bytes the checkpoint references), `lastBytesWritten` (bytes it uploaded) and
 * `lastIncrementalRatio` (uploaded / referenced: 1 for a full checkpoint).
 */
export class CheckpointMetrics {
  readonly completed: Counter;
  readonly failed: Counter;
  readonly duration: Histogram;
  #lastDuration = 0;
  #lastSize = 0;
  #lastBytesWritten = 0;
  #lastRatio = 0;

  constructor(group?: MetricGroup) {
    const checkpoints = group?.addGroup('checkpoints');
    this.completed = checkpoints?.counter('completed', new SimpleCounter()) ?? new SimpleCounter();
    this.failed = checkpoints?.counter('failed', new SimpleCounter()) ?? new SimpleCounter();
    this.duration = checkpoints?.histogram('duration') ?? new HdrHistogram();
    checkpoints?.gauge('lastDuration', () => this.#lastDuration);
    checkpoints?.gauge('lastSize', () => this.#lastSize);
    checkpoints?.gauge('lastBytesWritten', () => this.#lastBytesWritten);
    checkpoints?.gauge('lastIncrementalRatio', () => this.#lastRatio);
  }

  recordCompleted(checkpoint: CompletedCheckpoint, durationMs: number): void {
    this.completed.inc();
    this.duration.update(Math.round(durationMs));
    this.#lastDuration = durationMs;
    this.#lastSize = checkpoint.stateSize;
    this.#lastBytesWritten = checkpoint.bytesWritten;
    this.#lastRatio = checkpoint.stateSize === 0 ? 1 : checkpoint.bytesWritten / checkpoint.stateSize;
  }

  recordFailed(): void {
    this.failed.inc();
  }

  /** The last completed checkpoint's uploaded bytes over the bytes it references. */
  get lastIncrementalRatio(): number {
    return this.#lastRatio;
  }
}
