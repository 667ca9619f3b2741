import { createHash } from 'node:crypto';
import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import type { KeyGroupRange } from '@statebackend/aws-base';
import { StoreFailedError } from '../errors.js';
import type { DynamoIo } from '../io/dynamo-io.js';
import {
  assertNotFenced,
  type ClaimsState,
  claimRange,
  claimsKey,
  isConditionFailure,
  readClaims,
} from './claims.js';
import type { CommitLog } from './commit-log.js';
import { commitItem, commitKey, fromCommitItem, listCommits, updateRestorable } from './commit-records.js';
import type { CommitRecord } from './lineage.js';

const MAX_COMMIT_ROUNDS = 20;

/**
 * Claims and commit records in the state table's meta partition of the scope: a `claims` item
 * written with optimistic conditions, and one commit item per checkpoint written in a
 * transaction that checks the claims item is unchanged since the writer last found itself
 * unfenced. Another claim in between (a sibling range, say) only repeats the round.
 */
export class TableCommitLog implements CommitLog {
  readonly location: string;
  readonly #io: DynamoIo;
  readonly #scope: string;
  readonly #metaPk: Uint8Array;
  #epoch = 0;
  /** The claim's random id: scopes commit tokens to this writer (see `commit`). */
  #claimId = '';
  #range: KeyGroupRange | undefined;
  /** The claims as last read and found not fencing this writer; a commit's first round uses it. */
  #claims: ClaimsState | undefined;

  constructor(io: DynamoIo, scope: string, metaPk: Uint8Array, location: string) {
    this.#io = io;
    this.#scope = scope;
    this.#metaPk = metaPk;
    this.location = location;
  }

  async claim(range: KeyGroupRange): Promise<number> {
    const claimed = await claimRange(this.#io, this.#metaPk, range);
    this.#epoch = claimed.epoch;
    this.#claimId = claimed.id;
    this.#range = range;
    return this.#epoch;
  }

  async checkNotFenced(): Promise<void> {
    const claims = await readClaims(this.#io, this.#metaPk);
    assertNotFenced(this.location, claims, this.#epoch, this.#claimed());
    this.#claims = claims;
  }

  async commit(record: CommitRecord): Promise<void> {
    for (let round = 0; round < MAX_COMMIT_ROUNDS; round++) {
      // The flush just read the claims; a claim since then fails the condition and costs a round.
      const claims = (round === 0 ? this.#claims : undefined) ?? (await readClaims(this.#io, this.#metaPk));
      this.#claims = undefined;
      assertNotFenced(this.location, claims, this.#epoch, this.#claimed());
      // DynamoDB scopes client request tokens to the account and region, not the table: a token of
      // scope, epoch and checkpoint alone would collide across tables, stacks, or a table deleted
      // and created again within the token's ten minutes. The claim's random id is this writer's
      // alone; a repeat after a lost response (same writer, same round) still sends the same token.
      const token = createHash('sha256')
        .update(
          `${this.#claimId}\u0000${this.#scope}\u0000${this.#epoch}\u0000${record.checkpointId}\u0000${claims.version}`,
        )
        .digest('hex')
        .slice(0, 36);
      try {
        await this.#io.transact(
          [
            {
              ConditionCheck: {
                TableName: this.#io.tableName,
                Key: claimsKey(this.#metaPk),
                ConditionExpression: 'ver = :v',
                ExpressionAttributeValues: { ':v': { N: String(claims.version) } },
              },
            },
            {
              Put: {
                TableName: this.#io.tableName,
                Item: commitItem(this.#metaPk, record),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
          token,
        );
        return;
      } catch (error) {
        if (await this.#isCommitted(record)) return;
        if (!isConditionFailure(error)) {
          throw new StoreFailedError(
            `the commit of checkpoint ${record.checkpointId} failed and did not land`,
            {
              cause: error,
            },
          );
        }
      }
    }
    throw new StoreFailedError(
      `the commit of checkpoint ${record.checkpointId} lost ${MAX_COMMIT_ROUNDS} races with other claims`,
    );
  }

  list(): Promise<CommitRecord[]> {
    return listCommits(this.#io, this.#metaPk);
  }

  async remove(records: readonly CommitRecord[]): Promise<void> {
    const deletes: WriteRequest[] = records.map((c) => ({
      DeleteRequest: { Key: commitKey(this.#metaPk, c.checkpointId, c.epoch) },
    }));
    if (deletes.length > 0) await this.#io.batchWrite(deletes);
  }

  readonly updatesRestorable = true;

  updateRestorable(restorable: readonly number[]): Promise<void> {
    return updateRestorable({ io: this.#io, metaPk: this.#metaPk, epoch: this.#epoch }, restorable);
  }

  #claimed(): KeyGroupRange {
    if (this.#range === undefined) throw new StoreFailedError('it has not claimed its key groups');
    return this.#range;
  }

  async #isCommitted(record: CommitRecord): Promise<boolean> {
    let item: Awaited<ReturnType<DynamoIo['get']>>;
    try {
      item = await this.#io.get(commitKey(this.#metaPk, record.checkpointId, record.epoch));
    } catch (error) {
      throw new StoreFailedError(
        `the outcome of the commit of checkpoint ${record.checkpointId} is unknown`,
        {
          cause: error,
        },
      );
    }
    return item !== undefined && fromCommitItem(item).cutoff === record.cutoff;
  }
}
