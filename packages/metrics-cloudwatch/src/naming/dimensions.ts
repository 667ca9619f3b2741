import type { Dimension } from '@aws-sdk/client-cloudwatch';
import { ScopeVariables, variableName } from '@statebackend/aws-base/spi';
import { MAX_NAME_LENGTH, sanitizeName } from './metric-name.js';

/** Most dimensions per datum (a CloudWatch limit). */
export const MAX_DIMENSIONS = 30;
/** CloudWatch's limit on dimension values. */
export const MAX_DIMENSION_VALUE_LENGTH = 1_024;

/**
 * Variables that tell one parallel instance (or one run) from another. Each distinct value
 * makes another billed metric, so they are dimensions only with `include-task-dimensions`.
 */
export const TASK_DIMENSION_VARIABLES: ReadonlySet<string> = new Set([
  ScopeVariables.HOST,
  ScopeVariables.WORKER_ID,
  ScopeVariables.JOB_ID,
  ScopeVariables.TASK_ID,
  ScopeVariables.TASK_ATTEMPT_ID,
  ScopeVariables.TASK_ATTEMPT_NUM,
  ScopeVariables.SUBTASK_INDEX,
  ScopeVariables.OPERATOR_ID,
]);

/** The dimensions of one metric, and how many were left out to stay within the limit. */
export interface DimensionSet {
  readonly dimensions: readonly Dimension[];
  /** Dimensions beyond {@link MAX_DIMENSIONS}, left out (the last ones in order). */
  readonly truncated: number;
}

function cleanValue(value: string): string | undefined {
  const ascii = value.replace(/[^\u0020-\u007e]/g, '_');
  if (ascii.trim() === '') return undefined;
  return ascii.length <= MAX_DIMENSION_VALUE_LENGTH ? ascii : sanitizeName(value, MAX_DIMENSION_VALUE_LENGTH);
}

function cleanName(name: string): string | undefined {
  if (name.trim() === '') return undefined;
  const sanitized = sanitizeName(name, MAX_NAME_LENGTH);
  return sanitized.startsWith(':') ? `_${sanitized.slice(1)}` : sanitized;
}

/** Scope variables named by the job, task and operator, in this order, right after the global dimensions. */
const SYSTEM_NAME_VARIABLES: readonly string[] = [
  ScopeVariables.JOB_NAME,
  ScopeVariables.TASK_NAME,
  ScopeVariables.OPERATOR_NAME,
];

/** The task-instance variables, in the order they are added with `include-task-dimensions`. */
const TASK_DIMENSION_ORDER: readonly string[] = [
  ScopeVariables.HOST,
  ScopeVariables.WORKER_ID,
  ScopeVariables.JOB_ID,
  ScopeVariables.TASK_ID,
  ScopeVariables.SUBTASK_INDEX,
  ScopeVariables.TASK_ATTEMPT_NUM,
  ScopeVariables.TASK_ATTEMPT_ID,
  ScopeVariables.OPERATOR_ID,
];

/**
 * The dimensions of a metric, in the order the README documents, whatever order the variables
 * come in:
 * 1. the configured global dimensions, in their order;
 * 2. `job_name`, `task_name`, `operator_name`;
 * 3. with `includeTaskDimensions`, the task-instance variables: `host`, `tm_id`, `job_id`,
 *    `task_id`, `subtask_index`, `task_attempt_num`, `task_attempt_id`, `operator_id`;
 * 4. the other variables in the order the group gives them: key-value groups root first, then
 *    the reporter's `scope.variables.additional`.
 *
 * Variables are named without angle brackets (`<job_name>` → `job_name`). A name seen before is
 * skipped (the global one wins); a blank value is skipped; names and values are sanitized like
 * metric names. Beyond 30, the rest (the last in this order) are dropped and counted in
 * `truncated`, so that the request is not rejected as a whole.
 */
export function buildDimensions(
  variables: Readonly<Record<string, string>>,
  globalDimensions: Readonly<Record<string, string>>,
  includeTaskDimensions: boolean,
): DimensionSet {
  const dimensions: Dimension[] = [];
  const seen = new Set<string>();
  let truncated = 0;
  const add = (rawName: string, rawValue: string | undefined): void => {
    if (rawValue === undefined) return;
    const name = cleanName(rawName);
    const value = cleanValue(rawValue);
    if (name === undefined || value === undefined || seen.has(name)) return;
    seen.add(name);
    if (dimensions.length >= MAX_DIMENSIONS) truncated++;
    else dimensions.push({ Name: name, Value: value });
  };
  for (const [name, value] of Object.entries(globalDimensions)) add(name, value);
  for (const variable of SYSTEM_NAME_VARIABLES) add(variableName(variable), variables[variable]);
  if (includeTaskDimensions) {
    for (const variable of TASK_DIMENSION_ORDER) add(variableName(variable), variables[variable]);
  }
  for (const [variable, value] of Object.entries(variables)) {
    if (SYSTEM_NAME_VARIABLES.includes(variable) || TASK_DIMENSION_VARIABLES.has(variable)) continue;
    add(variableName(variable), value);
  }
  return { dimensions: Object.freeze(dimensions), truncated };
}
