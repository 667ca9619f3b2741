import { CorruptCheckpointError } from '../../errors.js';
import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import { decodeJsonEnvelope, encodeJsonEnvelope } from '../format/json-envelope.js';
import { JsonFields, rangesToJson } from '../format/json-fields.js';
import type { JsonValue } from '../json.js';
import { type CheckpointedState, stateFromJson, stateToJson } from './checkpointed-state.js';

/** `SBCM`: a checkpoint metadata file. */
export const METADATA_MAGIC = new Uint8Array([0x53, 0x42, 0x43, 0x4d]);
/** The version of metadata without delta files; readers accept every one of {@link METADATA_VERSIONS}. */
export const METADATA_VERSION = 1;
/** The version of metadata that references delta files (`delta: true`). */
export const DELTA_METADATA_VERSION = 2;
export const METADATA_VERSIONS: readonly number[] = [1, 2];

/** A data file a checkpoint reads, and which of its key groups it reads from it. */
export interface CheckpointFile {
  /** Path relative to the checkpoint location, e.g. `shared/kg-0-63.e2.c7.3f9a.sbkg`. */
  readonly path: string;
  readonly size: number;
  /** CRC-32 of the whole file. */
  readonly crc32: number;
  /** The checkpoint that wrote the file (earlier than this one when an incremental checkpoint reuses it). */
  readonly checkpointId: number;
  /** Key groups this checkpoint restores from this file, ascending and disjoint. */
  readonly keyGroups: readonly KeyGroupRange[];
  readonly entries: number;
  /**
   * A delta file: for its key groups, the cells changed since the files of earlier checkpoints
   * that provide them, and tombstones for removed ones. A restore reads a key group's full file,
   * then its delta files in ascending `checkpointId` order.
   */
  readonly delta?: true;
}

/**
 * Everything one committed checkpoint of one key-group range records. Written last: a checkpoint
 * whose metadata is not stored does not exist.
 */
export interface CheckpointMetadata {
  readonly checkpointId: number;
  readonly jobId: string;
  readonly operatorId: string;
  /** When the snapshot was taken, in milliseconds since the epoch. */
  readonly timestamp: number;
  readonly maxParallelism: number;
  /** The key groups the writer owned: the checkpoint holds exactly these. */
  readonly keyGroupRange: KeyGroupRange;
  /** Fencing epoch of the writer. */
  readonly writerEpoch: number;
  readonly snapshotType: 'full' | 'incremental';
  /** What the caller passed to `snapshot()`, e.g. a source position. */
  readonly userMetadata?: JsonValue;
  readonly states: readonly CheckpointedState[];
  readonly files: readonly CheckpointFile[];
}

/** Encodes metadata into its checksummed file form. */
export function encodeCheckpointMetadata(metadata: CheckpointMetadata): Uint8Array {
  const document: Record<string, JsonValue> = {
    checkpointId: metadata.checkpointId,
    jobId: metadata.jobId,
    operatorId: metadata.operatorId,
    timestamp: metadata.timestamp,
    maxParallelism: metadata.maxParallelism,
    keyGroupRange: metadata.keyGroupRange.toJSON(),
    writerEpoch: metadata.writerEpoch,
    snapshotType: metadata.snapshotType,
    states: metadata.states.map(stateToJson),
    files: metadata.files.map((file) => ({
      path: file.path,
      size: file.size,
      crc32: file.crc32,
      checkpointId: file.checkpointId,
      keyGroups: rangesToJson(file.keyGroups),
      entries: file.entries,
      ...(file.delta === true ? { delta: true } : {}),
    })),
  };
  if (metadata.userMetadata !== undefined) document.userMetadata = metadata.userMetadata;
  // Version 1 readers would take a delta for a whole key group: they must refuse the file instead.
  const withDeltas = metadata.files.some((file) => file.delta === true);
  return encodeJsonEnvelope(METADATA_MAGIC, withDeltas ? DELTA_METADATA_VERSION : METADATA_VERSION, document);
}

/**
 * Decodes a metadata file. Throws {@link NotACheckpointError} for another kind of file,
 * {@link UnsupportedCheckpointVersionError} for a newer format and {@link CorruptCheckpointError}
 * for anything truncated, modified or inconsistent.
 */
