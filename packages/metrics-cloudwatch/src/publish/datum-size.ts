import type { Dimension, MetricDatum, StatisticSet } from '@aws-sdk/client-cloudwatch';

/**
 * Bytes of a JSON string as `JSON.stringify` writes it (the SDK's awsJson1_0 serializer does the
 * same): quotes, a backslash before `"` and `\`, short escapes for control characters, and UTF-8
 * for the rest. Names are ASCII by the time they get here, so the loop rarely leaves its first
 * branch.
 */
export function stringBytes(text: string): number {
  let bytes = text.length + 2;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 32 && code < 127) {
      if (code === 34 || code === 92) bytes++;
    } else if (code < 32) {
      // \b \t \n \f \r take 2 characters, the other control characters \u00XX 6.
      bytes += code === 8 || code === 9 || code === 10 || code === 12 || code === 13 ? 1 : 5;
    } else if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next < 0xe000) {
        bytes += 2; // a surrogate pair: 4 bytes for 2 UTF-16 units
        i++;
      } else bytes += 5; // a lone surrogate is escaped as \uXXXX
    } else if (code >= 0xd800 && code < 0xe000) bytes += 5;
    else bytes += 2;
  }
  return bytes;
}

/** Length of `JSON.stringify(value)` for a finite number; integers without converting to text. */
export function numberBytes(value: number): number {
  if (Number.isInteger(value) && value > -1e15 && value < 1e15) {
    let magnitude = value < 0 ? -value : value;
    let digits = 1;
    while (magnitude >= 10) {
      magnitude = Math.floor(magnitude / 10);
      digits++;
    }
    return value < 0 ? digits + 1 : digits;
  }
  return String(value).length; // JSON writes a finite number as String() does
}

/** The last timestamp measured: the datums of one report share it. */
let lastTimestamp = { ms: Number.NaN, bytes: 0 };

function timestampBytes(timestamp: Date): number {
  const ms = timestamp.getTime();
  if (ms !== lastTimestamp.ms) lastTimestamp = { ms, bytes: numberBytes(ms / 1000) };
  return lastTimestamp.bytes;
}

function numberListBytes(list: readonly number[]): number {
  let bytes = 2 + Math.max(0, list.length - 1); // [] and the commas
  for (const value of list) bytes += numberBytes(value);
  return bytes;
}

/** Sizes of dimension arrays, which the datums of one metric share. */
const dimensionsSizes = new WeakMap<readonly Dimension[], number>();

function dimensionsBytes(dimensions: readonly Dimension[]): number {
  let bytes = dimensionsSizes.get(dimensions);
  if (bytes === undefined) {
    bytes = measureDimensions(dimensions);
    dimensionsSizes.set(dimensions, bytes);
  }
  return bytes;
}

function measureDimensions(dimensions: readonly Dimension[]): number {
  let bytes = 2 + Math.max(0, dimensions.length - 1);
  for (const { Name, Value } of dimensions) {
    bytes += 2 + 1; // {} and the comma between the members
    if (Name !== undefined) bytes += 7 + stringBytes(Name); // "Name":
    if (Value !== undefined) bytes += 8 + stringBytes(Value); // "Value":
    if (Name === undefined || Value === undefined) bytes -= 1;
  }
  return bytes;
}

function statisticSetBytes(set: StatisticSet): number {
  const members = [set.SampleCount, set.Sum, set.Minimum, set.Maximum];
  const names = [11, 3, 7, 7]; // SampleCount, Sum, Minimum, Maximum
  let bytes = 2;
  let count = 0;
  for (let i = 0; i < members.length; i++) {
    const value = members[i];
    if (value === undefined) continue;
    bytes += (names[i] ?? 0) + 3 + numberBytes(value); // "name": and the value
    count++;
  }
  return bytes + Math.max(0, count - 1);
}

/**
 * The exact bytes `datum` takes in a PutMetricData JSON body (awsJson1_0, before gzip): what the
 * SDK sends, members in any order, the timestamp as epoch seconds with milliseconds. Computed
 * without serializing (integers are measured by their digits), so it is cheap enough for every
 * datum of every report; a unit test holds it equal to the SDK's own body.
 */
export function datumBytes(datum: MetricDatum): number {
  let bytes = 2; // {}
  let members = 0;
  const member = (nameLength: number, valueBytes: number): void => {
    bytes += nameLength + 3 + valueBytes; // "name": and the value
    members++;
  };
  if (datum.MetricName !== undefined) member(10, stringBytes(datum.MetricName));
  if (datum.Dimensions !== undefined) member(10, dimensionsBytes(datum.Dimensions));
  if (datum.Timestamp !== undefined) member(9, timestampBytes(datum.Timestamp));
  if (datum.Value !== undefined) member(5, numberBytes(datum.Value));
  if (datum.StatisticValues !== undefined) member(15, statisticSetBytes(datum.StatisticValues));
  if (datum.Values !== undefined) member(6, numberListBytes(datum.Values));
  if (datum.Counts !== undefined) member(6, numberListBytes(datum.Counts));
  if (datum.Unit !== undefined) member(4, stringBytes(datum.Unit));
  if (datum.StorageResolution !== undefined) member(17, numberBytes(datum.StorageResolution));
  return bytes + Math.max(0, members - 1);
}

/** Bytes of a request around its datums, `{"Namespace":...,"MetricData":[]}`, without the commas between datums. */
export function requestOverheadBytes(namespace: string): number {
  return 2 + 12 + stringBytes(namespace) + 1 + 13 + 2;
}

/** Exact bytes of a request of datums whose sizes add up to `datumBytesTotal`. */
export function requestBytes(namespace: string, datumBytesTotal: number, datums: number): number {
  return requestOverheadBytes(namespace) + datumBytesTotal + Math.max(0, datums - 1);
}
