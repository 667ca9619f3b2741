import { KeyGroupArgumentError } from '../errors.js';

/** The largest max parallelism (number of key groups) a job may have, as in Flink. */
export const UPPER_BOUND_MAX_PARALLELISM = 32_768;

/** The smallest max parallelism {@link computeDefaultMaxParallelism} picks, as in Flink. */
export const DEFAULT_LOWER_BOUND_MAX_PARALLELISM = 128;

function describe(value: unknown): string {
  return typeof value === 'number' ? String(value) : `${typeof value}`;
}

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** Throws a {@link KeyGroupArgumentError} unless `parallelism` is an integer in 1..32768. */
export function validateParallelism(parallelism: number): void {
  if (!isIntegerIn(parallelism, 1, UPPER_BOUND_MAX_PARALLELISM)) {
    throw new KeyGroupArgumentError(
      'parallelism',
      describe(parallelism),
      `an integer from 1 to ${UPPER_BOUND_MAX_PARALLELISM}`,
    );
  }
}

/** Throws a {@link KeyGroupArgumentError} unless `maxParallelism` is an integer in 1..32768. */
export function validateMaxParallelism(maxParallelism: number): void {
  if (!isIntegerIn(maxParallelism, 1, UPPER_BOUND_MAX_PARALLELISM)) {
    throw new KeyGroupArgumentError(
      'maxParallelism',
      describe(maxParallelism),
      `an integer from 1 to ${UPPER_BOUND_MAX_PARALLELISM} (the number of key groups; it cannot change ` +
        'once a checkpoint exists)',
    );
  }
}

/**
 * Validates a (maxParallelism, parallelism) pair: both in bounds, and no more operators than key
 * groups, since an operator without a key group would own no state.
 */
export function validateParallelismPair(maxParallelism: number, parallelism: number): void {
  validateMaxParallelism(maxParallelism);
  validateParallelism(parallelism);
  if (parallelism > maxParallelism) {
    throw new KeyGroupArgumentError(
      'parallelism',
      `${parallelism} with maxParallelism ${maxParallelism}`,
      `at most maxParallelism (${maxParallelism}); raise maxParallelism or lower the parallelism`,
    );
  }
}

/** Throws unless `operatorIndex` is an integer in `[0, parallelism)`. */
export function validateOperatorIndex(operatorIndex: number, parallelism: number): void {
  if (!isIntegerIn(operatorIndex, 0, parallelism - 1)) {
    throw new KeyGroupArgumentError(
      'operatorIndex',
      describe(operatorIndex),
      `an integer from 0 to ${parallelism - 1} for parallelism ${parallelism}`,
    );
  }
}

/** Throws unless `keyGroup` is an integer in `[0, maxParallelism)`. */
export function validateKeyGroup(keyGroup: number, maxParallelism: number): void {
  if (!isIntegerIn(keyGroup, 0, maxParallelism - 1)) {
    throw new KeyGroupArgumentError(
      'keyGroup',
      describe(keyGroup),
      `an integer from 0 to ${maxParallelism - 1} for maxParallelism ${maxParallelism}`,
    );
  }
}
