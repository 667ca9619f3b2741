import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { FencedError, KeyGroupRange } from '@statebackend/aws-base';
import type { DynamoIo, ItemKey } from '../io/dynamo-io.js';
import { numberOf } from '../layout/slot-item.js';

/** A writer's claim on a key-group range; a higher epoch with an intersecting range fences it. */
export interface Claim {
  readonly epoch: number;
  readonly start: number;
  readonly end: number;
  /** Random id of the claim attempt, so that a lost response can be told from a rival's claim. */
  readonly id: string;
}

/** The claims item as read: its version (for conditional writes) and the claims still in force. */
export interface ClaimsState {
  readonly version: number;
  /** The highest epoch ever handed out, kept even when its claim is pruned. */
  readonly topEpoch: number;
  readonly claims: readonly Claim[];
}

const CLAIMS_SK = new TextEncoder().encode('claims');

export function claimsKey(metaPk: Uint8Array): ItemKey {
  return { pk: { B: metaPk }, sk: { B: CLAIMS_SK } };
}

/** Reads the claims item (consistently); an empty state when there is none yet. */
export async function readClaims(io: DynamoIo, metaPk: Uint8Array): Promise<ClaimsState> {
  const item = await io.get(claimsKey(metaPk));
  if (item === undefined) return { version: 0, topEpoch: 0, claims: [] };
  const claims = (JSON.parse(item.c?.S ?? '[]') as [number, number, number, string][]).map(
    ([epoch, start, end, id]) => ({ epoch, start, end, id }),
  );
  return { version: numberOf(item.ver), topEpoch: numberOf(item.top), claims };
}

/** The newest claim that fences a writer of `epoch` over `range`, if any. */
export function fencingClaim(state: ClaimsState, epoch: number, range: KeyGroupRange): Claim | undefined {
  let newest: Claim | undefined;
  for (const claim of state.claims) {
    if (claim.epoch <= epoch || claim.end < range.startKeyGroup || claim.start > range.endKeyGroup) continue;
    if (newest === undefined || claim.epoch > newest.epoch) newest = claim;
  }
  return newest;
}

/** Throws aws-base's `FencedError` when a newer claim intersects `range`. */
export function assertNotFenced(
  scope: string,
  state: ClaimsState,
  epoch: number,
  range: KeyGroupRange,
): void {
  const newer = fencingClaim(state, epoch, range);
  if (newer === undefined) return;
  throw new FencedError(
    scope,
    epoch,
    describeRange(range),
    newer.epoch,
    describeRange(KeyGroupRange.of(newer.start, newer.end)),
  );
}

export function describeRange(range: KeyGroupRange): string {
  return `key groups [${range.startKeyGroup}, ${range.endKeyGroup}]`;
}

/**
 * Claims `range` with a new epoch, one above every epoch handed out, with a conditional put on
 * the claims item's version (repeated when another claim got in between). Claims wholly covered
 * by newer ones are dropped: they can never matter again. Returns the epoch and the claim's random
 * id, which no other writer (of this table or any other) shares.
 */
export async function claimRange(
  io: DynamoIo,
  metaPk: Uint8Array,
  range: KeyGroupRange,
): Promise<{ readonly epoch: number; readonly id: string }> {
  for (;;) {
    const state = await readClaims(io, metaPk);
    const epoch = state.topEpoch + 1;
    const id = randomUUID();
    const claims = [...state.claims, { epoch, start: range.startKeyGroup, end: range.endKeyGroup, id }];
    const kept = claims.filter((claim) => !covered(claim, claims));
    try {
      await io.send('PutItem', (client) =>
        client.send(
          new PutItemCommand({
            TableName: io.tableName,
            Item: {
              ...claimsKey(metaPk),
              ver: { N: String(state.version + 1) },
              top: { N: String(epoch) },
              c: { S: JSON.stringify(kept.map((c) => [c.epoch, c.start, c.end, c.id])) },
            },
            ConditionExpression: 'attribute_not_exists(ver) OR ver = :v',
            ExpressionAttributeValues: { ':v': { N: String(state.version) } },
          }),
        ),
      );
      return { epoch, id };
    } catch (error) {
      // A lost response may hide our own success: the re-read then shows our epoch as the top.
      if (!isConditionFailure(error)) throw error;
      const now = await readClaims(io, metaPk);
      if (now.claims.some((c) => c.id === id)) return { epoch, id };
    }
  }
}

function covered(claim: Claim, claims: readonly Claim[]): boolean {
  for (let kg = claim.start; kg <= claim.end; kg++) {
    if (!claims.some((c) => c.epoch > claim.epoch && c.start <= kg && kg <= c.end)) return false;
  }
  return true;
}

export function isConditionFailure(error: unknown): boolean {
  if (error instanceof ConditionalCheckFailedException) return true;
  const name = (error as { errorName?: string }).errorName;
  return name === 'ConditionalCheckFailedException' || name === 'TransactionCanceledException';
}
