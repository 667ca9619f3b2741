import type { RestoredCheckpointInfo } from '../backend/checkpointing-keyed-state-backend.js';
import type { JsonValue } from '../checkpoint/json.js';
import type { KeyGroupRange } from '../keygroup/key-group-range.js';
import { type DriverMetadata, decodeDriverMetadata, INITIAL_DRIVER_METADATA } from './driver-metadata.js';
import { KeyGroupsAhead } from './key-groups-ahead.js';
import { type PositionOrder, sameJson } from './position-order.js';

/** Where a restored driver resumes, and which key groups are ahead of it. */
export interface ResumePoint {
  /** The progress to continue from; its position is the smallest any key group is at. */
  readonly progress: DriverMetadata;
  /** Key groups whose records are applied beyond the resume position; undefined when none is. */
  readonly ahead: KeyGroupsAhead | undefined;
}

interface Part {
  readonly keyGroupRange: KeyGroupRange;
  readonly metadata: DriverMetadata;
}

/**
 * Reconciles the driver metadata of every part (writer) a backend of `range` was restored from.
 * With one writer per range, that writer's progress. When a restore merged writers checkpointed
 * at different positions (a rescale), the source resumes from the smallest position, the other
 * key groups are {@link KeyGroupsAhead}, and the watermarks are the smallest of the parts (a
 * watermark promises no earlier record follows, which only the slowest writer's still holds).
 * A part whose metadata some other program wrote starts from the beginning of the source.
 */
export function resumePoint(
  restored: RestoredCheckpointInfo | undefined,
  range: KeyGroupRange,
  order: PositionOrder,
): ResumePoint {
  const parts: Part[] = (restored?.userMetadata ?? [])
    .map((part) => ({
      keyGroupRange: part.keyGroupRange.intersect(range),
      metadata: decodeDriverMetadata(part.metadata) ?? INITIAL_DRIVER_METADATA,
    }))
    .filter((part) => !part.keyGroupRange.isEmpty);
  const first = parts[0];
  if (first === undefined) return { progress: INITIAL_DRIVER_METADATA, ahead: undefined };

  // The position of each key group of the range; parts listed first win where parts overlap.
  const distinct: (JsonValue | undefined)[] = [];
  const slots = new Int32Array(range.size).fill(slotOf(distinct, undefined));
  const assign = (keyGroups: KeyGroupRange, position: JsonValue | undefined): void => {
    const r = keyGroups.intersect(range);
    if (!r.isEmpty)
      slots.fill(
        slotOf(distinct, position),
        r.startKeyGroup - range.startKeyGroup,
        r.endKeyGroup - range.startKeyGroup + 1,
      );
  };
  for (const part of [...parts].reverse()) {
    assign(part.keyGroupRange, part.metadata.position);
    for (const a of part.metadata.ahead ?? [])
      assign(a.keyGroupRange.intersect(part.keyGroupRange), a.position);
  }
  const ascending = [...new Set(slots)].sort((a, b) => order.compare(distinct[a], distinct[b]));
  const resumeFrom = distinct[ascending[0] as number];
  const aheadSlots = ascending.slice(1).filter((slot) => order.compare(distinct[slot], resumeFrom) > 0);
  const positions = aheadSlots.map((slot) => distinct[slot] as JsonValue);
  // The offset continues from the writer the source resumes at (exact with one writer per range).
  const owner =
    parts.find((part) => sameJson(part.metadata.position, resumeFrom))?.metadata ??
    (resumeFrom === undefined ? INITIAL_DRIVER_METADATA : first.metadata);
  const progress: DriverMetadata = {
    ...withoutAhead(owner),
    position: resumeFrom,
    ...earliestWatermarks(parts),
  };
  if (positions.length === 0) return { progress, ahead: undefined };
  const aheadSlotOf = new Map(aheadSlots.map((slot, i) => [slot, i]));
  const aheadSlotsByKeyGroup = slots.map((slot) => aheadSlotOf.get(slot) ?? -1);
  return { progress, ahead: new KeyGroupsAhead(range, aheadSlotsByKeyGroup, positions, order) };
}

/** The index of `position` in `distinct`, added when new. */
function slotOf(distinct: (JsonValue | undefined)[], position: JsonValue | undefined): number {
  const found = distinct.findIndex((p) => (p === undefined ? position === undefined : sameJson(p, position)));
  if (found >= 0) return found;
  distinct.push(position);
  return distinct.length - 1;
}

function withoutAhead({ ahead: _, ...metadata }: DriverMetadata): DriverMetadata {
  return metadata;
}

function earliestWatermarks(
  parts: readonly Part[],
): Pick<DriverMetadata, 'watermark' | 'dataWatermark' | 'maxTimestamp'> {
  const min = (of: (m: DriverMetadata) => number) => Math.min(...parts.map((p) => of(p.metadata)));
  return {
    watermark: min((m) => m.watermark),
    dataWatermark: min((m) => m.dataWatermark),
    maxTimestamp: min((m) => m.maxTimestamp),
  };
}
