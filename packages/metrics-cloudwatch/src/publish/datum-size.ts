import type { MetricDatum } from '@aws-sdk/client-cloudwatch';

/** The longest JSON text of a double, e.g. `-1.7976931348623157e+308`. */
const NUMBER = 24;

/** Bytes of a JSON string: quotes, and a backslash for each `"` or `\` (names are ASCII by then). */
function stringBytes(text: string | undefined): number {
  if (text === undefined) return 0;
  let escapes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 34 || code === 92) escapes++;
    else if (code > 126 || code < 32) escapes += 5; // \uXXXX, should a raw character slip through
  }
  return text.length + escapes + 2;
}

function numberListBytes(list: readonly number[] | undefined): number {
  return list === undefined ? 0 : 2 + list.length * (NUMBER + 1);
}

/**
 * An upper bound of the bytes `datum` takes in a PutMetricData JSON body (awsJson1_0, before
 * gzip): every number counted at its longest, the timestamp as epoch seconds. Cheap enough to
 * run on every datum of every report.
 */
export function datumBytes(datum: MetricDatum): number {
  let bytes = 2 + 13 + stringBytes(datum.MetricName); // {} "MetricName":
  if (datum.Dimensions !== undefined) {
    bytes += 16; // ,"Dimensions":[]
    for (const dimension of datum.Dimensions) {
      bytes += 19 + stringBytes(dimension.Name) + stringBytes(dimension.Value); // {"Name":,"Value":},
    }
  }
  if (datum.Timestamp !== undefined) bytes += 13 + NUMBER;
  if (datum.Value !== undefined) bytes += 9 + NUMBER;
  if (datum.StatisticValues !== undefined) bytes += 20 + 14 + 7 + 11 + 11 + 1 + 4 * NUMBER;
  if (datum.Values !== undefined) bytes += 10 + numberListBytes(datum.Values);
  if (datum.Counts !== undefined) bytes += 10 + numberListBytes(datum.Counts);
  if (datum.Unit !== undefined) bytes += 8 + stringBytes(datum.Unit);
  if (datum.StorageResolution !== undefined) bytes += 21 + NUMBER;
  return bytes + 1; // the comma between datums
}

/** Bytes of a request around its datums: `{"Namespace":...,"MetricData":[...]}`. */
export function requestOverheadBytes(namespace: string): number {
  return 2 + 12 + stringBytes(namespace) + 15 + 2;
}
