import type { MetricGroupView } from './metric-group.js';

/**
 * A group as one reporter sees it (Flink's `FrontMetricGroup`): the same scope, with the
 * reporter's excluded variables removed and its additional variables added after the group's
 * own (which win over additional ones of the same name).
 */
export class ReporterGroupView implements MetricGroupView {
  readonly #group: MetricGroupView;
  readonly #variables: Readonly<Record<string, string>>;

  constructor(
    group: MetricGroupView,
    excluded: ReadonlySet<string>,
    additional: Readonly<Record<string, string>>,
  ) {
    this.#group = group;
    // The group's own variables first, root first, then the additional ones: a reporter that
    // keeps only the first variables (CloudWatch's 30 dimensions) drops additions first.
    const variables: Record<string, string> = {};
    const own = group.getAllVariables();
    for (const [key, value] of Object.entries(own)) {
      if (!excluded.has(key)) variables[key] = value;
    }
    for (const [key, value] of Object.entries(additional)) {
      if (!excluded.has(key) && !Object.hasOwn(own, key)) variables[key] = value;
    }
    this.#variables = Object.freeze(variables);
  }

  getScopeComponents(): readonly string[] {
    return this.#group.getScopeComponents();
  }

  getAllVariables(): Readonly<Record<string, string>> {
    return this.#variables;
  }

  getLogicalScope(delimiter?: string): string {
    return this.#group.getLogicalScope(delimiter);
  }

  getUserScope(): readonly string[] {
    return this.#group.getUserScope();
  }

  getMetricIdentifier(metricName: string, delimiter?: string): string {
    return this.#group.getMetricIdentifier(metricName, delimiter);
  }
}
