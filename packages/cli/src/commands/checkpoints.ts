import {
  applyRetention,
  type CheckpointStorage,
  type CheckpointSummary,
  KeyGroupRange,
  listCheckpoints,
} from '@statebackend/aws-base';
import type { CliIo } from '../cli/io.js';
import { integerOption, noMorePositionals, type ParsedCommand, requiredPositional } from '../cli/parse.js';
import { CliError } from '../errors.js';
import type { OpenedDynamoDbLocation } from '../target/dynamodb-location.js';
import {
  listDynamoDbCheckpoints,
  pruneDynamoDbCheckpoints,
  showDynamoDbCheckpoint,
} from './dynamodb-checkpoints.js';
import { formatBytes, formatRanges, formatTable } from './format.js';
import {
  closeLocation,
  dispatch,
  LOCATION_OPTIONS,
  openAnyLocation,
  type SubCommand,
} from './location-options.js';

const JSON_OPTION = { json: { type: 'boolean', description: 'print JSON' } } as const;

/** `statebackend checkpoints list|show|prune`. */
export function checkpointsCommand(args: readonly string[], io: CliIo): Promise<number> {
  return dispatch('checkpoints', { list, show, prune }, args, io);
}

const list: SubCommand = {
  help: {
    usage: ['checkpoints list <location> [options]'],
    summary: 'Lists the complete checkpoints of a job at a location, oldest first.',
    options: { ...LOCATION_OPTIONS, ...JSON_OPTION },
  },
  run: (parsed, io) =>
    withCheckpoints(
      parsed,
      'checkpoints list',
      io,
      (table) => listDynamoDbCheckpoints(table, parsed, io),
      async (summaries) => {
        if (parsed.values.json === true) {
          for (const s of summaries) io.stdout.write(`${JSON.stringify(summaryJson(s))}\n`);
          return 0;
        }
        const rows = summaries.map((s) => [
          String(s.checkpointId),
          new Date(s.timestamp).toISOString(),
          formatBytes(s.size),
          formatRanges(s.keyGroupRanges),
          s.stateNames.join(','),
        ]);
        io.stdout.write(formatTable(['ID', 'TAKEN', 'SIZE', 'KEY GROUPS', 'STATES'], rows));
        return 0;
      },
    ),
};

const show: SubCommand = {
  help: {
    usage: ['checkpoints show <location> [--checkpoint <id>] [options]'],
    summary:
      'Shows one checkpoint (default: the latest): its parts, states, files and the metadata stored with it.',
    options: {
      checkpoint: { type: 'string', value: '<id>', description: 'the checkpoint (default: the latest)' },
      ...LOCATION_OPTIONS,
    },
  },
  run: (parsed, io) =>
    withCheckpoints(
      parsed,
      'checkpoints show',
      io,
      (table) => showDynamoDbCheckpoint(table, parsed, io),
      async (summaries) => {
        const id = integerOption(
          parsed,
          'checkpoint',
          'checkpoints show',
          summaries.at(-1)?.checkpointId ?? 0,
        );
        const found = summaries.find((s) => s.checkpointId === id);
        if (found === undefined) {
          throw new CliError(
            `No checkpoint ${id} at ${parsed.positionals[0]}; it has ${summaries.map((s) => s.checkpointId).join(', ')}.`,
          );
        }
        io.stdout.write(`${JSON.stringify(detailJson(found), null, 2)}\n`);
        return 0;
      },
    ),
};