export function decodeCheckpointMetadata(file: string, bytes: Uint8Array): CheckpointMetadata {
  const fail = (reason: string): never => {
    throw new CorruptCheckpointError(file, reason);
  };
  const { version, document } = decodeJsonEnvelope(file, bytes, METADATA_MAGIC, METADATA_VERSIONS);
  const fields = new JsonFields(document, '', fail);
  const type = fields.string('snapshotType');
  const snapshotType =
    type === 'full' || type === 'incremental' ? type : fail(`snapshotType '${type}' is unknown`);
  const keyGroupRange = fields.keyGroupRange('keyGroupRange');
  const maxParallelism = fields.integer('maxParallelism');
  if (keyGroupRange.endKeyGroup >= maxParallelism) {
    fail(`keyGroupRange ${keyGroupRange} exceeds maxParallelism ${maxParallelism}`);
  }
  const files: CheckpointFile[] = fields.objects('files').map((f) => {
    const delta = f.raw('delta');
    if (delta !== undefined && (delta !== true || version < DELTA_METADATA_VERSION)) {
      fail(
        `file '${f.string('path')}' has delta ${JSON.stringify(delta)}; only version 2 defines it, as true`,
      );
    }
    return {
      path: f.string('path'),
      size: f.integer('size'),
      crc32: f.integer('crc32'),
      checkpointId: f.integer('checkpointId'),
      keyGroups: f.keyGroupRanges('keyGroups'),
      entries: f.integer('entries'),
      ...(delta === true ? { delta: true as const } : {}),
    };
  });
  checkFileChains(files, keyGroupRange, fail);
  const states = fields.objects('states').map(stateFromJson);
  const metadata: CheckpointMetadata = {
    checkpointId: fields.integer('checkpointId'),
    jobId: fields.string('jobId'),
    operatorId: fields.string('operatorId'),
    timestamp: fields.integer('timestamp'),
    maxParallelism,
    keyGroupRange,
    writerEpoch: fields.integer('writerEpoch'),
    snapshotType,
    states,
    files,
  };
  const userMetadata = fields.raw('userMetadata');
  return userMetadata === undefined ? metadata : { ...metadata, userMetadata };
}

/**
 * Each key group of the range is provided by at most one full file, and by delta files of distinct
 * checkpoints newer than that full file's: what a restore can apply in one order.
 */
function checkFileChains(
  files: readonly CheckpointFile[],
  keyGroupRange: KeyGroupRange,
  fail: (reason: string) => never,
): void {
  // Full files form one layer; the delta files of each checkpoint form another.
  const layers = new Map<string, { range: KeyGroupRange; file: CheckpointFile }[]>();
  for (const file of files) {
    const layer = file.delta === true ? `delta ${file.checkpointId}` : 'full';
    for (const range of file.keyGroups) {
      if (range.intersect(keyGroupRange).size !== range.size) {
        fail(`file '${file.path}' provides key groups ${range} outside the checkpoint's ${keyGroupRange}`);
      }
      layers.set(layer, [...(layers.get(layer) ?? []), { range, file }]);
    }
  }
  for (const provided of layers.values()) {
    provided.sort((a, b) => a.range.startKeyGroup - b.range.startKeyGroup);
    for (let i = 1; i < provided.length; i++) {
      const previous = provided[i - 1] as (typeof provided)[number];
      const current = provided[i] as (typeof provided)[number];
      if (previous.range.endKeyGroup >= current.range.startKeyGroup) {
        fail(
          `files '${previous.file.path}' and '${current.file.path}' both provide key group ${current.range.startKeyGroup}`,
        );
      }
    }
  }
  for (const { range, file } of [...layers.entries()].flatMap(([name, p]) => (name === 'full' ? [] : p))) {
    for (const base of layers.get('full') ?? []) {
      if (base.range.intersect(range).size > 0 && base.file.checkpointId >= file.checkpointId) {
        fail(
          `delta file '${file.path}' of checkpoint ${file.checkpointId} is not newer than '${base.file.path}'`,
        );
      }
    }
  }
}
