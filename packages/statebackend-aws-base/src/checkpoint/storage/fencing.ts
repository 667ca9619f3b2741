import { FencedError } from '../../errors.js';
import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import { subtractRange } from '../range-set.js';
import type { WriterLease } from './checkpoint-storage.js';

/**
 * The claim that fences `lease`: the newest one with a higher epoch whose range intersects the
 * lease's. Ranges of live writers never overlap, so a newer intersecting claim means another
 * instance restored (some of) these key groups and owns them now.
 */
export function fencingClaim(claims: readonly WriterLease[], lease: WriterLease): WriterLease | undefined {
  let newest: WriterLease | undefined;
  for (const claim of claims) {
    if (claim.epoch <= lease.epoch || !intersects(claim.keyGroupRange, lease.keyGroupRange)) continue;
    if (newest === undefined || claim.epoch > newest.epoch) newest = claim;
  }
  return newest;
}

/** Throws {@link FencedError} when one of `claims` fences `lease`. */
export function assertNotFenced(location: string, claims: readonly WriterLease[], lease: WriterLease): void {
  const newer = fencingClaim(claims, lease);
  if (newer !== undefined) {
    throw new FencedError(
      location,
      lease.epoch,
      describeRange(lease.keyGroupRange),
      newer.epoch,
      describeRange(newer.keyGroupRange),
    );
  }
}

/** Whether newer claims together cover all of `claim`'s range: it fences nothing any more. */
export function isSuperseded(claim: WriterLease, claims: readonly WriterLease[]): boolean {
  let remaining: KeyGroupRange[] = [claim.keyGroupRange];
  for (const newer of claims) {
    if (newer.epoch > claim.epoch) remaining = subtractRange(remaining, newer.keyGroupRange);
  }
  return remaining.length === 0;
}

/** The epoch a new claim takes: one above every recorded claim. */
export function nextEpoch(claims: readonly WriterLease[]): number {
  return claims.reduce((max, claim) => Math.max(max, claim.epoch), 0) + 1;
}

export function intersects(a: KeyGroupRange, b: KeyGroupRange): boolean {
  return !a.intersect(b).isEmpty;
}

export function describeRange(range: KeyGroupRange): string {
  return `key groups [${range.startKeyGroup}, ${range.endKeyGroup}]`;
}
