import { InvalidBackendParameterError } from '../errors.js';
import { KeyGroupRange } from '../keygroup/key-group-range.js';
import { validateMaxParallelism } from '../keygroup/parallelism.js';
import type { Logger } from '../logging/logger.js';
import type { MetricGroup } from '../metrics/metric-group.js';
import type { TypeSerializer } from '../serialization/type-serializer.js';
import type { TtlTimeProvider } from '../state/ttl/time-provider.js';

/**
 * What a keyed backend is created for: one operator instance of one job, owning a range of key
 * groups.
 */
export interface KeyedStateBackendParameters<K> {
  /** The job's id; stores keep jobs apart by it. */
  readonly jobId: string;
  /** The operator's id, stable across restarts; stores keep operators apart by it. */
  readonly operatorId: string;
  /** The key groups this instance owns (see `computeKeyGroupRangeForOperatorIndex`). */
  readonly keyGroupRange: KeyGroupRange;
  /** The number of key groups; fixed for the life of the job's state. */
  readonly maxParallelism: number;
  /** Serializes keys; must be deterministic (keys are compared by their bytes). */
  readonly keySerializer: TypeSerializer<K>;
  /** The clock TTL reads; the system clock by default. */
  readonly clock?: TtlTimeProvider;
  /** Where the backend logs; nothing is logged by default. */
  readonly logger?: Logger;
  /** When given, the backend registers its metrics (state reads, writes, entries) in it. */
  readonly metricGroup?: MetricGroup;
}

/** Throws a typed error for the first parameter out of range. */
export function validateKeyedStateBackendParameters(parameters: KeyedStateBackendParameters<unknown>): void {
  for (const name of ['jobId', 'operatorId'] as const) {
    const value: unknown = parameters[name];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new InvalidBackendParameterError(
        name,
        typeof value === 'string' ? `'${value}'` : typeof value,
        'a non-empty string',
      );
    }
  }
  validateMaxParallelism(parameters.maxParallelism);
  const range: unknown = parameters.keyGroupRange;
  if (!(range instanceof KeyGroupRange) || range.isEmpty || range.endKeyGroup >= parameters.maxParallelism) {
    throw new InvalidBackendParameterError(
      'keyGroupRange',
      String(range),
      `a non-empty KeyGroupRange within [0, ${parameters.maxParallelism - 1}] (see computeKeyGroupRangeForOperatorIndex)`,
    );
  }
  const serializer = parameters.keySerializer;
  if (serializer === null || typeof serializer !== 'object' || typeof serializer.serialize !== 'function') {
    throw new InvalidBackendParameterError('keySerializer', typeof serializer, 'a TypeSerializer');
  }
  if (serializer.deterministic !== true) {
    throw new InvalidBackendParameterError(
      'keySerializer',
      `'${serializer.snapshot().id}' (not deterministic)`,
      'a deterministic serializer, since keys are compared by their bytes: string, int, number, bigint, bytes, ' +
        'a tuple of those or msgpack({ deterministic: true })',
    );
  }
}
