import type { KeyGroupRange } from '@statebackend/aws-base';
import type { WriterLease } from '@statebackend/aws-base/spi';

export function intersects(a: KeyGroupRange, b: KeyGroupRange): boolean {
  return !a.intersect(b).isEmpty;
}

export function describeRange(range: KeyGroupRange): string {
  return `key groups [${range.startKeyGroup}, ${range.endKeyGroup}]`;
}

/** True when newer claims together cover all of `claim`'s range: it fences nothing they do not. */
export function isSuperseded(claim: WriterLease, claims: readonly WriterLease[]): boolean {
  const newer = claims
    .filter((c) => c.epoch > claim.epoch)
    .map((c) => c.keyGroupRange.intersect(claim.keyGroupRange))
    .filter((r) => !r.isEmpty)
    .sort((a, b) => a.startKeyGroup - b.startKeyGroup);
  let next = claim.keyGroupRange.startKeyGroup;
  for (const range of newer) {
    if (range.startKeyGroup > next) return false;
    next = Math.max(next, range.endKeyGroup + 1);
  }
  return next > claim.keyGroupRange.endKeyGroup;
}
