/** One click of the example's generated stream. */
export interface Click {
  /** The click's offset in the stream, from 0. */
  readonly seq: number;
  readonly userId: string;
  readonly page: string;
  /** Event time, milliseconds since the epoch. Out of order by up to {@link MAX_OUT_OF_ORDERNESS_MS}. */
  readonly timestamp: number;
}

/** What the generated stream looks like. */
export interface ClickStreamOptions {
  readonly seed: number;
  /** Clicks in the whole stream. */
  readonly records: number;
  readonly users: number;
}

/** The pages clicked, the first ones more often than the last ones. */
export const PAGES: readonly string[] = [
  '/',
  '/search',
  '/products',
  '/product/42',
  '/product/7',
  '/cart',
  '/checkout',
  '/account',
  '/help',
  '/about',
];

/** Event time of the first click: 2026-01-01T00:00:00Z. */
export const STREAM_START = Date.UTC(2026, 0, 1);
/** Average event time between two clicks of the stream. */
export const CLICK_SPACING_MS = 500;
/** How far a click's timestamp may lag behind the latest one before it. */
export const MAX_OUT_OF_ORDERNESS_MS = 3_000;

/**
 * A 32-bit hash of (seed, index, salt) with good avalanche (murmur3's finalizer): click `i` is a
 * pure function of the seed and `i`, so the stream can start at any offset and a replay from a
 * checkpointed position yields exactly the clicks of the first run.
 */
function hash(seed: number, index: number, salt: number): number {
  let h =
    Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35) ^ Math.imul(salt, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A number in [0, 1) for (seed, index, salt). */
function unit(seed: number, index: number, salt: number): number {
  return hash(seed, index, salt) / 0x1_0000_0000;
}

/** Click `index` of the stream of `options`. */
export function clickAt(options: ClickStreamOptions, index: number): Click {
  const { seed, users } = options;
  const user = Math.floor(unit(seed, index, 1) ** 1.5 * users);
  const page = PAGES[Math.floor(unit(seed, index, 2) ** 2 * PAGES.length)] ?? '/';
  const jitter = Math.floor(unit(seed, index, 3) * MAX_OUT_OF_ORDERNESS_MS);
  return {
    seq: index,
    userId: `user-${String(user).padStart(4, '0')}`,
    page,
    timestamp: STREAM_START + index * CLICK_SPACING_MS + CLICK_SPACING_MS - jitter,
  };
}

/**
 * The clicks of the stream from offset `from` to its end. Yields to the event loop between
 * batches, as a network source would, so that signals and timers are served while it runs.
 */
export async function* clickStream(options: ClickStreamOptions, from = 0): AsyncGenerator<Click> {
  for (let index = from; index < options.records; index++) {
    if (index % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
    yield clickAt(options, index);
  }
}
