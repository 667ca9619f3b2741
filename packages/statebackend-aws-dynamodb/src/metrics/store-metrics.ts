import type { Counter, Histogram, MetricGroup } from '@statebackend/aws-base';
import { HdrHistogram, SimpleCounter } from '@statebackend/aws-base/spi';

/**
 * What the DynamoDB store counts. Counters exist whether or not a metric group is given, so
 * tests and callers can read them; with a group they are registered under it.
 */
export class StoreMetrics {
  readonly cacheHits: Counter = new SimpleCounter();
  readonly cacheMisses: Counter = new SimpleCounter();
  readonly itemsRead: Counter = new SimpleCounter();
  readonly bytesRead: Counter = new SimpleCounter();
  readonly itemsWritten: Counter = new SimpleCounter();
  readonly bytesWritten: Counter = new SimpleCounter();
  readonly itemsDeleted: Counter = new SimpleCounter();
  /** Capacity units DynamoDB reports as consumed (on-demand or provisioned tables). */
  readonly consumedCapacity: Counter = new SimpleCounter();
  readonly throttles: Counter = new SimpleCounter();
  readonly retries: Counter = new SimpleCounter();
  readonly calls: Counter = new SimpleCounter();
  readonly checkpointDurationMs: Histogram = new HdrHistogram();

  /** Registers every metric under `group` (e.g. `dynamodb`), as `cacheHits`, `itemsWritten`, ... */
  register(group: MetricGroup): void {
    group.counter('cacheHits', this.cacheHits);
    group.counter('cacheMisses', this.cacheMisses);
    group.counter('itemsRead', this.itemsRead);
    group.counter('bytesRead', this.bytesRead);
    group.counter('itemsWritten', this.itemsWritten);
    group.counter('bytesWritten', this.bytesWritten);
    group.counter('itemsDeleted', this.itemsDeleted);
    group.counter('consumedCapacity', this.consumedCapacity);
    group.counter('throttles', this.throttles);
    group.counter('retries', this.retries);
    group.counter('awsCalls', this.calls);
    group.histogram('checkpointDurationMs', this.checkpointDurationMs);
  }
}
