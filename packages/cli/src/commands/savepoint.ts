import { rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import {
  CheckpointSource,
  type CheckpointStorage,
  findLatestCompleteCheckpoint,
  type JsonValue,
  type KeyedStateSource,
  KeyGroupRange,
  loadCheckpoint,
  SavepointSource,
  type TypeSerializer,
} from '@statebackend/aws-base';
import type { CliIo } from '../cli/io.js';
import { integerOption, noMorePositionals, type ParsedCommand, requiredPositional } from '../cli/parse.js';
import { dumpSerializerRegistry } from '../dump/dump-registry.js';
import { CliError } from '../errors.js';
import { buildKeyedBackend } from '../target/job-backend.js';
import { formatBytes } from './format.js';
import { dispatch, LOCATION_OPTIONS, openLocation, type SubCommand, scopeOf } from './location-options.js';

/** `statebackend savepoint export|import`. */
export function savepointCommand(args: readonly string[], io: CliIo): Promise<number> {
  return dispatch('savepoint', { export: exportSavepoint, import: importSavepoint }, args, io);
}

const exportSavepoint: SubCommand = {
  help: {
    usage: ['savepoint export <location> <file> [--checkpoint <id>] [options]'],
    summary:
      'Writes a checkpoint (default: the latest) as a canonical savepoint file: every state with its\n' +
      'serializers, and the metadata stored with the checkpoint (e.g. the source position). Any backend\n' +
      "imports it ('statebackend savepoint import').",
    options: {
      checkpoint: {
        type: 'string',
        value: '<id>',
        description: 'the checkpoint (default: the latest complete one)',
      },
      ...LOCATION_OPTIONS,
    },
  },
  run: async (parsed, io) => {
    const command = 'savepoint export';
    const location = requiredPositional(parsed, 0, 'the <location>', command);
    const file = absolute(requiredPositional(parsed, 1, 'the savepoint <file>', command), io.cwd);
    noMorePositionals(parsed, 2, command);
    const opened = await openLocation(parsed, location, io);
    try {
      const source = await checkpointSource(parsed, opened.storage, command);
      const range = rangeOf(source);
      const backend = await buildKeyedBackend(
        {
          scope: scopeOf(parsed),
          storage: undefined,
          restoreFrom: source,
          maxParallelism: source.maxParallelism,
          keyGroupRange: range,
        },
        keySerializerOf(source),
      );
      try {
        const userMetadata = source.userMetadata[0]?.metadata;
        // Moved as stored: expiry is for the job that reads the state, by its own clock.
        const encoded = backend.exportSavepoint({
          dropExpired: false,
          ...(userMetadata === undefined ? {} : { userMetadata }),
          origin: {
            location: opened.storage.location,
            checkpointId: source.checkpointId ?? null,
          } as JsonValue as {
            [key: string]: JsonValue;
          },
        });
        const temporary = `${file}.${process.pid}.tmp`;
        try {
          await writeFile(temporary, encoded.content);
          await rename(temporary, file);
        } catch (error) {
          await rm(temporary, { force: true });
          throw new CliError(`Cannot write the savepoint ${file}: ${(error as Error).message}`, {
            cause: error,
          });
        }
        const { size, entries } = encoded.result();
        io.stdout.write(
          `Exported checkpoint ${source.checkpointId} of ${opened.storage.location} to ${file}: ${entries} entries, ${formatBytes(size)}.\n`,
        );
        return 0;
      } finally {
        await backend.dispose();
      }
    } finally {
      await opened.close();
    }
  },
};

const importSavepoint: SubCommand = {
  help: {
    usage: ['savepoint import <file> <location> [options]'],
    summary:
      'Makes a savepoint the latest checkpoint of the job at a location (a directory, or S3): its state and\n' +
      'metadata, so the job resumes from it there. It claims the key groups like a new job: stop the job first.',
    options: LOCATION_OPTIONS,
  },
  run: async (parsed, io) => {
    const command = 'savepoint import';
    const file = absolute(requiredPositional(parsed, 0, 'the savepoint <file>', command), io.cwd);
    const location = requiredPositional(parsed, 1, 'the <location>', command);
    noMorePositionals(parsed, 2, command);
    const source = await SavepointSource.openFiles([file]);
    try {
      const opened = await openLocation(parsed, location, io);
      try {
        const latest = (await opened.storage.listCommitted()).reduce(
          (max, c) => Math.max(max, c.checkpointId),
          0,
        );
        const backend = await buildKeyedBackend(
          {
            scope: scopeOf(parsed),
            storage: opened.storage,
            restoreFrom: source,
            maxParallelism: source.maxParallelism,
            keyGroupRange: rangeOf(source),
          },
          keySerializerOf(source),
        );
        try {
          const checkpointId = latest + 1;
          const metadata = source.userMetadata[0]?.metadata;
          await backend.snapshot(checkpointId, metadata);
          io.stdout.write(
            `Imported ${file} into ${opened.storage.location} as checkpoint ${checkpointId}.\n`,
          );
          return 0;
        } finally {
          await backend.dispose();
        }
      } finally {
        await opened.close();
      }
    } finally {
      await source.close();
    }
  },
};

async function checkpointSource(
  parsed: ParsedCommand,
  storage: CheckpointStorage,
  command: string,
): Promise<CheckpointSource> {
  const committed = await storage.listCommitted();
  if (committed.length === 0) throw new CliError(`No checkpoints at ${storage.location}.`);
  const range = KeyGroupRange.of(
    Math.min(...committed.map((c) => c.keyGroupRange.startKeyGroup)),
    Math.max(...committed.map((c) => c.keyGroupRange.endKeyGroup)),
  );
  const selection =
    parsed.values.checkpoint === undefined
      ? await findLatestCompleteCheckpoint(storage, range)
      : await loadCheckpoint(storage, integerOption(parsed, 'checkpoint', command, 0), range);
  if (selection === undefined) throw new CliError(`No complete checkpoint at ${storage.location}.`);
  return new CheckpointSource(storage, selection);
}

/** The key groups a source holds, as one range (the parts of a checkpoint or savepoint are contiguous). */
function rangeOf(source: KeyedStateSource): KeyGroupRange {
  const ranges = source.userMetadata.map((m) => m.keyGroupRange);
  if (ranges.length === 0) return KeyGroupRange.of(0, source.maxParallelism - 1);
  return KeyGroupRange.of(
    Math.min(...ranges.map((r) => r.startKeyGroup)),
    Math.max(...ranges.map((r) => r.endKeyGroup)),
  );
}

/** The key serializer the source's states were written with. */
function keySerializerOf(source: KeyedStateSource): TypeSerializer<unknown> {
  const snapshot = source.states.find((s) => s.serializers.key !== undefined)?.serializers.key;
  if (snapshot === undefined) throw new CliError(`${source.description} holds no state to move.`);
  return dumpSerializerRegistry().resolve(snapshot);
}

function absolute(path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}
