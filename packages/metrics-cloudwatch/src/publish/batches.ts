import type { Dimension, MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { OutgoingDatum } from '../datum/outgoing-datum.js';
import { datumBytes, requestOverheadBytes } from './datum-size.js';

/** The limits of one request. */
export interface BatchLimits {
  readonly namespace: string;
  readonly maxDatums: number;
  /** Bytes of the whole JSON body, before gzip. */
  readonly maxBytes: number;
  /** Most `Values` entries of one metric (name and dimensions) in one request. */
  readonly maxValuesPerMetric: number;
}

interface Sized {
  readonly outgoing: OutgoingDatum;
  readonly index: number;
  readonly bytes: number;
  readonly values: number;
}

interface Bin {
  readonly items: Sized[];
  /** Bytes of the body with the items so far, commas included. */
  bytes: number;
  /** `Values` entries per metric identity, for datums that carry `Values`. */
  readonly values: Map<string, number>;
}

/** The dimensions part of identities, per dimension array (the datums of one metric share one). */
const dimensionKeys = new WeakMap<readonly Dimension[], string>();

/** The identity CloudWatch files a datum under: its name and dimensions. */
export function metricIdentity(datum: MetricDatum): string {
  const dimensions = datum.Dimensions ?? [];
  let key = dimensionKeys.get(dimensions);
  if (key === undefined) {
    key = JSON.stringify(dimensions.map((d) => [d.Name, d.Value]));
    dimensionKeys.set(dimensions, key);
  }
  return `${JSON.stringify(datum.MetricName ?? '')}${key}`;
}

/**
 * Splits datums into as few requests as it can, each within `maxDatums` datums, `maxBytes` bytes
 * of JSON (measured exactly, see `datumBytes`) and `maxValuesPerMetric` values of any one metric
 * (the buffered and the new datum of a histogram may not share a request past 150 values).
 *
 * The result does not depend on the order the datums come in: datums are placed largest first,
 * each in the open request with the fewest bytes that can still take it, starting from as many
 * requests as the totals need, so that large histogram datums spread over the requests and the
 * small ones fill the remaining room. A request keeps its datums in their original order, and
 * requests are ordered by their first datum. A datum larger than a whole request (impossible
 * within CloudWatch's limits on names, 30 dimensions and 150 values) goes alone.
 */
export function toBatches(datums: readonly OutgoingDatum[], limits: BatchLimits): OutgoingDatum[][] {
  if (datums.length === 0) return [];
  const overhead = requestOverheadBytes(limits.namespace);
  const sized: Sized[] = datums.map((outgoing, index) => ({
    outgoing,
    index,
    bytes: datumBytes(outgoing.datum),
    values: outgoing.datum.Values?.length ?? 0,
  }));
  let totalBytes = 0;
  for (const item of sized) totalBytes += item.bytes + 1;
  const room = Math.max(1, limits.maxBytes - overhead);
  const lowerBound = Math.max(Math.ceil(datums.length / limits.maxDatums), Math.ceil(totalBytes / room));
  const bins: Bin[] = Array.from({ length: lowerBound }, () => ({
    items: [],
    bytes: overhead,
    values: new Map(),
  }));

  // Largest first, ties in their original order: one numeric key per datum, sorted without a
  // comparator (bytes stay below 2^29, indexes below 2^24, so the key is an exact integer).
  const keys = new Float64Array(sized.length);
  for (const item of sized)
    keys[item.index] = (2 ** 29 - Math.min(item.bytes, 2 ** 29 - 1)) * 2 ** 24 + item.index;
  keys.sort();
  for (const key of keys) {
    const item = sized[key % 2 ** 24];
    if (item === undefined) continue;
    const identity = item.values > 0 ? metricIdentity(item.outgoing.datum) : undefined;
    let best: Bin | undefined;
    for (const bin of bins) {
      if (best !== undefined && bin.bytes >= best.bytes) continue;
      if (bin.items.length >= limits.maxDatums) continue;
      const comma = bin.items.length > 0 ? 1 : 0;
      if (bin.items.length > 0 && bin.bytes + comma + item.bytes > limits.maxBytes) continue;
      if (identity !== undefined && (bin.values.get(identity) ?? 0) + item.values > limits.maxValuesPerMetric)
        continue;
      best = bin;
    }
    if (best === undefined) {
      best = { items: [], bytes: overhead, values: new Map() };
      bins.push(best);
    }
    best.bytes += (best.items.length > 0 ? 1 : 0) + item.bytes;
    best.items.push(item);
    if (identity !== undefined) best.values.set(identity, (best.values.get(identity) ?? 0) + item.values);
  }

  return bins
    .filter((bin) => bin.items.length > 0)
    .map((bin) => bin.items.sort((a, b) => a.index - b.index))
    .sort((a, b) => (a[0]?.index ?? 0) - (b[0]?.index ?? 0))
    .map((items) => items.map((item) => item.outgoing));
}
