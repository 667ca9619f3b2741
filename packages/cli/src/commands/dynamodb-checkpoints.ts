import { KeyGroupRange } from '@statebackend/aws-base';
import { type CommitRecord, decodeUserMetadata } from '@statebackend/aws-dynamodb';
import type { CliIo } from '../cli/io.js';
import { integerOption, type ParsedCommand } from '../cli/parse.js';
import { CliError } from '../errors.js';
import type { OpenedDynamoDbLocation } from '../target/dynamodb-location.js';
import { formatBytes, formatRanges, formatTable } from './format.js';

/** A checkpoint of the DynamoDB backend: the commit records of its writers, one per key-group range. */
interface DynamoDbCheckpoint {
  readonly checkpointId: number;
  readonly parts: readonly CommitRecord[];
}

/** `checkpoints list` of a `dynamodb://` location: one line per checkpoint id, oldest first. */
export async function listDynamoDbCheckpoints(
  table: OpenedDynamoDbLocation,
  parsed: ParsedCommand,
  io: CliIo,
): Promise<number> {
  const checkpoints = byCheckpoint(await table.commits());
  if (parsed.values.json === true) {
    for (const c of checkpoints) io.stdout.write(`${JSON.stringify(summaryJson(c))}\n`);
    return 0;
  }
  const rows = checkpoints.map((c) => {
    const s = summaryJson(c);
    return [
      String(c.checkpointId),
      s.timestamp,
      s.size === null ? '-' : formatBytes(s.size),
      s.keyGroups,
      s.states.join(','),
    ];
  });
  io.stdout.write(formatTable(['ID', 'TAKEN', 'SIZE', 'KEY GROUPS', 'STATES'], rows));
  return 0;
}

/** `checkpoints show`: a checkpoint's parts (writer epoch, cutoff, lineage) and the metadata stored with each. */
export async function showDynamoDbCheckpoint(
  table: OpenedDynamoDbLocation,
  parsed: ParsedCommand,
  io: CliIo,
): Promise<number> {
  const checkpoints = byCheckpoint(await table.commits());
  if (checkpoints.length === 0) throw new CliError(`No checkpoints at ${table.location}.`);
  const id = integerOption(parsed, 'checkpoint', 'checkpoints show', checkpoints.at(-1)?.checkpointId ?? 0);
  const found = checkpoints.find((c) => c.checkpointId === id);
  if (found === undefined) {
    throw new CliError(
      `No checkpoint ${id} at ${table.location}; it has ${checkpoints.map((c) => c.checkpointId).join(', ')}.`,
    );
  }
  const detail = {
    ...summaryJson(found),
    parts: found.parts.map((p) => ({
      keyGroups: formatRanges([KeyGroupRange.of(p.start, p.end)]),
      writerEpoch: p.epoch,
      generation: p.cutoff,
      committedAt: new Date(p.committedAt).toISOString(),
      written: p.written ?? null,
      maxParallelism: p.maxParallelism ?? null,
      metadata: decodeUserMetadata(p.metadata) ?? null,
      lineage: p.lineage,
      restorable: p.restorable,
      states: statesOf(p),
    })),
  };
  io.stdout.write(`${JSON.stringify(detail, null, 2)}\n`);
  return 0;
}

/**
 * `checkpoints prune --keep n`: deletes the commit records of every checkpoint but the newest n
 * of each key group. No restore reads them (a restore takes each key group's newest commit, or
 * an older one its writer still retains); the data items they name are cleaned up by the job's
 * own checkpoints. Claims nothing: a running job goes on.
 */
export async function pruneDynamoDbCheckpoints(
  table: OpenedDynamoDbLocation,
  keep: number,
  io: CliIo,
): Promise<number> {
  const commits = await table.commits();
  const doomed = commits.filter((commit) => {
    for (let kg = commit.start; kg <= commit.end; kg++) {
      const newer = commits.filter(
        (c) => c.start <= kg && kg <= c.end && c.checkpointId > commit.checkpointId,
      );
      if (new Set(newer.map((c) => c.checkpointId)).size < keep) return false;
    }
    return true;
  });
  await table.remove(doomed);
  const deleted = [...new Set(doomed.map((c) => c.checkpointId))].sort((a, b) => a - b);
  const kept = [...new Set(commits.map((c) => c.checkpointId))]
    .filter((id) => !deleted.includes(id))
    .sort((a, b) => a - b);
  io.stdout.write(
    `Kept ${kept.length === 0 ? 'no checkpoint' : `checkpoints ${kept.join(', ')}`}; deleted ${
      deleted.length === 0 ? 'no checkpoint' : `checkpoints ${deleted.join(', ')}`
    } (${doomed.length} commit record(s)).\n`,
  );
  return 0;
}

function byCheckpoint(commits: readonly CommitRecord[]): DynamoDbCheckpoint[] {
  const ids = [...new Set(commits.map((c) => c.checkpointId))].sort((a, b) => a - b);
  return ids.map((checkpointId) => ({
    checkpointId,
    parts: commits.filter((c) => c.checkpointId === checkpointId).sort((a, b) => a.start - b.start),
  }));
}

/** `size` is what the checkpoint wrote: DynamoDB checkpoints are incremental, their data shared items. */
function summaryJson(c: DynamoDbCheckpoint) {
  const sizes = c.parts.map((p) => p.written?.bytes);
  return {
    checkpointId: c.checkpointId,
    timestamp: new Date(Math.max(...c.parts.map((p) => p.committedAt))).toISOString(),
    size: sizes.some((s) => s === undefined) ? null : sizes.reduce((a: number, b) => a + (b ?? 0), 0),
    keyGroups: formatRanges(c.parts.map((p) => KeyGroupRange.of(p.start, p.end))),
    states: [...new Set(c.parts.flatMap((p) => statesOf(p).map((s) => s.name)))].sort(),
  };
}

function statesOf(commit: CommitRecord): { name: string; kind: string }[] {
  if (commit.states === undefined) return [];
  return (JSON.parse(commit.states) as { name: string; kind: string }[]).map(({ name, kind }) => ({
    name,
    kind,
  }));
}
