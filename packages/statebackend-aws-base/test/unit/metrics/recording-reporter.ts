import type { Metric } from '../../../src/index.js';
import type { MetricConfig, MetricGroupView, MetricReporter } from '../../../src/spi.js';

/** One notification a reporter received. */
export interface Notification {
  readonly kind: 'added' | 'removed';
  readonly name: string;
  readonly metric: Metric;
  readonly group: MetricGroupView;
}

/** A reporter that records what the registry does to it, for assertions. */
export class RecordingReporter implements MetricReporter {
  readonly notifications: Notification[] = [];
  readonly events: string[] = [];
  config: MetricConfig | undefined;
  reports = 0;
  /** Resolved by a test to finish a report that is in progress. */
  hold: Promise<void> | undefined;

  open(config: MetricConfig): void {
    this.config = config;
    this.events.push('open');
  }

  close(): void {
    this.events.push('close');
  }

  notifyOfAddedMetric(metric: Metric, name: string, group: MetricGroupView): void {
    this.notifications.push({ kind: 'added', name, metric, group });
  }

  notifyOfRemovedMetric(metric: Metric, name: string, group: MetricGroupView): void {
    this.notifications.push({ kind: 'removed', name, metric, group });
  }

  async report(): Promise<void> {
    this.reports++;
    this.events.push('report');
    await this.hold;
  }

  /** Names of the metrics added and not removed. */
  get current(): string[] {
    const names = new Map<string, number>();
    for (const n of this.notifications)
      names.set(n.name, (names.get(n.name) ?? 0) + (n.kind === 'added' ? 1 : -1));
    return [...names].filter(([, count]) => count > 0).map(([name]) => name);
  }
}
