import type { OutgoingDatum } from '../datum/outgoing-datum.js';
import { datumBytes, requestOverheadBytes } from './datum-size.js';

/** The limits of one request. */
export interface BatchLimits {
  readonly namespace: string;
  readonly maxDatums: number;
  readonly maxBytes: number;
}

/**
 * Splits datums, in order, into requests of at most `maxDatums` datums and `maxBytes` bytes of
 * JSON. A datum is never split; one larger than a whole request (impossible within CloudWatch's
 * own limits on names, 30 dimensions and 150 values) goes alone.
 */
export function toBatches(datums: readonly OutgoingDatum[], limits: BatchLimits): OutgoingDatum[][] {
  const overhead = requestOverheadBytes(limits.namespace);
  const batches: OutgoingDatum[][] = [];
  let current: OutgoingDatum[] = [];
  let bytes = overhead;
  for (const outgoing of datums) {
    const size = datumBytes(outgoing.datum);
    if (current.length > 0 && (current.length >= limits.maxDatums || bytes + size > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = overhead;
    }
    current.push(outgoing);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
