import { type JsonValue, ProcessorDriver, Serializers, type StateRegistration } from '@statebackend/aws-base';
import type { CliIo } from '../cli/io.js';
import { integerOption, noMorePositionals, type ParsedCommand, stringOption } from '../cli/parse.js';
import { CliError } from '../errors.js';
import { type JobMetrics, metricsChoice, setUpMetrics } from '../metrics/metrics-setup.js';
import type { AwsSettings } from '../target/aws-settings.js';
import { openJobBackendSource } from '../target/job-backend-source.js';
import { type JobTarget, resolveJobTarget } from '../target/job-target.js';
import { ClickJobStates, onSessionTimer, processClick } from './click-job.js';
import { type Click, type ClickStreamOptions, clickStream, MAX_OUT_OF_ORDERNESS_MS } from './click-stream.js';
import { DEFAULT_EXAMPLE_DIRECTORY, EXAMPLE_SCOPE } from './example-options.js';
import { Progress } from './progress.js';
import { formatSummary, readSummary } from './summary.js';

const COMMAND = 'run-example';

/** Where the stream resumes, stored with each checkpoint, with the stream's parameters to check on resume. */
interface ClickPosition extends ClickStreamOptions {
  readonly next: number;
}

/** The AWS settings of a parsed command. */
export function awsSettingsOf(parsed: ParsedCommand): AwsSettings {
  const region = stringOption(parsed, 'region');
  const endpoint = stringOption(parsed, 'endpoint');
  const configFile = stringOption(parsed, 'config');
  return {
    ...(region === undefined ? {} : { region }),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(configFile === undefined ? {} : { configFile }),
  };
}

/** Where the example keeps its state (`--backend`, `--location`, `--dir`, AWS options), whatever its source. */
export function exampleTarget(
  parsed: ParsedCommand,
  io: CliIo,
): { readonly aws: AwsSettings; readonly target: JobTarget } {
  const aws = awsSettingsOf(parsed);
  const target = resolveJobTarget(
    {
      backend: stringOption(parsed, 'backend'),
      location: stringOption(parsed, 'location'),
      dir: stringOption(parsed, 'dir'),
    },
    DEFAULT_EXAMPLE_DIRECTORY,
    aws,
    io,
    COMMAND,
  );
  return { aws, target };
}

/**
 * `statebackend run-example`: the click-session job over the generated stream, checkpointed;
 * resumes from the last checkpoint when run again. Returns the exit code.
 */
export async function runExample(parsed: ParsedCommand, io: CliIo): Promise<number> {
  noMorePositionals(parsed, 0, COMMAND);
  const stream: ClickStreamOptions = {
    records: integerOption(parsed, 'records', COMMAND, 20_000),
    users: integerOption(parsed, 'users', COMMAND, 500, 1),
    seed: integerOption(parsed, 'seed', COMMAND, 42),
  };
  const everyRecords = integerOption(parsed, 'checkpoint-every', COMMAND, 1_000, 1);
  const intervalMs = integerOption(parsed, 'checkpoint-interval', COMMAND, 1_000, 1);
  const maxInFlight = integerOption(parsed, 'max-in-flight', COMMAND, 16, 1);
  const metrics = metricsChoice(stringOption(parsed, 'metrics'), COMMAND);
  const { aws, target } = exampleTarget(parsed, io);
  const checkpointId =
    parsed.values.checkpoint === undefined ? undefined : integerOption(parsed, 'checkpoint', COMMAND, 0);
  const opened = await openJobBackendSource(target, EXAMPLE_SCOPE, { aws, env: io.env }, checkpointId);
  let jobMetrics: JobMetrics | undefined;
  try {
    if (metrics !== undefined) {
      jobMetrics = await setUpMetrics(
        metrics,
        { jobName: EXAMPLE_SCOPE.jobId, taskName: EXAMPLE_SCOPE.operatorId },
        io.stderr,
        aws,
        io.env,
      );
    }
    const progress = new Progress(io.stderr, io.isTTY, stream.records, Date.now, io.columns);
    // With --json, stdout holds the summary alone: what is said on the way goes to stderr.
    const status = parsed.values.json === true ? io.stderr : io.stdout;
    const states: StateRegistration[] = [
      ...Object.values(ClickJobStates)
        .filter((d) => d !== ClickJobStates.pageClicks)
        .map((descriptor) => ({ descriptor })),
      { descriptor: ClickJobStates.pageClicks, namespaceSerializer: Serializers.string },
    ] as StateRegistration[];
    const metricGroup = jobMetrics?.group;
    const driver = new ProcessorDriver<Click, string>({
      createBackend: ({ clock }) =>
        opened.create({ clock, states, ...(metricGroup === undefined ? {} : { metricGroup }) }),
      keyOf: (click) => click.userId,
      process: processClick,
      onTimer: onSessionTimer,
      positionOf: (click): JsonValue => ({ ...stream, next: click.seq + 1 }),
      eventTime: {
        timestampOf: (click) => click.timestamp,
        maxOutOfOrdernessMs: MAX_OUT_OF_ORDERNESS_MS,
        watermarkEveryRecords: 100,
      },
      ttlTime: 'event',
      checkpoint: { everyRecords, intervalMs },
      maxInFlight,
      onCheckpoint: (c) => progress.checkpointed(c.checkpointId, c.offset),
      ...(metricGroup === undefined ? {} : { metricGroup }),
    });
    const started = await driver.start();
    const backend = driver.backend;
    try {
      const from = resumePosition(started.position, stream, opened.description);
      status.write(
        started.checkpointId === undefined
          ? `Starting the click-session example: ${stream.records} clicks of ${stream.users} users (seed ${stream.seed}), checkpoints in ${opened.description}\n`
          : `Resuming from checkpoint ${started.checkpointId} at click ${from} of ${stream.records} (${opened.description})\n`,
      );
      let consumed = from;
      async function* counted(): AsyncGenerator<Click> {
        for await (const click of clickStream(stream, from)) {
          progress.consumed(++consumed);
          yield click;
        }
      }
      const result = await driver.run(counted(), io.signal === undefined ? {} : { signal: io.signal });
      progress.finish();
      if (result.reason === 'aborted') {
        status.write(
          `Stopped at click ${result.offset} of ${stream.records}; checkpoint ${result.lastCheckpointId ?? 'none'} holds it. Run the same command again to resume.\n`,
        );
        return 130;
      }
      const summary = await readSummary(backend);
      io.stdout.write(parsed.values.json === true ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
      return 0;
    } finally {
      // The last report reads the backend's gauges: it goes before the backend is released.
      await jobMetrics?.close();
      await backend.dispose();
    }
  } finally {
    await jobMetrics?.close();
    await opened.close();
  }
}

/** The click to resume from; a {@link CliError} when the checkpoint belongs to another stream. */
function resumePosition(
  position: JsonValue | undefined,
  stream: ClickStreamOptions,
  location: string,
): number {
  if (position === undefined) return 0;
  const p = position as Partial<ClickPosition>;
  if (
    p.seed !== stream.seed ||
    p.users !== stream.users ||
    p.records !== stream.records ||
    typeof p.next !== 'number'
  ) {
    throw new CliError(
      `The checkpoints under ${location} are of another stream (--records ${String(p.records)} --users ${String(p.users)} ` +
        `--seed ${String(p.seed)}): run with those options, or use another --dir or --location.`,
    );
  }
  return p.next;
}
