import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LocalCheckpointStorage } from '@statebackend/aws-base';
import { type CommandHelp, formatHelp } from '../cli/help.js';
import type { CliIo } from '../cli/io.js';
import { type OptionSpecs, type ParsedCommand, parseCommand, stringOption } from '../cli/parse.js';
import { NothingAtLocationError, UsageError } from '../errors.js';
import { AWS_OPTIONS, EXAMPLE_SCOPE } from '../example/example-options.js';
import { awsSettingsOf } from '../example/run-example.js';
import { type OpenedDynamoDbLocation, openDynamoDbLocation } from '../target/dynamodb-location.js';
import { type JobScope, parseLocation } from '../target/location.js';
import { type OpenedStorage, openCheckpointStorage } from '../target/open-storage.js';

/** Options of every command that reads a location: whose checkpoints, and how to reach AWS. */
export const LOCATION_OPTIONS: OptionSpecs = {
  job: {
    type: 'string',
    value: '<id>',
    description: `the job id (default ${EXAMPLE_SCOPE.jobId}, the example's)`,
  },
  operator: {
    type: 'string',
    value: '<id>',
    description: `the operator id (default ${EXAMPLE_SCOPE.operatorId}, the example's)`,
  },
  ...AWS_OPTIONS,
};

/** The job and operator a parsed command names. */
export function scopeOf(parsed: ParsedCommand): JobScope {
  return {
    jobId: stringOption(parsed, 'job') ?? EXAMPLE_SCOPE.jobId,
    operatorId: stringOption(parsed, 'operator') ?? EXAMPLE_SCOPE.operatorId,
  };
}

/** A location opened by a command: a checkpoint storage (directory, S3), or a DynamoDB table's commit records. */
export type OpenedLocation =
  | { readonly kind: 'storage'; readonly storage: OpenedStorage }
  | { readonly kind: 'dynamodb'; readonly table: OpenedDynamoDbLocation };

/** Opens the location `text`, whichever kind it is; close it with {@link closeLocation}. */
export async function openAnyLocation(
  parsed: ParsedCommand,
  text: string,
  io: CliIo,
): Promise<OpenedLocation> {
  const location = parseLocation(text, io.cwd);
  const context = { aws: awsSettingsOf(parsed), env: io.env };
  if (location.kind === 'dynamodb') {
    return { kind: 'dynamodb', table: await openDynamoDbLocation(location.table, scopeOf(parsed), context) };
  }
  return { kind: 'storage', storage: await openCheckpointStorage(location, scopeOf(parsed), context) };
}

/** The opened location's name in messages, e.g. `s3://bucket/prefix/job/operator` or `dynamodb://table/job/operator`. */
export function locationOf(opened: OpenedLocation): string {
  return opened.kind === 'dynamodb' ? opened.table.location : opened.storage.storage.location;
}

/** The ids of the opened job's committed checkpoints, ascending. */
export async function committedIds(opened: OpenedLocation): Promise<number[]> {
  const records =
    opened.kind === 'dynamodb' ? await opened.table.commits() : await opened.storage.storage.listCommitted();
  return [...new Set(records.map((r) => r.checkpointId))].sort((a, b) => a - b);
}

export function closeLocation(opened: OpenedLocation): Promise<void> {
  return opened.kind === 'dynamodb' ? opened.table.close() : opened.storage.close();
}

/** A sub-command of a command group, e.g. `list` of `checkpoints`. */
export interface SubCommand {
  readonly help: CommandHelp;
  run(parsed: ParsedCommand, io: CliIo): Promise<number>;
}

/**
 * Dispatches `args` of a command group (`checkpoints`, `state`, `savepoint`) to its sub-command,
 * answering `--help` at either level.
 */
export async function dispatch(
  group: string,
  subCommands: Readonly<Record<string, SubCommand>>,
  args: readonly string[],
  io: CliIo,
): Promise<number> {
  const [name, ...rest] = args;
  const names = Object.keys(subCommands).join('|');
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout.write(
      `Usage: statebackend ${group} ${names} ...\n\n` +
        Object.values(subCommands)
          .map((c) => `  statebackend ${c.help.usage[0]}\n`)
          .join('') +
        `\nRun 'statebackend ${group} <${names}> --help' for the options.\n`,
    );
    return name === undefined ? 2 : 0;
  }
  const sub = subCommands[name];
  if (sub === undefined) throw new UsageError(`unknown ${group} command '${name}'; use ${names}`, group);
  const command = `${group} ${name}`;
  const parsed = parseCommand(command, rest, sub.help.options);
  if (parsed.values.help === true) {
    io.stdout.write(formatHelp(sub.help));
    return 0;
  }
  return sub.run(parsed, io);
}

/**
 * Fails with {@link NothingAtLocationError} when the location holds nothing of the job: a missing
 * directory, or no job/operator of that name (naming the ones there are), or, in S3, neither a
 * checkpoint nor a claim of the job. For commands that read; an import may create a location.
 */
export async function requireJobAt(opened: OpenedLocation, parsed: ParsedCommand): Promise<void> {
  if (opened.kind !== 'storage') return;
  const { storage } = opened.storage;
  const { jobId, operatorId } = scopeOf(parsed);
  if (storage instanceof LocalCheckpointStorage) {
    const root = dirname(dirname(storage.baseDirectory));
    if (!(await isDirectory(root))) throw new NothingAtLocationError(root, 'no such directory');
    if (await isDirectory(storage.baseDirectory)) return;
    const jobs: string[] = [];
    for (const job of await readdir(root).catch(() => [])) {
      for (const operator of await readdir(join(root, job)).catch(() => [])) jobs.push(`${job}/${operator}`);
    }
    throw new NothingAtLocationError(
      root,
      `no job '${jobId}' with operator '${operatorId}' (${jobs.length === 0 ? 'the directory is empty' : `it holds ${jobs.join(', ')}; pick one with --job and --operator`})`,
    );
  }
  if ((await storage.listClaims()).length === 0 && (await storage.listCommitted()).length === 0) {
    throw new NothingAtLocationError(
      storage.location,
      `no checkpoints of job '${jobId}' with operator '${operatorId}' (pick another with --job and --operator)`,
    );
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true;
}
