import type { Dimension } from '@aws-sdk/client-cloudwatch';
import { ScopeVariables, variableName } from '@statebackend/aws-base';
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

/**
 * The dimensions of a metric, in a fixed order: the configured global dimensions, then the
 * scope variables root first (job, task, operator, then user key-value groups), named without
 * angle brackets (`<job_name>` → `job_name`). Task-instance variables are left out unless
 * `includeTaskDimensions`. A name seen before is skipped (the global one wins); a blank value is
 * skipped; names and values are sanitized like metric names. Beyond 30, the rest are dropped and
 * counted in `truncated`, so that the request is not rejected as a whole.
 */
export function buildDimensions(
  variables: Readonly<Record<string, string>>,
  globalDimensions: Readonly<Record<string, string>>,
  includeTaskDimensions: boolean,
): DimensionSet {
  const dimensions: Dimension[] = [];
  const seen = new Set<string>();
  let truncated = 0;
  const add = (rawName: string, rawValue: string): void => {
    const name = cleanName(rawName);
    const value = cleanValue(rawValue);
    if (name === undefined || value === undefined || seen.has(name)) return;
    seen.add(name);
    if (dimensions.length >= MAX_DIMENSIONS) truncated++;
    else dimensions.push({ Name: name, Value: value });
  };
  for (const [name, value] of Object.entries(globalDimensions)) add(name, value);
  for (const [variable, value] of Object.entries(variables)) {
    if (!includeTaskDimensions && TASK_DIMENSION_VARIABLES.has(variable)) continue;
    add(variableName(variable), value);
  }
  return { dimensions, truncated };
}
