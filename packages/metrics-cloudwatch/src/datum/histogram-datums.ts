import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { HistogramStatistics } from '@statebackend/aws-base';
import { sanitizeName } from '../naming/metric-name.js';
import type { HistogramMode } from '../options/cloudwatch-options.js';
import { compressDistribution } from './compress-distribution.js';
import { acceptedValue } from './outgoing-datum.js';

/** What a histogram's datums share: name, dimensions, timestamp, resolution. */
export type DatumBase = Pick<MetricDatum, 'MetricName' | 'Dimensions' | 'Timestamp' | 'StorageResolution'>;

/** How histograms are written. */
export interface HistogramSettings {
  readonly mode: HistogramMode;
  /** In percent. */
  readonly percentiles: readonly number[];
  readonly maxValuesPerDatum: number;
}

/** `99.9` → `p99.9`, `50` → `p50`. */
export function percentileSuffix(percentile: number): string {
  return `p${Number(percentile.toFixed(6))}`;
}

function distributionDatum(
  stats: HistogramStatistics,
  base: DatumBase,
  maxValues: number,
  dropped: (n: number) => void,
) {
  const { values, counts } = stats.distribution();
  const keptValues: number[] = [];
  const keptCounts: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = acceptedValue(values[i] ?? Number.NaN);
    const count = counts[i] ?? 0;
    if (value === undefined) dropped(count);
    else if (count > 0) {
      keptValues.push(value);
      keptCounts.push(count);
    }
  }
  if (keptValues.length === 0) return [];
  const compressed = compressDistribution({ values: keptValues, counts: keptCounts }, maxValues);
  return [{ ...base, Values: [...compressed.values], Counts: [...compressed.counts] }];
}

function statisticSetDatum(stats: HistogramStatistics, base: DatumBase, dropped: (n: number) => void) {
  const sum = acceptedValue(stats.sum);
  const min = acceptedValue(stats.min);
  const max = acceptedValue(stats.max);
  if (sum === undefined || min === undefined || max === undefined) {
    dropped(stats.count);
    return [];
  }
  return [{ ...base, StatisticValues: { SampleCount: stats.count, Sum: sum, Minimum: min, Maximum: max } }];
}

function percentileDatums(
  stats: HistogramStatistics,
  base: DatumBase,
  percentiles: readonly number[],
  dropped: (n: number) => void,
): MetricDatum[] {
  const name = base.MetricName ?? '';
  const datums: MetricDatum[] = [
    { ...base, MetricName: sanitizeName(`${name}.count`), Value: stats.count, Unit: 'Count' },
  ];
  for (const percentile of percentiles) {
    const value = acceptedValue(stats.getQuantile(percentile / 100));
    if (value === undefined) dropped(1);
    else
      datums.push({
        ...base,
        MetricName: sanitizeName(`${name}.${percentileSuffix(percentile)}`),
        Value: value,
      });
  }
  return datums;
}

/**
 * The datums of one interval of a histogram (nothing when no value was recorded):
 * - `distribution`: one datum with Values/Counts, at most `maxValuesPerDatum` distinct values
 *   (see `compressDistribution`), from which CloudWatch computes any percentile;
 * - `statistic-set`: one datum with SampleCount, Sum, Minimum and Maximum;
 * - `percentiles`: `<name>.count` and one `<name>.p<percentile>` per configured percentile.
 *
 * `dropped` is told how many recorded values could not be sent.
 */
export function histogramDatums(
  stats: HistogramStatistics,
  base: DatumBase,
  settings: HistogramSettings,
  dropped: (n: number) => void,
): MetricDatum[] {
  if (stats.count === 0) return [];
  switch (settings.mode) {
    case 'distribution':
      return distributionDatum(stats, base, settings.maxValuesPerDatum, dropped);
    case 'statistic-set':
      return statisticSetDatum(stats, base, dropped);
    case 'percentiles':
      return percentileDatums(stats, base, settings.percentiles, dropped);
  }
}
