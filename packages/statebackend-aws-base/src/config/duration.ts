/**
 * Durations in configuration are whole milliseconds. They are written as a number (taken as
 * milliseconds) or as a number followed by a unit, with or without a space: `500ms`, `10 s`,
 * `1.5 s`, `1 min`, `2h`, `1 d`. Units are case-insensitive.
 */

const MS_PER_UNIT: ReadonlyArray<readonly [number, readonly string[]]> = [
  [1, ['ms', 'milli', 'millis', 'millisecond', 'milliseconds']],
  [1000, ['s', 'sec', 'secs', 'second', 'seconds']],
  [60_000, ['m', 'min', 'mins', 'minute', 'minutes']],
  [3_600_000, ['h', 'hour', 'hours']],
  [86_400_000, ['d', 'day', 'days']],
];

const UNIT_TO_MS: ReadonlyMap<string, number> = new Map(
  MS_PER_UNIT.flatMap(([ms, names]) => names.map((name) => [name, ms] as const)),
);

const DURATION_PATTERN = /^([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)$/;

/** What a duration accepts, for error messages. */
export const DURATION_ACCEPTS =
  "a duration: a number of milliseconds, or a number with a unit (ms, s, min, h, d) such as '500ms', '10 s' or '1 min'";

/**
 * Parses a duration into whole milliseconds; `undefined` when the text is not a duration.
 * A plain number is milliseconds. Negative and fractional-millisecond values are rejected.
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }
  const match = DURATION_PATTERN.exec(value.trim());
  if (match === null) return undefined;
  const [, amountText = '', unitText = ''] = match;
  const perUnit = unitText === '' ? 1 : UNIT_TO_MS.get(unitText.toLowerCase());
  if (perUnit === undefined) return undefined;
  const ms = Number(amountText) * perUnit;
  // Multiplying a decimal can leave floating-point dust (1.1 s = 1100.0000000000002 ms).
  const rounded = Math.round(ms);
  if (Math.abs(ms - rounded) > 1e-6 || !Number.isSafeInteger(rounded)) return undefined;
  return rounded;
}

/** Formats milliseconds with the largest unit that represents it exactly: `10 s`, `1 min`, `250 ms`. */
export function formatDuration(ms: number): string {
  for (let i = MS_PER_UNIT.length - 1; i > 0; i--) {
    const entry = MS_PER_UNIT[i];
    if (entry === undefined) continue;
    const [perUnit, names] = entry;
    if (ms !== 0 && ms % perUnit === 0) {
      const unit = perUnit === 60_000 ? 'min' : names[0];
      return `${ms / perUnit} ${unit}`;
    }
  }
  return `${ms} ms`;
}
