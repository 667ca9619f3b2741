import { KeyGroupRange } from './key-group-range.js';
import { murmur3x86_32, murmur3x86_32Ascii } from './murmur3.js';
import {
  DEFAULT_LOWER_BOUND_MAX_PARALLELISM,
  UPPER_BOUND_MAX_PARALLELISM,
  validateKeyGroup,
  validateMaxParallelism,
  validateOperatorIndex,
  validateParallelism,
  validateParallelismPair,
} from './parallelism.js';

/**
 * Seed of the key-group hash. Fixed forever: changing it would move every key to another key
 * group and make every existing checkpoint unreadable.
 */
export const KEY_GROUP_HASH_SEED = 0;

/**
 * The non-negative key-group hash of serialized key bytes: MurmurHash3_x86_32 with
 * {@link KEY_GROUP_HASH_SEED}, read as a signed 32-bit integer and made non-negative the way
 * Flink's `MathUtils.murmurHash` does (absolute value; `-2^31` maps to 0).
 */
export function keyGroupHash(keyBytes: Uint8Array): number {
  return nonNegative(murmur3x86_32(keyBytes, KEY_GROUP_HASH_SEED));
}

/**
 * {@link keyGroupHash} of the UTF-8 bytes of an ASCII string, computed from the string without
 * encoding it; -1 when `key` is not ASCII (then encode it and use {@link keyGroupHash}).
 */
export function asciiKeyGroupHash(key: string): number {
  const hash = murmur3x86_32Ascii(key, KEY_GROUP_HASH_SEED);
  return hash < 0 ? -1 : nonNegative(hash);
}

function nonNegative(hash: number): number {
  const signed = hash | 0;
  if (signed >= 0) return signed;
  return signed === -2_147_483_648 ? 0 : -signed;
}

/**
 * The key group a serialized key belongs to: `keyGroupHash(keyBytes) % maxParallelism`.
 * Runs per record and allocates nothing.
 *
 * @example
 * ```ts
 * const keyGroup = assignToKeyGroup(Serializers.string.serialize('user-42'), 128);
 * ```
 */
export function assignToKeyGroup(keyBytes: Uint8Array, maxParallelism: number): number {
  validateMaxParallelism(maxParallelism);
  return keyGroupHash(keyBytes) % maxParallelism;
}

/** The operator index that owns a serialized key, for the given parallelism. */
export function assignKeyToParallelOperator(
  keyBytes: Uint8Array,
  maxParallelism: number,
  parallelism: number,
): number {
  return computeOperatorIndexForKeyGroup(
    maxParallelism,
    parallelism,
    assignToKeyGroup(keyBytes, maxParallelism),
  );
}

/**
 * The key groups operator `operatorIndex` of `parallelism` owns:
 * `[ceil(i * m / p), ceil((i + 1) * m / p) - 1]`. The ranges of all operator indexes partition
 * `[0, maxParallelism)`, and differ in size by at most one.
 */
export function computeKeyGroupRangeForOperatorIndex(
  maxParallelism: number,
  parallelism: number,
  operatorIndex: number,
): KeyGroupRange {
  validateParallelismPair(maxParallelism, parallelism);
  validateOperatorIndex(operatorIndex, parallelism);
  // Integer forms of the ceilings (as Flink writes them): exact, since m * p <= 2^30.
  const start = Math.floor((operatorIndex * maxParallelism + parallelism - 1) / parallelism);
  const end = Math.floor(((operatorIndex + 1) * maxParallelism - 1) / parallelism);
  return KeyGroupRange.of(start, end);
}

/** The operator index that owns `keyGroup`: `floor(keyGroup * p / m)`. */
export function computeOperatorIndexForKeyGroup(
  maxParallelism: number,
  parallelism: number,
  keyGroup: number,
): number {
  validateParallelismPair(maxParallelism, parallelism);
  validateKeyGroup(keyGroup, maxParallelism);
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/**
 * The max parallelism to use when none is configured, as Flink picks it:
 * `min(max(roundUpToPowerOfTwo(p + floor(p / 2)), 128), 32768)`. It leaves room to scale up to
 * about 1.5x without fixing the number of key groups too low.
 */
export function computeDefaultMaxParallelism(parallelism: number): number {
  validateParallelism(parallelism);
  const target = parallelism + Math.floor(parallelism / 2);
  return Math.min(
    Math.max(roundUpToPowerOfTwo(target), DEFAULT_LOWER_BOUND_MAX_PARALLELISM),
    UPPER_BOUND_MAX_PARALLELISM,
  );
}

function roundUpToPowerOfTwo(value: number): number {
  // value <= 49152 here, so the 32-bit count of leading zeros is exact.
  return value <= 1 ? 1 : 2 ** (32 - Math.clz32(value - 1));
}
