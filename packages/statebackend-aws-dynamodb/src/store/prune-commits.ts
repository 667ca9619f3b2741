import type { KeyGroupRange } from '@statebackend/aws-base';
import type { CommitLog } from '../checkpoint/commit-log.js';
import type { CommitRecord } from '../checkpoint/lineage.js';
import { reachableRecords } from './unread-slots.js';

/**
 * Deletes the commit records no restore needs any more, among those touching this writer's key
 * groups, after checkpoint `checkpointId` became its oldest restorable one:
 *
 * - older ones whose key groups all lie in this writer's range (its retention moved past them);
 * - ones that straddle its range (written before a rescale, by an owner of other key groups too)
 *   once no restore of any key group they cover can pick them: for each of those key groups a
 *   newer commit exists and the newest does not list the record's checkpoint as restorable
 *   ({@link isUnreachable}, the rule `planRestore` applies). A key group whose owner has not
 *   committed since the rescale still restores from such a record, so it stays until that owner
 *   commits and its retention moves past it.
 *
 * Judged from the records alone, whoever wrote them. Returns how many were deleted.
 */
export async function pruneCommits(
  log: CommitLog,
  range: KeyGroupRange,
  checkpointId: number,
): Promise<number> {
  const { startKeyGroup, endKeyGroup } = range;
  const records = await log.list();
  const superseded = records.filter((c) => {
    if (c.end < startKeyGroup || c.start > endKeyGroup) return false;
    if (c.start >= startKeyGroup && c.end <= endKeyGroup) return c.checkpointId < checkpointId;
    return isUnreachable(records, c);
  });
  await log.remove(superseded);
  return superseded.length;
}

/**
 * Whether no restore of any key group `record` covers can pick it (see `reachableRecords`): a
 * record the restore of none of its key groups reads is never read again, since a key group's
 * newest commit changes only to a newer one, whose writer lists as restorable only what it could
 * restore itself. Key groups are checked once per run of the same covering records: the answer
 * changes only where some record starts or ends.
 */
export function isUnreachable(records: readonly CommitRecord[], record: CommitRecord): boolean {
  const starts = new Set<number>([record.start]);
  for (const r of records) {
    if (r.start > record.start && r.start <= record.end) starts.add(r.start);
    if (r.end >= record.start && r.end < record.end) starts.add(r.end + 1);
  }
  for (const keyGroup of starts) {
    if (reachableRecords(records, keyGroup).includes(record)) return false;
  }
  return true;
}
