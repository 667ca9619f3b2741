import { CorruptCheckpointError } from '@statebackend/aws-base';
import { FENCING_DIRECTORY } from '@statebackend/aws-base/spi';
import type { S3Layout } from './s3-layout.js';
import type { S3Requests } from './s3-requests.js';

/** Folder of the cuts below `_fencing/`. */
export const CUTS = 'cuts';
const CUT = /^cuts\/epoch-(\d+)$/;

/** The epoch a `_fencing/`-relative name is the cut of, or undefined. */
export function parseCutName(name: string): number | undefined {
  const match = CUT.exec(name);
  return match === null ? undefined : Number(match[1]);
}

/**
 * The cut of a fenced writer epoch: the one, permanent decision of which of its commit records
 * count. S3 has no conditional write across two keys, so a commit record put while a newer claim
 * is being written cannot by itself tell whether it came before or after that claim. Whoever
 * first sees the writer fenced decides, by creating `_fencing/cuts/epoch-<n>` with
 * `If-None-Match: *`:
 *
 * - a reader (a new owner listing what it may restore) lists the commit records after it saw the
 *   fencing claim and puts their ids: every commit the writer was told succeeded is among them
 *   (its check after the put saw no fence, so the put came before the claim, and the claim
 *   before this listing);
 * - the fenced writer itself puts the ids of the commits it was told succeeded, after every
 *   check of its own still running has answered.
 *
 * Exactly one cut per epoch is ever created; everyone else reads it. A record whose id is in
 * the cut stays a checkpoint for good (its writer's commit resolves, even though fenced); a
 * record not in it never counts and is removed by its writer. Cuts are never deleted: a late
 * commit record of a fenced writer must never find the decision missing.
 */
export class S3CommitCuts {
  /** Cuts are immutable once created: read each one once. */
  readonly #known = new Map<number, ReadonlySet<number>>();
  readonly #requests: S3Requests;
  readonly #layout: S3Layout;
  readonly #location: string;

  constructor(requests: S3Requests, layout: S3Layout, location: string) {
    this.#requests = requests;
    this.#layout = layout;
    this.#location = location;
  }

  #keyOf(epoch: number): string {
    return `${this.#layout.baseKey}${FENCING_DIRECTORY}/${CUTS}/epoch-${String(epoch).padStart(10, '0')}`;
  }

  /** The cut of `epoch`, known to exist. */
  async read(epoch: number): Promise<ReadonlySet<number>> {
    const known = this.#known.get(epoch);
    if (known !== undefined) return known;
    const key = this.#keyOf(epoch);
    const ids = parseCut(key, await this.#requests.get(key, this.#location, undefined, { protocol: true }));
    this.#known.set(epoch, ids);
    return ids;
  }

  /** Proposes `checkpointIds` as the cut of `epoch`; returns the cut that holds (this one or an earlier one). */
  async decide(epoch: number, checkpointIds: Iterable<number>): Promise<ReadonlySet<number>> {
    const known = this.#known.get(epoch);
    if (known !== undefined) return known;
    const ids = [...new Set(checkpointIds)].sort((a, b) => a - b);
    const body = new TextEncoder().encode(`${JSON.stringify({ epoch, checkpointIds: ids })}\n`);
    const stored = await this.#requests.putIfAbsent(this.#keyOf(epoch), body, this.#location);
    if (stored === 'exists') return this.read(epoch);
    const cut = new Set(ids);
    this.#known.set(epoch, cut);
    return cut;
  }
}

function parseCut(key: string, bytes: Uint8Array): ReadonlySet<number> {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as { checkpointIds?: unknown };
    const ids = parsed.checkpointIds;
    if (Array.isArray(ids) && ids.every((id) => Number.isSafeInteger(id))) return new Set(ids as number[]);
  } catch {
    // reported below
  }
  throw new CorruptCheckpointError(key, 'this cut of a fenced writer is not the JSON this package writes');
}
