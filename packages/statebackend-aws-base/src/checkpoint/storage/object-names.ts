import { randomBytes } from 'node:crypto';
import { KeyGroupRange } from '../../keygroup/key-group-range.js';
import type { FileOrigin, FileScope, WriterLease } from './checkpoint-storage.js';

/**
 * Names of the objects a checkpoint location holds, shared by every store so that a location
 * written by one tool can be read by another:
 *
 * ```
 * chk-<id>/_metadata.kg-<start>-<end>.e<epoch>              commit record of one key-group range
 * chk-<id>/kg-<start>-<end>.e<epoch>.c<id>.<random>.sbkg    data file of a full checkpoint
 * shared/kg-<start>-<end>.e<epoch>.c<id>.<random>.sbkg      data file incremental checkpoints share
 * _fencing/epoch-<epoch>.kg-<start>-<end>                   claim of a key-group range
 * ```
 *
 * The writer's range, epoch and checkpoint id in data-file names let retention tell the leftovers
 * of a fenced or crashed writer from the files of a live one without reading any metadata.
 */
const WRITER = /^kg-(\d+)-(\d+)\.e(\d+)\.c(\d+)\./;
const METADATA = /^_metadata\.kg-(\d+)-(\d+)\.e(\d+)$/;
const CLAIM = /^epoch-(\d+)\.kg-(\d+)-(\d+)$/;
const CHECKPOINT_DIRECTORY = /^chk-(\d+)$/;

export const SHARED_DIRECTORY = 'shared';
export const FENCING_DIRECTORY = '_fencing';
export const DATA_FILE_SUFFIX = '.sbkg';

function rangeTag(range: KeyGroupRange): string {
  return `kg-${range.startKeyGroup}-${range.endKeyGroup}`;
}

export function checkpointDirectoryName(checkpointId: number): string {
  return `chk-${checkpointId}`;
}

/** The checkpoint id of a `chk-<id>` directory name, or undefined. */
export function parseCheckpointDirectoryName(name: string): number | undefined {
  const match = CHECKPOINT_DIRECTORY.exec(name);
  return match === null ? undefined : Number(match[1]);
}

export function metadataFileName(range: KeyGroupRange, epoch: number): string {
  return `_metadata.${rangeTag(range)}.e${epoch}`;
}

export function parseMetadataFileName(
  name: string,
): { keyGroupRange: KeyGroupRange; epoch: number } | undefined {
  const match = METADATA.exec(name);
  if (match === null) return undefined;
  return { keyGroupRange: KeyGroupRange.of(Number(match[1]), Number(match[2])), epoch: Number(match[3]) };
}

/** A data file name; `random` keeps retried writes of the same checkpoint apart. */
export function dataFileName(writer: FileOrigin, random: string): string {
  return `${rangeTag(writer.keyGroupRange)}.e${writer.epoch}.c${writer.checkpointId}.${random}${DATA_FILE_SUFFIX}`;
}

/** The writer recorded in a data or temporary file name (temporary names start with `.tmp.`). */
export function parseFileOrigin(name: string): FileOrigin | undefined {
  const match = WRITER.exec(name.startsWith('.tmp.') ? name.slice(5) : name);
  if (match === null) return undefined;
  return {
    keyGroupRange: KeyGroupRange.of(Number(match[1]), Number(match[2])),
    epoch: Number(match[3]),
    checkpointId: Number(match[4]),
  };
}

export function claimFileName(epoch: number, range: KeyGroupRange): string {
  return `epoch-${String(epoch).padStart(10, '0')}.${rangeTag(range)}`;
}

export function parseClaimFileName(
  name: string,
): { epoch: number; keyGroupRange: KeyGroupRange } | undefined {
  const match = CLAIM.exec(name);
  if (match === null) return undefined;
  return { epoch: Number(match[1]), keyGroupRange: KeyGroupRange.of(Number(match[2]), Number(match[3])) };
}

/**
 * Where a new data file of `lease`'s writer goes in every store: `shared/` or the checkpoint's
 * own directory, under a name that records the writer and is unique per write.
 */
export function newDataFileLocation(
  lease: WriterLease,
  checkpointId: number,
  scope: FileScope,
): { directory: string; name: string } {
  const directory = scope === 'shared' ? SHARED_DIRECTORY : checkpointDirectoryName(checkpointId);
  const writer = { keyGroupRange: lease.keyGroupRange, epoch: lease.epoch, checkpointId };
  return { directory, name: dataFileName(writer, randomBytes(6).toString('hex')) };
}
