import { CheckpointStorageError } from '../../errors.js';
import { KeyGroupRange } from '../../keygroup/key-group-range.js';
import { type Logger, noopLogger } from '../../logging/logger.js';
import { subtractRange } from '../range-set.js';
import type {
  CheckpointStorage,
  CommittedCheckpoint,
  FileOrigin,
  WriterLease,
} from '../storage/checkpoint-storage.js';
import { assertNotFenced, fencingClaim, intersects } from '../storage/fencing.js';
import { readCheckpointPart } from './checkpoint-part.js';
import type { KnownCommitRecords } from './known-commit-records.js';
import { unreadableReason } from './list-checkpoints.js';

/** Options of {@link applyRetention}. */
export interface RetentionOptions {
  /** How many complete checkpoints to keep for each key group; at least 1. */
  readonly retainedCheckpoints: number;
  /**
   * The newest checkpoint known to be complete everywhere (Flink's `notifyCheckpointComplete`).
   * Newer checkpoints are kept and not counted: one may still be aborted, and must not have
   * pushed out the checkpoint a restore would then need. Default: every committed checkpoint
   * counts as complete.
   */
  readonly confirmedCheckpointId?: number;
  /**
   * With it, a checkpoint whose committed parts together hold all `maxParallelism` key groups
   * also counts as confirmed: every writer of the operator committed it, which is what Flink's
   * coordinator waits for. Only meaningful together with `confirmedCheckpointId`.
   */
  readonly maxParallelism?: number;
  /**
   * Keep commit records this pass cannot read (corrupt metadata) and every data file: only
   * expired commit records that were read are deleted. For tools that prune around a corrupt
   * checkpoint, whose files may be referenced by it. Default false: an unreadable record fails
   * the pass.
   */
  readonly tolerateCorrupt?: boolean;
  /** Checkpoints the caller is still writing: their files are kept. */
  readonly inFlightCheckpointIds?: ReadonlySet<number>;
  /**
   * What the caller knows of commit records (its own commits, its restore, earlier passes): those
   * are not read again, and the records this pass reads are added. Without it, every record that
   * may reference a file this pass could delete is read.
   */
  readonly knownRecords?: KnownCommitRecords;
  readonly logger?: Logger;
}

/** What {@link applyRetention} deleted. */
export interface RetentionResult {
  /** Commit records removed: those checkpoints no longer exist. */
  readonly deletedCheckpoints: readonly CommittedCheckpoint[];
  /** Data, temporary and claim files removed. */
  readonly deletedFiles: readonly string[];
}

/**
 * Keeps the last `retainedCheckpoints` complete checkpoints of every key group and deletes, on
 * the store, everything no retained checkpoint references: older commit records first (so a
 * checkpoint disappears whole before any of its files), then unreferenced data files, including
 * leftovers of checkpoints that never completed.
 *
 * Several writers share a location, one per key-group range. A file is deleted only when its
 * writer can no longer commit it: the writer was fenced by a newer claim, or it is `lease`'s own
 * file of a checkpoint that is not in flight. Files of other live writers are left to them.
 * Such a file may still be referenced by another writer's checkpoint (a new owner carries a
 * fenced writer's files by reference): it is deleted only once no commit record references it,
 * including records committed while this pass runs. A fenced caller deletes nothing: it fails
 * with `FencedError`.
 */
