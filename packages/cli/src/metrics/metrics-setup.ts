import { ConsoleLikeReporter, type MetricGroup, MetricRegistry } from '@statebackend/aws-base';
import type { Writer } from '../cli/io.js';
import { UsageError } from '../errors.js';
import { type AwsSettings, awsConfiguration } from '../target/aws-settings.js';
import { lazyImport } from '../target/lazy-import.js';

/** Which reporter `--metrics` asks for. */
export type MetricsChoice = 'console' | 'cloudwatch';

/** The metric registry of a run and the group the job's backend registers its metrics in. */
export interface JobMetrics {
  readonly group: MetricGroup;
  /** Runs a last report and stops the reporters. */
  close(): Promise<void>;
}

/** Parses `--metrics`. */
export function metricsChoice(value: string | undefined, command: string): MetricsChoice | undefined {
  if (value === undefined || value === 'console' || value === 'cloudwatch') return value;
  throw new UsageError(`--metrics must be console or cloudwatch, not '${value}'`, command);
}

/**
 * Sets up the reporter: `console` writes one line per metric to `stderr` every few seconds (and
 * once more at the end); `cloudwatch` reports to CloudWatch with the `aws.*` settings and any
 * `metrics.reporter.cloudwatch.*` keys of `--config` (namespace, dimensions, interval).
 */
export async function setUpMetrics(
  choice: MetricsChoice,
  scope: { readonly jobName: string; readonly taskName: string },
  stderr: Writer,
  aws: AwsSettings,
  env: Readonly<Record<string, string | undefined>>,
): Promise<JobMetrics> {
  let registry: MetricRegistry;
  if (choice === 'console') {
    registry = new MetricRegistry();
    await registry.addReporter(
      new ConsoleLikeReporter({ sink: (line) => stderr.write(`metric ${line}\n`) }),
      {
        name: 'console',
        intervalMs: 5_000,
      },
    );
  } else {
    await lazyImport(
      '@statebackend/metrics-cloudwatch',
      '--metrics cloudwatch',
      () => import('@statebackend/metrics-cloudwatch'),
    );
    const configuration = awsConfiguration(aws, env);
    if (!configuration.contains('metrics.reporter.cloudwatch.factory.class')) {
      configuration.setString('metrics.reporter.cloudwatch.factory.class', 'cloudwatch');
    }
    if (!configuration.contains('metrics.reporter.cloudwatch.namespace')) {
      configuration.setString('metrics.reporter.cloudwatch.namespace', 'statebackend/example');
    }
    registry = await MetricRegistry.fromConfiguration(configuration);
  }
  const group = registry.createGroup({ jobName: scope.jobName, taskName: scope.taskName, subtaskIndex: 0 });
  return { group, close: () => registry.close() };
}
