import { hostname } from 'node:os';

/**
 * Scope variables, spelled as in Flink's `ScopeFormat`. A metric group's variables map these to
 * values; reporters turn them into tags or dimensions (without the angle brackets).
 */
export const ScopeVariables = Object.freeze({
  HOST: '<host>',
  WORKER_ID: '<tm_id>',
  JOB_ID: '<job_id>',
  JOB_NAME: '<job_name>',
  TASK_ID: '<task_id>',
  TASK_NAME: '<task_name>',
  TASK_ATTEMPT_ID: '<task_attempt_id>',
  TASK_ATTEMPT_NUM: '<task_attempt_num>',
  SUBTASK_INDEX: '<subtask_index>',
  OPERATOR_ID: '<operator_id>',
  OPERATOR_NAME: '<operator_name>',
} as const);

/** `name` as a scope variable: `host` → `<host>`; already bracketed names are kept. */
export function asVariable(name: string): string {
  return name.startsWith('<') && name.endsWith('>') ? name : `<${name}>`;
}

/** A scope variable without its brackets: `<host>` → `host`. */
export function variableName(variable: string): string {
  return variable.startsWith('<') && variable.endsWith('>') ? variable.slice(1, -1) : variable;
}

/**
 * Where the metrics of a component are measured: the process, job, task (one parallel
 * instance) and operator. Every field is optional except that the host defaults to the
 * machine's host name.
 */
export interface MetricScope {
  /** `<host>`; default `os.hostname()`. */
  readonly host?: string;
  /** `<tm_id>`: the worker process, e.g. a container or pod name. */
  readonly workerId?: string;
  readonly jobName?: string;
  readonly jobId?: string;
  readonly taskName?: string;
  readonly taskId?: string;
  /** `<subtask_index>`: the parallel instance, 0-based. */
  readonly subtaskIndex?: number;
  /** `<task_attempt_num>`: how often this instance was restarted. */
  readonly attemptNumber?: number;
  readonly taskAttemptId?: string;
  readonly operatorName?: string;
  readonly operatorId?: string;
}

/** One level of the system scope: its logical name, its scope components and its variables. */
export interface ScopeLevel {
  readonly logicalName: string;
  readonly components: readonly string[];
  readonly variables: ReadonlyMap<string, string>;
}

function level(
  logicalName: string,
  entries: ReadonlyArray<readonly [string, string | number | undefined]>,
): ScopeLevel {
  const variables = new Map<string, string>();
  for (const [variable, value] of entries) {
    if (value !== undefined) variables.set(variable, String(value));
  }
  return { logicalName, components: [], variables };
}

/**
 * The levels of a scope, root first, with Flink's logical names (`taskmanager`, `job`, `task`,
 * `operator`) so that Flink filter patterns such as `*.operator:*` carry over. A level is present
 * when one of its fields is set; the process level always is.
 */
export function scopeLevels(scope: MetricScope): ScopeLevel[] {
  const V = ScopeVariables;
  const host = scope.host ?? hostname();
  const levels: ScopeLevel[] = [
    {
      ...level('taskmanager', [
        [V.HOST, host],
        [V.WORKER_ID, scope.workerId],
      ]),
      components: [host],
    },
  ];
  const job = level('job', [
    [V.JOB_NAME, scope.jobName],
    [V.JOB_ID, scope.jobId],
  ]);
  if (job.variables.size > 0) levels.push({ ...job, components: [scope.jobName ?? scope.jobId ?? 'job'] });
  const task = level('task', [
    [V.TASK_NAME, scope.taskName],
    [V.TASK_ID, scope.taskId],
    [V.SUBTASK_INDEX, scope.subtaskIndex],
    [V.TASK_ATTEMPT_NUM, scope.attemptNumber],
    [V.TASK_ATTEMPT_ID, scope.taskAttemptId],
  ]);
  if (task.variables.size > 0) {
    const name = scope.taskName ?? scope.taskId;
    const components = [name, scope.subtaskIndex].filter((c) => c !== undefined).map(String);
    levels.push({ ...task, components });
  }
  const operator = level('operator', [
    [V.OPERATOR_NAME, scope.operatorName],
    [V.OPERATOR_ID, scope.operatorId],
  ]);
  if (operator.variables.size > 0) {
    levels.push({ ...operator, components: [scope.operatorName ?? scope.operatorId ?? 'operator'] });
  }
  return levels;
}