export async function applyRetention(
  storage: CheckpointStorage,
  lease: WriterLease,
  options: RetentionOptions,
): Promise<RetentionResult> {
  const logger = options.logger ?? noopLogger;
  const keep = Math.max(1, Math.floor(options.retainedCheckpoints));
  // Claims are listed before the commit records: a writer fenced by then can no longer add a
  // record that counts. Listed after, a claim made meanwhile would make files of a record
  // committed meanwhile look orphaned. Other writers still can: a new owner of a fenced writer's
  // key groups carries its files by reference into records committed after the listing. Those
  // files reach a new record only from an older one that references them (the new owner's
  // previous checkpoint or the one it restored), and a record goes only once newer ones cover its
  // key groups (or withdrawn, when its writer goes on from the older one): so each such file is
  // referenced by a listed record, or by one listed but deleted before this pass read it, which
  // then keeps every candidate it could reference (below).
  const claims = await storage.listClaims();
  assertNotFenced(storage.location, claims, lease);
  const committed = await storage.listCommitted();
  const confirmed = Math.max(
    options.confirmedCheckpointId ?? Number.POSITIVE_INFINITY,
    options.maxParallelism === undefined ? -1 : newestCoveringAll(committed, options.maxParallelism),
  );
  const retained = retainedParts(
    committed.filter((c) => c.checkpointId <= confirmed),
    keep,
  );
  for (const c of committed) if (c.checkpointId > confirmed) retained.add(c);
  const expired = new Set(
    committed.filter((c) => !retained.has(c) && intersects(c.keyGroupRange, lease.keyGroupRange)),
  );
  // Commit records go first: a crash after this line leaves files that the next run deletes.
  await storage.delete([...expired].map((c) => c.path));

  const inFlight = options.inFlightCheckpointIds ?? new Set<number>();
  const isGarbage = (writer: FileOrigin): boolean =>
    fencingClaim(claims, { epoch: writer.epoch, keyGroupRange: writer.keyGroupRange }) !== undefined ||
    (writer.epoch === lease.epoch && !inFlight.has(writer.checkpointId));
  // Listed after the commit records: a file written since is left to the next pass.
  const candidates = (await storage.listFiles()).filter((f) => f.origin !== undefined && isGarbage(f.origin));
  // A commit record references files only for key groups of its range, and a writer writes files
  // only of its own range: a record whose range meets no candidate's writer cannot reference one.
  // So records known already are taken first, and a record is read only while a candidate it
  // could reference is not known to be referenced. A known record gives its files even when it
  // was deleted since the listing, as a read before the deletion would have; one deleted before
  // the listing is not in it, and the newer records that may carry its files are. With corrupt
  // records tolerated, every record is read: one unreadable keeps every file.
  const known = options.knownRecords;
  const retainedRecords = committed.filter((c) => !expired.has(c));
  known?.keepOnly(retainedRecords);
  const referenced = new Set<string>();
  const toRead: CommittedCheckpoint[] = [];
  for (const c of retainedRecords) {
    const files = options.tolerateCorrupt === true ? undefined : known?.filesOf(c);
    if (files === undefined) toRead.push(c);
    else for (const path of files) referenced.add(path);
  }
  const mayReferenceOpen = (c: CommittedCheckpoint): boolean =>
    options.tolerateCorrupt === true ||
    candidates.some(
      (f) => !referenced.has(f.path) && intersects(c.keyGroupRange, (f.origin as FileOrigin).keyGroupRange),
    );
  let unreadable = false;
  for (const c of toRead) {
    if (!mayReferenceOpen(c)) continue;
    let gone = false;
    const part = await readCheckpointPart(storage, c).catch((error: unknown) => {
      // Removed since the listing (another writer's retention, or a withdrawn commit): newer
      // records, not in this listing, may carry its files by reference. Every candidate it could
      // reference stays for this pass; the next one lists the newer records.
      if (error instanceof CheckpointStorageError && error.notFound) {
        gone = true;
        return undefined;
      }
      if (options.tolerateCorrupt === true && unreadableReason(error) !== undefined) {
        unreadable = true;
        return undefined;
      }
      throw error;
    });
    if (part !== undefined) known?.remember(c, part.metadata);
    for (const file of part?.metadata.files ?? []) referenced.add(file.path);
    if (gone) {
      for (const f of candidates)
        if (intersects(c.keyGroupRange, (f.origin as FileOrigin).keyGroupRange)) referenced.add(f.path);
    }
  }
  if (unreadable) {
    logger.warn('A retained commit record is corrupt: data files are kept, since it may reference any', {
      location: storage.location,
    });
    return { deletedCheckpoints: [...expired], deletedFiles: [] };
  }
  // Asked again: a snapshot started during this pass keeps its files.
  const unreferenced = candidates
    .filter((f) => !referenced.has(f.path) && isGarbage(f.origin as FileOrigin))
    .map((f) => f.path);
  await storage.delete(unreferenced);
  if (expired.size > 0 || unreferenced.length > 0) {
    logger.debug('Checkpoint retention deleted expired checkpoints and unreferenced files', {
      location: storage.location,
      checkpoints: [...expired].map((c) => c.path),
      files: unreferenced.length,
    });
  }
  return { deletedCheckpoints: [...expired], deletedFiles: unreferenced };
}

/**
 * The parts still needed: for every key group, the parts that provide it in its `keep` newest
 * checkpoints. Computed over elementary intervals between range boundaries, never per key group.
 */
function retainedParts(committed: readonly CommittedCheckpoint[], keep: number): Set<CommittedCheckpoint> {
  const boundaries = [
    ...new Set(committed.flatMap((c) => [c.keyGroupRange.startKeyGroup, c.keyGroupRange.endKeyGroup + 1])),
  ].sort((a, b) => a - b);
  const retained = new Set<CommittedCheckpoint>();
  for (let i = 0; i + 1 < boundaries.length; i++) {
    const start = boundaries[i] as number;
    const covering = committed
      .filter((c) => c.keyGroupRange.contains(start))
      .sort((a, b) => b.checkpointId - a.checkpointId || b.writerEpoch - a.writerEpoch);
    const ids = new Set<number>();
    for (const c of covering) {
      if (ids.has(c.checkpointId)) continue;
      // The newest epoch of each checkpoint id provides the key group; older overlapping parts are stale.
      ids.add(c.checkpointId);
      retained.add(c);
      if (ids.size === keep) break;
    }
  }
  return retained;
}

/** The newest checkpoint id whose parts hold every key group of `[0, maxParallelism)`, or -1. */
export function newestCoveringAll(committed: readonly CommittedCheckpoint[], maxParallelism: number): number {
  let newest = -1;
  for (const id of new Set(committed.map((c) => c.checkpointId))) {
    if (id > newest && coversAllKeyGroups(committed, id, maxParallelism)) newest = id;
  }
  return newest;
}

/** Whether the committed parts of checkpoint `id` hold every key group: every writer committed it. */
export function coversAllKeyGroups(
  committed: readonly CommittedCheckpoint[],
  id: number,
  maxParallelism: number,
): boolean {
  let missing = [KeyGroupRange.of(0, maxParallelism - 1)];
  for (const c of committed) if (c.checkpointId === id) missing = subtractRange(missing, c.keyGroupRange);
  return missing.length === 0;
}
