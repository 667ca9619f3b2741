import {
  CheckpointNotFoundError,
  CorruptCheckpointError,
  CorruptSavepointError,
  StateBackendError,
} from '@statebackend/aws-base';
import { checkpointsCommand } from '../commands/checkpoints.js';
import { savepointCommand } from '../commands/savepoint.js';
import { stateCommand } from '../commands/state-dump.js';
import { CliError, UsageError } from '../errors.js';
import { RUN_EXAMPLE_OPTIONS } from '../example/example-options.js';
import { runKafkaExample } from '../example/kafka-example.js';
import { runExample } from '../example/run-example.js';
import { formatHelp, TOP_LEVEL_HELP } from './help.js';
import type { CliIo } from './io.js';
import { noMorePositionals, parseCommand, stringOption } from './parse.js';

const RUN_EXAMPLE_HELP = {
  usage: ['run-example [options]'],
  summary:
    'Runs a stateful job over a generated, seeded click stream: sessions per user (map state), clicks per\n' +
    'page (reducing state), TTL on idle users and a session timeout timer. It checkpoints as it goes;\n' +
    'stop or kill it at any moment and run it again: it resumes from the last checkpoint, and its\n' +
    'summary equals that of an uninterrupted run. With --source kafka://<host:port>/<topic> it runs one\n' +
    'worker of a click-count job on that topic instead (@statebackend/kafka): start it N times with the\n' +
    'same --group and --dir and the consumer group shares the partitions; --produce writes the clicks.',
  options: RUN_EXAMPLE_OPTIONS,
};

/**
 * Runs the `statebackend` command line `args` (without the program name) and returns the exit
 * code. Every failure becomes one line on stderr: a usage error exits with 2, anything else with 1.
 */
export async function main(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const [command, ...rest] = args;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(TOP_LEVEL_HELP);
      return command === undefined ? 2 : 0;
    }
    switch (command) {
      case 'run-example': {
        const parsed = parseCommand(command, rest, RUN_EXAMPLE_OPTIONS);
        if (parsed.values.help === true) {
          io.stdout.write(formatHelp(RUN_EXAMPLE_HELP));
          return 0;
        }
        const source = stringOption(parsed, 'source');
        if (source !== undefined) {
          noMorePositionals(parsed, 0, command);
          return await runKafkaExample(parsed, io, source);
        }
        return await runExample(parsed, io);
      }
      case 'checkpoints':
        return await checkpointsCommand(rest, io);
      case 'state':
        return await stateCommand(rest, io);
      case 'savepoint':
        return await savepointCommand(rest, io);
      default:
        throw new UsageError(`unknown command '${command}'`, '');
    }
  } catch (error) {
    io.stderr.write(`statebackend: ${oneLine(error)}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}

/** An error as one line: its message (the first line of it, with the cause's when it adds one). */
function oneLine(error: unknown): string {
  // Said as the command line says it, not as the API does.
  if (error instanceof CheckpointNotFoundError) {
    return `No checkpoint to restore at ${error.location}: ${error.reason}. See 'statebackend checkpoints list' for the ones there are.`;
  }
  if (error instanceof CorruptCheckpointError && !(error instanceof CorruptSavepointError)) {
    return (
      `Checkpoint file '${error.file}' is corrupt: ${error.reason}. Nothing was restored from it; ` +
      "see 'statebackend checkpoints list' and restore an earlier one with --checkpoint <id>."
    );
  }
  if (error instanceof CliError || error instanceof StateBackendError) return firstLines(error.message);
  if (error instanceof Error) return `${error.name}: ${firstLines(error.message)}`;
  return String(error);
}

function firstLines(message: string): string {
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}
