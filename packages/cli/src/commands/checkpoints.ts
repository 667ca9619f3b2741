import {
  type CheckpointStatus,
  type CheckpointStorage,
  type CheckpointSummary,
  inspectCheckpoints,
  KeyGroupRange,
} from '@statebackend/aws-base';
import { applyRetention } from '@statebackend/aws-base/spi';
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
  requireJobAt,
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
    summary:
      'Lists every checkpoint of a job at a location, oldest first, with its state: complete, incomplete\n' +
      '(key groups missing) or corrupt (with the reason; the others can still be restored and pruned).',
    options: { ...LOCATION_OPTIONS, ...JSON_OPTION },
  },
  run: (parsed, io) =>
    withCheckpoints(
      parsed,
      'checkpoints list',
      io,
      (table) => listDynamoDbCheckpoints(table, parsed, io),
      async (statuses) => {
        if (parsed.values.json === true) {
          for (const s of statuses) io.stdout.write(`${JSON.stringify(statusJson(s))}\n`);
          return 0;
        }
        const rows = statuses.map((s) =>
          s.state === 'corrupt'
            ? [
                String(s.checkpointId),
                '-',
                '-',
                formatRanges(s.records.map((r) => r.keyGroupRange)),
                '-',
                `corrupt: ${s.reason}`,
              ]
            : [
                String(s.checkpointId),
                new Date(s.summary.timestamp).toISOString(),
                formatBytes(s.summary.size),
                formatRanges(s.summary.keyGroupRanges),
                s.summary.stateNames.join(','),
                s.state === 'complete' ? 'complete' : `incomplete: no ${formatRanges(s.missing)}`,
              ],
        );
        io.stdout.write(formatTable(['ID', 'TAKEN', 'SIZE', 'KEY GROUPS', 'STATES', 'STATE'], rows));
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
      async (statuses) => {
        const id = integerOption(
          parsed,
          'checkpoint',
          'checkpoints show',
          statuses.at(-1)?.checkpointId ?? 0,
        );
        const found = statuses.find((s) => s.checkpointId === id);
        if (found === undefined) {
          throw new CliError(
            `No checkpoint ${id} at ${parsed.positionals[0]}; it has ${statuses.map((s) => s.checkpointId).join(', ') || 'none'}.`,
          );
        }
        if (found.state === 'corrupt') {
          throw new CliError(
            `Checkpoint ${id} at ${parsed.positionals[0]} is corrupt: ${found.reason}. Show or restore another one (--checkpoint <id>).`,
          );
        }
        io.stdout.write(`${JSON.stringify({ ...detailJson(found.summary), state: found.state }, null, 2)}\n`);
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
    return withCheckpoints(parsed, 'checkpoints prune', io, onTable, async (statuses, storage) => {
      const readable = statuses.flatMap((s) => (s.state === 'corrupt' ? [] : [s.summary]));
      const ranges = statuses.flatMap((s) =>
        s.state === 'corrupt' ? s.records.map((r) => r.keyGroupRange) : s.summary.keyGroupRanges,
      );
      if (ranges.length === 0) {
        io.stdout.write('No checkpoints to prune.\n');
        return 0;
      }
      const range = KeyGroupRange.of(
        Math.min(...ranges.map((r) => r.startKeyGroup)),
        Math.max(...ranges.map((r) => r.endKeyGroup)),
      );
      const lease = await storage.claim(range);
      // The newest `keep` complete checkpoints stay, and everything newer; corrupt ones are left alone.
      const complete = statuses.filter((s) => s.state === 'complete').map((s) => s.checkpointId);
      const oldestKept = complete.slice(-keep)[0] ?? Number.POSITIVE_INFINITY;
      const expired = readable.filter((s) => s.checkpointId < oldestKept);
      await storage.delete(expired.flatMap((s) => s.parts.map((p) => p.committed.path)));
      // Then the files no remaining checkpoint references (none while a corrupt one remains).
      const result = await applyRetention(storage, lease, {
        retainedCheckpoints: Number.MAX_SAFE_INTEGER,
        tolerateCorrupt: true,
      });
      const deleted = expired.map((s) => s.checkpointId);
      const kept = readable.map((s) => s.checkpointId).filter((id) => !deleted.includes(id));
      const corrupt = statuses.filter((s) => s.state === 'corrupt');
      io.stdout.write(
        `Kept ${describeIds(kept)}; deleted ${describeIds(deleted)} and ${result.deletedFiles.length} unreferenced file(s).\n` +
          (corrupt.length === 0
            ? ''
            : `Left ${describeIds(corrupt.map((s) => s.checkpointId))} alone: corrupt commit record, so no data file was deleted.\n`),
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
  use: (statuses: CheckpointStatus[], storage: CheckpointStorage) => Promise<number>,
): Promise<number> {
  const location = requiredPositional(parsed, 0, 'the <location>', command);
  noMorePositionals(parsed, 1, command);
  const opened = await openAnyLocation(parsed, location, io);
  try {
    if (opened.kind === 'dynamodb') return await onTable(opened.table);
    await requireJobAt(opened, parsed);
    return await use(await inspectCheckpoints(opened.storage.storage), opened.storage.storage);
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

function statusJson(s: CheckpointStatus) {
  if (s.state === 'corrupt') {
    return {
      checkpointId: s.checkpointId,
      keyGroups: formatRanges(s.records.map((r) => r.keyGroupRange)),
      state: 'corrupt',
      reason: s.reason,
    };
  }
  return {
    ...summaryJson(s.summary),
    state: s.state,
    ...(s.state === 'incomplete' ? { missing: formatRanges(s.missing) } : {}),
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
