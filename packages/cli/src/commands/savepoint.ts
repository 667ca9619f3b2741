import { rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { type JsonValue, KeyGroupRange, SavepointSource, type TypeSerializer } from '@statebackend/aws-base';
import type { KeyedStateSource } from '@statebackend/aws-base/spi';
import type { CliIo } from '../cli/io.js';
import { integerOption, noMorePositionals, requiredPositional } from '../cli/parse.js';
import { dumpSerializerRegistry } from '../dump/dump-registry.js';
import { CliError } from '../errors.js';
import { buildKeyedBackend } from '../target/job-backend.js';
import { formatBytes } from './format.js';
import { refuseLocationInUse } from './import-guard.js';
import {
  closeLocation,
  committedIds,
  dispatch,
  LOCATION_OPTIONS,
  locationOf,
  openAnyLocation,
  requireJobAt,
  type SubCommand,
  scopeOf,
} from './location-options.js';
import { openCheckpoint } from './open-checkpoint.js';

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
    const opened = await openAnyLocation(parsed, location, io);
    try {
      await requireJobAt(opened, parsed);
      const checkpointId =
        parsed.values.checkpoint === undefined ? undefined : integerOption(parsed, 'checkpoint', command, 0);
      const { source } = await openCheckpoint(opened, checkpointId);
      const where = locationOf(opened);
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
            location: where,
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
          `Exported checkpoint ${source.checkpointId} of ${where} to ${file}: ${entries} entries, ${formatBytes(size)}.\n`,
        );
        return 0;
      } finally {
        await backend.dispose();
      }
    } finally {
      await closeLocation(opened);
    }
  },
};

const importSavepoint: SubCommand = {
  help: {
    usage: ['savepoint import <file> <location> [options]'],
    summary:
      'Makes a savepoint the latest checkpoint of the job at a location (a directory, S3 or DynamoDB): its state and\n' +
      'metadata, so the job resumes from it there. It claims the key groups like a new job: stop the job first.\n' +
      'A location that holds checkpoints or state already, of this job or of another one beside it, is refused\n' +
      'unless --force. Even then nothing there is deleted: the older checkpoints stay restorable by id.',
    options: {
      force: {
        type: 'boolean',
        description: 'import where checkpoints or state are, as the newest checkpoint (the others are kept)',
      },
      ...LOCATION_OPTIONS,
    },
  },
  run: async (parsed, io) => {
    const command = 'savepoint import';
    const file = absolute(requiredPositional(parsed, 0, 'the savepoint <file>', command), io.cwd);
    const location = requiredPositional(parsed, 1, 'the <location>', command);
    noMorePositionals(parsed, 2, command);
    const source = await SavepointSource.openFiles([file]);
    try {
      const opened = await openAnyLocation(parsed, location, io);
      try {
        const into = locationOf(opened);
        if (parsed.values.force !== true) await refuseLocationInUse(opened, scopeOf(parsed), location);
        const keySerializer = keySerializerOf(source);
        const backend =
          opened.kind === 'dynamodb'
            ? await opened.table.importing(source, rangeOf(source), keySerializer)
            : await buildKeyedBackend(
                {
                  scope: scopeOf(parsed),
                  storage: opened.storage.storage,
                  restoreFrom: source,
                  maxParallelism: source.maxParallelism,
                  keyGroupRange: rangeOf(source),
                  // Whatever is there stays: an import never deletes what it did not write.
                  keepHistory: true,
                },
                keySerializer,
              );
        try {
          // Listed once the backend exists: it creates a table that is not there yet.
          const checkpointId = ((await committedIds(opened)).at(-1) ?? 0) + 1;
          const metadata = source.userMetadata[0]?.metadata;
          await backend.snapshot(checkpointId, metadata);
          io.stdout.write(`Imported ${file} into ${into} as checkpoint ${checkpointId}.\n`);
          return 0;
        } finally {
          await backend.dispose();
        }
      } finally {
        await closeLocation(opened);
      }
    } finally {
      await source.close();
    }
  },
};

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
