import { type ConfigOption, ConfigOptions, type ConfigType, ConfigTypes } from '../config/config-option.js';

/** Prefix of every reporter's keys: `metrics.reporter.<name>.`. */
export const METRICS_REPORTER_PREFIX = 'metrics.reporter.';

/** The default report interval, as in Flink. */
export const DEFAULT_REPORT_INTERVAL_MS = 10_000;

const ok = <T>(value: T) => ({ ok: true as const, value });
const fail = { ok: false as const };

/**
 * Flink's map syntax `k1:v1,k2:v2` (`;` also separates entries): an object of the pairs. A
 * value type for options of reporters, e.g. variables or dimensions; `accepts` says what for.
 */
export function keyValueMapType(
  accepts = "'key:value' pairs separated by ',' (e.g. 'region:eu-west-1,team:data')",
): ConfigType<Readonly<Record<string, string>>> {
  return {
    name: 'map',
    accepts,
    parse(value) {
      const text = ConfigTypes.string().parse(value);
      if (!text.ok) return fail;
      const result: Record<string, string> = {};
      for (const entry of text.value.split(/[,;]/)) {
        if (entry.trim() === '') continue;
        const colon = entry.indexOf(':');
        const key = entry.slice(0, colon).trim();
        const pairValue = entry.slice(colon + 1).trim();
        if (colon <= 0 || key === '' || pairValue === '') return fail;
        result[key] = pairValue;
      }
      return ok(Object.freeze(result));
    },
    format: (value) =>
      Object.entries(value)
        .map(([k, v]) => `${k}:${v}`)
        .join(','),
  };
}

/** A `;`-separated list (what a YAML list becomes in a configuration), blanks ignored. */
export function semicolonListType(
  accepts = "values separated by ';' (or a YAML list)",
): ConfigType<readonly string[]> {
  return {
    name: 'list',
    accepts,
    parse(value) {
      const text = ConfigTypes.string().parse(value);
      if (!text.ok) return fail;
      const list = text.value
        .split(';')
        .map((part) => part.trim())
        .filter((part) => part !== '');
      return ok(Object.freeze(list));
    },
    format: (value) => value.join(';'),
  };
}

/** `metrics.reporters`: which of the configured reporters to start; all when unset. */
export const REPORTERS_LIST: ConfigOption<string, false> = ConfigOptions.key('metrics.reporters')
  .stringType()
  .noDefaultValue()
  .withDescription("Names of the reporters to start, separated by ','. Default: every reporter configured.");

/** The options every reporter `<name>` has, with full keys (`metrics.reporter.<name>.interval`). */
export interface ReporterOptions {
  readonly FACTORY_CLASS: ConfigOption<string, false>;
  readonly INTERVAL: ConfigOption<number, false>;
  readonly FILTER_INCLUDES: ConfigOption<readonly string[], false>;
  readonly FILTER_EXCLUDES: ConfigOption<readonly string[], false>;
  readonly SCOPE_VARIABLES_ADDITIONAL: ConfigOption<Readonly<Record<string, string>>, false>;
  readonly SCOPE_VARIABLES_EXCLUDES: ConfigOption<readonly string[], false>;
  /** All of the above. */
  readonly all: readonly ConfigOption<unknown>[];
}

/**
 * The generic options of the reporter called `name`, after Flink's `MetricOptions`:
 * `factory.class`, `interval`, `filter.includes`, `filter.excludes`,
 * `scope.variables.additional` and `scope.variables.excludes`.
 */
export function reporterOptions(name: string): ReporterOptions {
  const prefix = `${METRICS_REPORTER_PREFIX}${name}.`;
  const FACTORY_CLASS = ConfigOptions.key(`${prefix}factory.class`)
    .stringType()
    .noDefaultValue()
    .withDescription("The reporter's factory: a registered name or '<module>#<export>'.");
  const INTERVAL = ConfigOptions.key(`${prefix}interval`)
    .durationType()
    .min(1)
    .noDefaultValue()
    .withDescription("Time between reports; default the factory's, else 10 s.");
  const FILTER_INCLUDES = ConfigOptions.key(`${prefix}filter.includes`)
    .ofType(semicolonListType())
    .noDefaultValue()
    .withDescription(
      "Metrics reported, as Flink filters 'scope[:name[:types]]' separated by ';'. Default '*:*:*'.",
    );
  const FILTER_EXCLUDES = ConfigOptions.key(`${prefix}filter.excludes`)
    .ofType(semicolonListType())
    .noDefaultValue()
    .withDescription('Metrics not reported, in the syntax of filter.includes; excludes win.');
  const SCOPE_VARIABLES_ADDITIONAL = ConfigOptions.key(`${prefix}scope.variables.additional`)
    .ofType(keyValueMapType())
    .noDefaultValue()
    .withDescription("Variables added to every metric this reporter sees, as 'k1:v1,k2:v2'.");
  const SCOPE_VARIABLES_EXCLUDES = ConfigOptions.key(`${prefix}scope.variables.excludes`)
    .ofType(semicolonListType())
    .noDefaultValue()
    .withDescription("Variables this reporter does not see, separated by ';' (e.g. 'host;tm_id').");
  return {
    FACTORY_CLASS,
    INTERVAL,
    FILTER_INCLUDES,
    FILTER_EXCLUDES,
    SCOPE_VARIABLES_ADDITIONAL,
    SCOPE_VARIABLES_EXCLUDES,
    all: [
      FACTORY_CLASS,
      INTERVAL,
      FILTER_INCLUDES,
      FILTER_EXCLUDES,
      SCOPE_VARIABLES_ADDITIONAL,
      SCOPE_VARIABLES_EXCLUDES,
    ],
  };
}
