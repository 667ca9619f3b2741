import type { MetricDatum } from '@aws-sdk/client-cloudwatch';

/** Most metrics one EMF event may define (the EMF specification's limit). */
export const MAX_METRICS_PER_EMF_EVENT = 100;

/** The EMF events of a set of datums, and the datums that cannot be expressed in EMF. */
export interface EmfOutput {
  /** One JSON document per line to write. */
  readonly lines: string[];
  /** Datums left out: a metric named like one of its dimensions, or without a single value. */
  readonly rejected: MetricDatum[];
}

interface EventGroup {
  readonly timestamp: number;
  readonly dimensions: ReadonlyArray<readonly [string, string]>;
  readonly datums: MetricDatum[];
}

function groupKey(timestamp: number, dimensions: ReadonlyArray<readonly [string, string]>): string {
  return JSON.stringify([timestamp, dimensions]);
}

function event(namespace: string, group: EventGroup, datums: readonly MetricDatum[]): string {
  const root: Record<string, unknown> = {};
  const metrics = datums.map((datum) => ({
    Name: datum.MetricName,
    ...(datum.Unit === undefined ? {} : { Unit: datum.Unit }),
    ...(datum.StorageResolution === 1 ? { StorageResolution: 1 } : {}),
  }));
  root._aws = {
    Timestamp: group.timestamp,
    CloudWatchMetrics: [
      { Namespace: namespace, Dimensions: [group.dimensions.map(([name]) => name)], Metrics: metrics },
    ],
  };
  for (const [name, value] of group.dimensions) root[name] = value;
  for (const datum of datums) root[datum.MetricName ?? ''] = datum.Value;
  return JSON.stringify(root);
}

/**
 * Datums as CloudWatch Embedded Metric Format events, one JSON line each: datums with the same
 * timestamp and dimensions share an event, at most 100 metrics per event. EMF carries single
 * values only (the reporter writes histograms as percentiles in EMF mode). A metric whose name
 * is one of its dimensions' names (or `_aws`) would overwrite it in the document, so it is
 * rejected.
 */
export function toEmfEvents(namespace: string, datums: readonly MetricDatum[]): EmfOutput {
  const groups = new Map<string, EventGroup>();
  const rejected: MetricDatum[] = [];
  for (const datum of datums) {
    const dimensions = (datum.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? ''] as const);
    const name = datum.MetricName ?? '';
    if (
      datum.Value === undefined ||
      name === '_aws' ||
      dimensions.some(([dimension]) => dimension === name)
    ) {
      rejected.push(datum);
      continue;
    }
    const timestamp = datum.Timestamp?.getTime() ?? Date.now();
    const key = groupKey(timestamp, dimensions);
    let group = groups.get(key);
    if (group === undefined) {
      group = { timestamp, dimensions, datums: [] };
      groups.set(key, group);
    }
    group.datums.push(datum);
  }
  const lines: string[] = [];
  for (const group of groups.values()) {
    // A metric repeated within a group (a buffered and a new value) must go to another event.
    let pending = group.datums;
    while (pending.length > 0) {
      const names = new Set<string>();
      const batch: MetricDatum[] = [];
      const later: MetricDatum[] = [];
      for (const datum of pending) {
        const name = datum.MetricName ?? '';
        if (batch.length < MAX_METRICS_PER_EMF_EVENT && !names.has(name)) {
          names.add(name);
          batch.push(datum);
        } else later.push(datum);
      }
      lines.push(event(namespace, group, batch));
      pending = later;
    }
  }
  return { lines, rejected };
}
