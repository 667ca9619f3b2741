/**
 * The clock TTL reads, after Flink's `TtlTimeProvider`: milliseconds since the epoch. Inject
 * your own to make expiry deterministic in tests.
 *
 * @example
 * ```ts
 * let now = 0;
 * const clock: TtlTimeProvider = { currentTimestamp: () => now };
 * const backend = await new HeapStateBackend().createKeyedStateBackend({ ...params, clock });
 * now += 60_000; // values written a minute ago are now a minute older
 * ```
 */
export interface TtlTimeProvider {
  currentTimestamp(): number;
}

/** The system clock (`Date.now()`), the default. */
export const systemTimeProvider: TtlTimeProvider = Object.freeze({ currentTimestamp: () => Date.now() });