const prune: SubCommand = {
  help: {
    usage: ['checkpoints prune <location> --keep <n> [options]'],
    summary:
      'Deletes every checkpoint but the newest n, and the files no kept checkpoint references.\n' +
      'It claims the key groups like a new job would: stop the job first (a running one is fenced).\n' +
      'For dynamodb://<table> it deletes the older commit records only and claims nothing.',
    options: {
      keep: { type: 'string', value: '<n>', description: 'checkpoints to keep (at least 1)' },
      ...LOCATION_OPTIONS,
    },
  },
  run: async (parsed, io) => {
    if (parsed.values.keep === undefined)
      throw new CliError("checkpoints prune needs --keep <n> (see 'statebackend checkpoints prune --help')");
    const keep = integerOption(parsed, 'keep', 'checkpoints prune', 1, 1);
    const onTable = (table: OpenedDynamoDbLocation) => pruneDynamoDbCheckpoints(table, keep, io);
    return withCheckpoints(parsed, 'checkpoints prune', io, onTable, async (summaries, storage) => {
      const ranges = summaries.flatMap((s) => s.keyGroupRanges);
      const first = ranges[0];
      if (first === undefined) {
        io.stdout.write('No checkpoints to prune.\n');
        return 0;
      }
      const range = KeyGroupRange.of(
        Math.min(...ranges.map((r) => r.startKeyGroup)),
        Math.max(...ranges.map((r) => r.endKeyGroup)),
      );
      const lease = await storage.claim(range);
      const result = await applyRetention(storage, lease, { retainedCheckpoints: keep });
      const deleted = [...new Set(result.deletedCheckpoints.map((c) => c.checkpointId))].sort(
        (a, b) => a - b,
      );
      const kept = summaries.map((s) => s.checkpointId).filter((id) => !deleted.includes(id));
      io.stdout.write(
        `Kept ${describeIds(kept)}; deleted ${describeIds(deleted)} and ${result.deletedFiles.length} unreferenced file(s).\n`,
      );
      return 0;
    });
  },
};

/** Runs `onTable` for a `dynamodb://` location (commit records), else `use` with the storage's checkpoints. */
async function withCheckpoints(
  parsed: ParsedCommand,
  command: string,
  io: CliIo,
  onTable: (table: OpenedDynamoDbLocation) => Promise<number>,
  use: (summaries: CheckpointSummary[], storage: CheckpointStorage) => Promise<number>,
): Promise<number> {
  const location = requiredPositional(parsed, 0, 'the <location>', command);
  noMorePositionals(parsed, 1, command);
  const opened = await openAnyLocation(parsed, location, io);
  try {
    if (opened.kind === 'dynamodb') return await onTable(opened.table);
    return await use(await listCheckpoints(opened.storage.storage), opened.storage.storage);
  } finally {
    await closeLocation(opened);
  }
}

function describeIds(ids: readonly number[]): string {
  if (ids.length === 0) return 'no checkpoint';
  return `checkpoint${ids.length === 1 ? '' : 's'} ${ids.join(', ')}`;
}

function summaryJson(s: CheckpointSummary) {
  return {
    checkpointId: s.checkpointId,
    timestamp: new Date(s.timestamp).toISOString(),
    size: s.size,
    keyGroups: formatRanges(s.keyGroupRanges),
    states: s.stateNames,
  };
}

function detailJson(s: CheckpointSummary) {
  return {
    ...summaryJson(s),
    parts: s.parts.map(({ committed, metadata }) => ({
      keyGroups: formatRanges([metadata.keyGroupRange]),
      writerEpoch: committed.writerEpoch,
      committedAt: new Date(committed.committedAt).toISOString(),
      snapshotType: metadata.snapshotType,
      maxParallelism: metadata.maxParallelism,
      metadata: metadata.userMetadata ?? null,
      states: metadata.states.map((state) => ({
        name: state.name,
        kind: state.kind,
        serializers: Object.fromEntries(
          Object.entries(state.serializers).map(([role, snap]) => [role, snap?.id]),
        ),
        ...(state.ttl === undefined ? {} : { ttl: state.ttl }),
      })),
      files: metadata.files.map((f) => ({
        path: f.path,
        size: f.size,
        entries: f.entries,
        keyGroups: formatRanges(f.keyGroups),
        checkpointId: f.checkpointId,
      })),
    })),
  };
}
