import { ConfigurationError, type ConfigurationIssue } from '../errors.js';
import { METRIC_TYPES, type MetricType } from './metric.js';

/** Decides which metrics a reporter receives. */
export interface MetricFilter {
  /** True when a metric of `type` named `name` in `logicalScope` (`.`-delimited) is reported. */
  filter(type: MetricType, name: string, logicalScope: string): boolean;
}

interface FilterSpec {
  readonly scope: RegExp;
  readonly name: RegExp;
  readonly types: ReadonlySet<MetricType>;
}

/** What a filter pattern accepts, for error messages. */
export const FILTER_ACCEPTS =
  "filters separated by ';', each 'scope[:name[:types]]' where scope and name are ','-separated patterns with '*' wildcards and types are ','-separated counter, gauge, histogram, meter or '*'";

/**
 * A Flink scope or name pattern as a regular expression, exactly as Flink's
 * `DefaultReporterFilters` builds it: `,` separates alternatives, `*` matches any sequence, and
 * `.` (the scope delimiter) is left a regular-expression `.` — it matches a literal dot and, as in
 * Flink, any other single character. Every other character matches itself (Flink would read it
 * as regular-expression syntax).
 */
function toPattern(component: string): RegExp {
  const alternatives = component.split(',').map((alternative) =>
    alternative
      .split('*')
      .map((literal) => literal.replace(/[\\^$+?()[\]{}|/]/g, '\\$&'))
      .join('.*'),
  );
  return new RegExp(`^(${alternatives.join('|')})$`);
}

function parseTypes(component: string, key: string, raw: string): ReadonlySet<MetricType> {
  const parts = component.split(',').map((part) => part.trim().toLowerCase());
  if (parts.length === 1 && parts[0] === '*') return new Set(METRIC_TYPES);
  const types = new Set<MetricType>();
  for (const part of parts) {
    const type = METRIC_TYPES.find((t) => t === part);
    if (type === undefined) {
      throw new ConfigurationError([
        { key, received: `'${raw}' (unknown metric type '${part}')`, expected: FILTER_ACCEPTS },
      ]);
    }
    types.add(type);
  }
  return types;
}

function parseSpec(raw: string, key: string): FilterSpec {
  // Java's String.split drops trailing empty parts; so does this.
  const parts = raw.split(':');
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  const [scope = '', name = '*', types] = parts;
  return {
    scope: toPattern(scope),
    name: toPattern(name),
    types: types === undefined ? new Set(METRIC_TYPES) : parseTypes(types, key, raw),
  };
}

function matches(spec: FilterSpec, type: MetricType, name: string, logicalScope: string): boolean {
  return spec.types.has(type) && spec.name.test(name) && spec.scope.test(logicalScope);
}

/** Settings of {@link createMetricFilter}. */
export interface MetricFilterPatterns {
  /** Default `['*:*:*']`: everything. */
  readonly includes?: readonly string[];
  readonly excludes?: readonly string[];
  /** Keys named in errors. */
  readonly includesKey?: string;
  readonly excludesKey?: string;
}

/**
 * Flink's reporter filter (`metrics.reporter.<name>.filter.includes` / `.excludes`): a metric is
 * reported when no exclude matches it and some include does. Each filter is
 * `scope[:name[:types]]`, e.g. `*.job.*:numRecords*:counter,meter` or `*:*:histogram`.
 *
 * @throws ConfigurationError for an unknown metric type.
 */
export function createMetricFilter(patterns: MetricFilterPatterns = {}): MetricFilter {
  const includes = (patterns.includes ?? []).length === 0 ? ['*:*:*'] : (patterns.includes ?? []);
  const issues: ConfigurationIssue[] = [];
  const parseAll = (list: readonly string[], key: string): FilterSpec[] =>
    list.flatMap((raw) => {
      try {
        return [parseSpec(raw, key)];
      } catch (error) {
        if (error instanceof ConfigurationError) issues.push(...error.issues);
        else throw error;
        return [];
      }
    });
  const include = parseAll(includes, patterns.includesKey ?? 'filter.includes');
  const exclude = parseAll(patterns.excludes ?? [], patterns.excludesKey ?? 'filter.excludes');
  if (issues.length > 0) throw new ConfigurationError(issues);
  return {
    filter(type, name, logicalScope) {
      if (exclude.some((spec) => matches(spec, type, name, logicalScope))) return false;
      return include.some((spec) => matches(spec, type, name, logicalScope));
    },
  };
}
