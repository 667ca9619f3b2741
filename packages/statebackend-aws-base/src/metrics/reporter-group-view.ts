import type { MetricGroupView } from './metric-group.js';

/**
 * A group as one reporter sees it (Flink's `FrontMetricGroup`): the same scope, with the
 * reporter's excluded variables removed and its additional variables added (the group's own
 * variables win over additional ones of the same name).
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
    const variables: Record<string, string> = {};
    for (const [key, value] of Object.entries(additional)) {
      if (!excluded.has(key)) variables[key] = value;
    }
    for (const [key, value] of Object.entries(group.getAllVariables())) {
      if (!excluded.has(key)) variables[key] = value;
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
