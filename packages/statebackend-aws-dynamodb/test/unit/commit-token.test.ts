import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KeyGroupRange } from '@statebackend/aws-base';
import { TableCommitLog } from '../../src/checkpoint/table-commit-log.js';
import { StoreMetrics } from '../../src/index.js';
import { DynamoIo } from '../../src/io/dynamo-io.js';
import { metaPartitionKey, scopeBytes } from '../../src/layout/item-key.js';

const record = {
  checkpointId: 1,
  epoch: 1,
  cutoff: 1,
  start: 0,
  end: 127,
  lineage: [],
  metadata: new Uint8Array(0),
  committedAt: 0,
  restorable: [1],
};

/**
 * A writer of `tableName` over a stubbed client (DynamoDB scopes tokens to the account and region,
 * which no emulator reproduces across tables): an empty claims item, and every call succeeding.
 * Returns the ClientRequestToken of each TransactWriteItems it sent.
 */
async function commitOnce(tableName: string, failFirstCommit = false): Promise<string[]> {
  const tokens: string[] = [];
  let failed = !failFirstCommit;
  const client = {
    send: async (command: { input: { ClientRequestToken?: string; TransactItems?: unknown } }) => {
      if (command.input.TransactItems === undefined) return {};
      tokens.push(command.input.ClientRequestToken ?? '');
      if (!failed) {
        failed = true;
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} });
      }
      return {};
    },
  } as unknown as DynamoDBClient;
  const io = new DynamoIo({
    client,
    tableName,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    parallelism: 1,
    metrics: new StoreMetrics(),
  });
  const scope = 'job/op';
  const log = new TableCommitLog(
    io,
    scope,
    metaPartitionKey(scopeBytes(scope)),
    `dynamodb://${tableName}/${scope}`,
  );
  await log.claim(KeyGroupRange.of(0, 127));
  await log.checkNotFenced();
  await log.commit(record);
  return tokens;
}

describe('commit idempotency tokens', () => {
  it('differ between writers of the same job, epoch and checkpoint (other tables, stacks, a re-created table)', async () => {
    const [first] = await commitOnce('state-a');
    const [second] = await commitOnce('state-a');
    const [other] = await commitOnce('state-b');
    expect(new Set([first, second, other]).size).toBe(3);
  });

  it('stay the same when one writer repeats a commit whose response was lost', async () => {
    const tokens = await commitOnce('state-a', true);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toBe(tokens[1]);
  });
});
