import { randomUUID } from 'node:crypto';
import type { KeyGroupRange, Logger } from '@statebackend/aws-base';
import {
  claimFileName,
  FENCING_DIRECTORY,
  parseClaimFileName,
  parseFileOrigin,
  type WriterLease,
} from '@statebackend/aws-base/spi';
import { ClaimContentionError } from '../errors.js';
import { parseCutName } from './s3-commit-cuts.js';
import { describeRange, intersects, isSuperseded } from './s3-fencing.js';
import type { S3Layout } from './s3-layout.js';
import type { S3Requests } from './s3-requests.js';

const MAX_ATTEMPTS = 20;

/** What one listing of `_fencing/` tells. */
export interface FencingState {
  /** Every claim still recorded, ascending by epoch. */
  readonly claims: WriterLease[];
  readonly highestEpoch: number;
  /** Epochs whose cut exists. */
  readonly cutEpochs: ReadonlySet<number>;
}
const RESERVATIONS = 'epochs';
const RESERVATION = /^epoch-(\d+)$/;

/**
 * Claims on S3, race-free without a lock: a claim first reserves its epoch by creating
 * `_fencing/epochs/epoch-<n>` with `If-None-Match: *`. Of two instances choosing the same epoch
 * at once, exactly one creates that object; the other gets 412 and tries the next epoch. Only
 * then is the claim itself (`_fencing/epoch-<n>.kg-<a>-<b>`, the SPI's name) written, so each
 * epoch belongs to one claim whatever ranges the claimants hold.
 */
export class S3Claims {
  readonly #requests: S3Requests;
  readonly #layout: S3Layout;
  readonly #location: string;
  readonly #logger: Logger;

  constructor(requests: S3Requests, layout: S3Layout, location: string, logger: Logger) {
    this.#requests = requests;
    this.#layout = layout;
    this.#location = location;
    this.#logger = logger;
  }

  get #directory(): string {
    return `${this.#layout.baseKey}${FENCING_DIRECTORY}/`;
  }

  /**
   * Every claim still recorded, ascending by epoch, the highest epoch ever reserved, and the
   * epochs whose cut was decided (see `S3CommitCuts`): one listing of `_fencing/`.
   */
  async read(): Promise<FencingState> {
    const claims: WriterLease[] = [];
    const cutEpochs = new Set<number>();
    let highestEpoch = 0;
    for await (const object of this.#requests.list(this.#directory, this.#location)) {
      const name = object.key.slice(this.#directory.length);
      const claim = parseClaimFileName(name);
      if (claim !== undefined) {
        claims.push(claim);
        highestEpoch = Math.max(highestEpoch, claim.epoch);
        continue;
      }
      const cut = parseCutName(name);
      if (cut !== undefined) {
        cutEpochs.add(cut);
        continue;
      }
      const reserved = RESERVATION.exec(name.slice(RESERVATIONS.length + 1));
      if (name.startsWith(`${RESERVATIONS}/`) && reserved !== null) {
        highestEpoch = Math.max(highestEpoch, Number(reserved[1]));
      }
    }
    return { claims: claims.sort((a, b) => a.epoch - b.epoch), highestEpoch, cutEpochs };
  }

  async claim(keyGroupRange: KeyGroupRange): Promise<WriterLease> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const { highestEpoch } = await this.read();
      const epoch = highestEpoch + 1;
      const reservation = `${this.#directory}${RESERVATIONS}/epoch-${String(epoch).padStart(10, '0')}`;
      // A token of this attempt: a lost answer repeated by the SDK finds its own reservation.
      const token = new TextEncoder().encode(`${epoch} ${randomUUID()}\n`);
      if ((await this.#requests.putIfAbsent(reservation, token, this.#location)) === 'exists') continue;
      const name = claimFileName(epoch, keyGroupRange);
      // The epoch is reserved for this claim: nobody else writes this name.
      await this.#requests.putIfAbsent(
        `${this.#directory}${name}`,
        new TextEncoder().encode(`${describeRange(keyGroupRange)}\n`),
        this.#location,
      );
      await this.#removeStale(epoch);
      await this.#abortUploadsFencedBy({ epoch, keyGroupRange });
      return { epoch, keyGroupRange };
    }
    throw new ClaimContentionError(this.#location, MAX_ATTEMPTS);
  }

  /**
   * Aborts the multipart uploads still open for data files of writers this claim fences: a
   * process killed while uploading leaves its parts behind (billed, invisible to listings), and
   * only the new owner knows they can never complete. Best effort; a bucket lifecycle rule
   * `AbortIncompleteMultipartUpload` is the backstop.
   */
  async #abortUploadsFencedBy(claim: WriterLease): Promise<void> {
    try {
      for await (const upload of this.#requests.listUploads(this.#layout.dataListPrefix, this.#location)) {
        const path = this.#layout.pathOf(upload.key);
        const origin =
          path === undefined ? undefined : parseFileOrigin(path.slice(path.lastIndexOf('/') + 1));
        if (origin === undefined || origin.epoch >= claim.epoch) continue;
        if (!intersects(origin.keyGroupRange, claim.keyGroupRange)) continue;
        await this.#requests.abortUpload(upload.key, upload.uploadId, this.#location);
      }
    } catch (error) {
      this.#logger.warn('Could not abort the uploads of fenced writers', { error: String(error) });
    }
  }

  /**
   * Removes claims wholly covered by newer ones (they fence nothing more) once their epoch's cut
   * is decided, and reservations below `epoch`; the newest claim and reservation stay, so epochs
   * never go back. Best effort.
   */
  async #removeStale(epoch: number): Promise<void> {
    try {
      const { claims, cutEpochs } = await this.read();
      // A superseded claim stays until its epoch's cut is decided: the first listing of the
      // commit records after this claim decides it (`S3CheckpointStorage.listCommitted`), and a
      // commit record of that writer landing later must find it fenced, not forgotten.
      const stale = claims
        .filter((c) => isSuperseded(c, claims) && cutEpochs.has(c.epoch))
        .map((c) => claimFileName(c.epoch, c.keyGroupRange));
      const keys = stale.map((name) => `${this.#directory}${name}`);
      for await (const object of this.#requests.list(`${this.#directory}${RESERVATIONS}/`, this.#location)) {
        const reserved = RESERVATION.exec(object.key.slice(this.#directory.length + RESERVATIONS.length + 1));
        if (reserved !== null && Number(reserved[1]) < epoch) keys.push(object.key);
      }
      await this.#requests.deleteKeys(keys, this.#location);
    } catch (error) {
      this.#logger.warn('Could not remove superseded claims; the next claim tries again', {
        error: String(error),
      });
    }
  }
}
