import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbRequestError, StoreMetrics } from '../../src/index.js';
import { DynamoIo } from '../../src/io/dynamo-io.js';

function awsError(name: string, status: number): Error {
  const error = new Error(`${name} (stubbed)`);
  error.name = name;
  return Object.assign(error, {
    $metadata: { httpStatusCode: status },
    $fault: status >= 500 ? 'server' : 'client',
  });
}

/** A client that answers each call with the next scripted outcome: errors no emulator produces on demand. */
function scriptedIo(outcomes: (Error | object)[]) {
  const sent: unknown[] = [];
  const client = {
    send: async (command: { input: unknown }) => {
      sent.push(command.input);
      const next = outcomes.shift() ?? {};
      if (next instanceof Error) throw next;
      return next;
    },
  } as unknown as DynamoDBClient;
  const metrics = new StoreMetrics();
  const io = new DynamoIo({
    client,
    tableName: 't',
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
    parallelism: 2,
    metrics,
  });
  return { io, sent, metrics };
}

const put = (i: number) => ({
  PutRequest: { Item: { pk: { B: Uint8Array.of(i) }, sk: { B: Uint8Array.of(i) } } },
});

describe('retries', () => {
  it('repeat throttled and transient calls with backoff, counting throttles and retries', async () => {
    const { io, sent, metrics } = scriptedIo([
      awsError('ProvisionedThroughputExceededException', 400),
      awsError('ThrottlingException', 400),
      awsError('InternalServerError', 500),
      {},
    ]);
    await io.batchWrite([put(1)]);
    expect(sent).toHaveLength(4);
    expect(metrics.throttles.getCount()).toBe(2);
    expect(metrics.retries.getCount()).toBe(3);
  });

  it('surface a non-retryable error at once, as a typed error naming the operation', async () => {
    const { io, sent } = scriptedIo([awsError('ResourceNotFoundException', 400)]);
    const error = await io.batchWrite([put(1)]).catch((e: unknown) => e);
    expect(sent).toHaveLength(1);
    expect(error).toBeInstanceOf(DynamoDbRequestError);
    expect(error).toMatchObject({
      operation: 'BatchWriteItem',
      errorName: 'ResourceNotFoundException',
      isRetryable: false,
    });
  });

  it('give up after the attempts of the policy with a retryable typed error', async () => {
    const { io, sent } = scriptedIo(Array.from({ length: 10 }, () => awsError('ThrottlingException', 400)));
    await expect(io.batchWrite([put(1)])).rejects.toMatchObject({
      name: 'DynamoDbRequestError',
      isRetryable: true,
      attempts: 4,
    });
    expect(sent).toHaveLength(4);
  });

  it('send unprocessed items again, and only those', async () => {
    const { io, sent, metrics } = scriptedIo([{ UnprocessedItems: { t: [put(2)] } }, {}]);
    await io.batchWrite([put(1), put(2)]);
    expect(sent).toHaveLength(2);
    expect((sent[1] as { RequestItems: { t: unknown[] } }).RequestItems.t).toEqual([put(2)]);
    expect(metrics.itemsWritten.getCount()).toBe(2);
  });

  it('split writes into batches of 25 and gets into batches of 100', async () => {
    const { io, sent } = scriptedIo([]);
    await io.batchWrite(Array.from({ length: 60 }, (_, i) => put(i)));
    expect(sent.map((s) => (s as { RequestItems: { t: unknown[] } }).RequestItems.t.length).sort()).toEqual([
      10, 25, 25,
    ]);
    sent.length = 0;
    await io.batchGet(
      Array.from({ length: 150 }, (_, i) => ({ pk: { B: Uint8Array.of(i) }, sk: { B: Uint8Array.of(i) } })),
    );
    expect(
      sent.map((s) => (s as { RequestItems: { t: { Keys: unknown[] } } }).RequestItems.t.Keys.length).sort(),
    ).toEqual([100, 50]);
  });
});
