import { KeyGroupArgumentError } from '../../errors.js';
import type { KeyedStateSource } from './keyed-state-source.js';

/**
 * Throws a `KeyGroupArgumentError` unless `source` was written with `maxParallelism`: it fixes
 * the key groups, so it cannot change once state exists.
 */
export function checkSourceMaxParallelism(source: KeyedStateSource, maxParallelism: number): void {
  if (source.maxParallelism === maxParallelism) return;
  throw new KeyGroupArgumentError(
    'maxParallelism',
    String(maxParallelism),
    `${source.maxParallelism}, the max parallelism of ${source.description} (it fixes the key groups; ` +
      'it cannot change once state exists)',
  );
}
