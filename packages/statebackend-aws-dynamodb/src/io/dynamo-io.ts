import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type ConsumedCapacity,
  type DynamoDBClient,
  GetItemCommand,
  type KeysAndAttributes,
  QueryCommand,
  type QueryCommandInput,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { DynamoDbRequestError } from '../errors.js';
import type { StoreMetrics } from '../metrics/store-metrics.js';
import { chunk, forEachParallel } from './parallel.js';
import { backoffDelay, delay, type RetryListener, type RetryPolicy, withRetries } from './retry.js';

export type Item = Record<string, AttributeValue>;
export type ItemKey = { pk: { B: Uint8Array }; sk: { B: Uint8Array } };

const WRITE_BATCH = 25;
const GET_BATCH = 100;

/** Options of {@link DynamoIo}. */
export interface DynamoIoOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly retry: RetryPolicy;
  /** BatchWriteItem / BatchGetItem calls in flight at once. */
  readonly parallelism: number;
  readonly metrics: StoreMetrics;
  /** Ask DynamoDB for consumed capacity on batch calls and Query (default true). */
  readonly trackConsumedCapacity?: boolean;
}

/**
 * Every DynamoDB call of the store: batched, parallel, and repeated within bounds. All writes
 * here are whole-item puts and deletes keyed by (pk, sk), so repeating one whose response was
 * lost writes the same item again and changes nothing.
 */
export class DynamoIo implements RetryListener {
  readonly tableName: string;
  readonly #client: DynamoDBClient;
  readonly #retry: RetryPolicy;
  readonly #parallelism: number;
  readonly #metrics: StoreMetrics;
  readonly #capacity: { ReturnConsumedCapacity?: 'TOTAL' };

  constructor(options: DynamoIoOptions) {
    this.#client = options.client;
    this.tableName = options.tableName;
    this.#retry = options.retry;
    this.#parallelism = options.parallelism;
    this.#metrics = options.metrics;
    this.#capacity = options.trackConsumedCapacity === false ? {} : { ReturnConsumedCapacity: 'TOTAL' };
  }

  onRetry(kind: 'throttle' | 'transient'): void {
    this.#metrics.retries.inc();
    if (kind === 'throttle') this.#metrics.throttles.inc();
  }

  /** Puts and deletes, 25 per BatchWriteItem, several batches in flight, unprocessed ones repeated. */
  async batchWrite(requests: readonly WriteRequest[]): Promise<void> {
    await forEachParallel(chunk(requests, WRITE_BATCH), this.#parallelism, (batch) =>
      this.#writeBatch(batch),
    );
  }

  /**
   * {@link batchWrite} of `count` requests that `make(from, to)` makes 25 at a time, as a call
   * takes them: the first calls are in flight while the later requests are still to be made.
   * `make` must not throw.
   */
  async batchWriteMade(count: number, make: (from: number, to: number) => WriteRequest[]): Promise<void> {
    const starts: number[] = [];
    for (let from = 0; from < count; from += WRITE_BATCH) starts.push(from);
    await forEachParallel(starts, this.#parallelism, (from) =>
      this.#writeBatch(make(from, Math.min(count, from + WRITE_BATCH))),
    );
  }

  async #writeBatch(batch: WriteRequest[]): Promise<void> {
    // Tallied before the first call: the common case (nothing unprocessed) counts it as is.
    const whole = tally(batch, batch.length);
    let pending = batch;
    for (let round = 1; ; round++) {
      const response = await this.#call('BatchWriteItem', () =>
        this.#client.send(
          new BatchWriteItemCommand({
            RequestItems: { [this.tableName]: pending },
            ...this.#capacity,
          }),
        ),
      );
      this.#consumed(response.ConsumedCapacity);
      const unprocessed = response.UnprocessedItems?.[this.tableName] ?? [];
      if (round === 1 && unprocessed.length === 0) {
        this.#recordWritten(pending.length, whole);
        return;
      }
      this.#countWritten(pending.length - unprocessed.length, pending, unprocessed.length);
      if (unprocessed.length === 0) return;
      this.onRetry('throttle');
      if (round >= this.#retry.maxAttempts) {
        throw new DynamoDbRequestError(
          'BatchWriteItem',
          'UnprocessedItems',
          round,
          true,
          new Error(`${unprocessed.length} items still unprocessed`),
        );
      }
      pending = unprocessed;
      await delay(backoffDelay(this.#retry, round));
    }
  }

  #countWritten(count: number, batch: readonly WriteRequest[], unprocessed: number): void {
    if (count <= 0) return;
    this.#recordWritten(count, tally(batch, batch.length - unprocessed));
  }

  #recordWritten(count: number, { puts, bytes }: { puts: number; bytes: number }): void {
    this.#metrics.itemsWritten.inc(puts);
    this.#metrics.itemsDeleted.inc(count - puts);
    this.#metrics.bytesWritten.inc(bytes);
  }

  /** Consistent BatchGetItem of `keys`, 100 per call; unprocessed keys repeated. Order not kept. */
  async batchGet(keys: readonly ItemKey[]): Promise<Item[]> {
    const found: Item[] = [];
    await forEachParallel(chunk(keys, GET_BATCH), this.#parallelism, async (batch) => {
      let pending: KeysAndAttributes = { Keys: batch, ConsistentRead: true };
      for (let round = 1; ; round++) {
        const request = pending;
        const response = await this.#call('BatchGetItem', () =>
          this.#client.send(
            new BatchGetItemCommand({
              RequestItems: { [this.tableName]: request },
              ...this.#capacity,
            }),
          ),
        );
        this.#consumed(response.ConsumedCapacity);
        for (const item of response.Responses?.[this.tableName] ?? []) this.#countRead(item, found);
        const unprocessed = response.UnprocessedKeys?.[this.tableName];
        if (unprocessed?.Keys === undefined || unprocessed.Keys.length === 0) return;
        this.onRetry('throttle');
        if (round >= this.#retry.maxAttempts) {
          throw new DynamoDbRequestError(
            'BatchGetItem',
            'UnprocessedKeys',
            round,
            true,
            new Error('keys unprocessed'),
          );
        }
        pending = { ...unprocessed, ConsistentRead: true };
        await delay(backoffDelay(this.#retry, round));
      }
    });
    return found;
  }

  #countRead(item: Item, into: Item[]): void {
    into.push(item);
    this.#metrics.itemsRead.inc();
    this.#metrics.bytesRead.inc((item.v?.B?.length ?? 0) + (item.pv?.B?.length ?? 0));
  }

  /** Every item a consistent Query returns, page after page. */
  async *query(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): AsyncGenerator<Item[]> {
    let start: Item | undefined;
    do {
      const from = start;
      const response = await this.#call('Query', () =>
        this.#client.send(
          new QueryCommand({
            ...input,
            TableName: this.tableName,
            ConsistentRead: true,
            ...this.#capacity,
            ...(from === undefined ? {} : { ExclusiveStartKey: from }),
          }),
        ),
      );
      const items: Item[] = [];
      this.#consumed(response.ConsumedCapacity === undefined ? undefined : [response.ConsumedCapacity]);
      for (const item of response.Items ?? []) this.#countRead(item, items);
      yield items;
      start = response.LastEvaluatedKey;
    } while (start !== undefined);
  }

  /** A consistent GetItem. */
  async get(key: ItemKey): Promise<Item | undefined> {
    const response = await this.#call('GetItem', () =>
      this.#client.send(new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })),
    );
    return response.Item;
  }

  /**
   * A TransactWriteItems with an idempotency token, so that repeating it after a lost response
   * does not apply it twice. Conditional failures surface (not retried) for the caller to read.
   */
  async transact(items: TransactWriteItem[], token: string): Promise<void> {
    await this.#call('TransactWriteItems', () =>
      this.#client.send(new TransactWriteItemsCommand({ TransactItems: items, ClientRequestToken: token })),
    );
  }

  /** Sends a raw command through the same retries (table management, conditional puts). */
  send<T>(operation: string, call: (client: DynamoDBClient) => Promise<T>): Promise<T> {
    return this.#call(operation, () => call(this.#client));
  }

  #call<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return withRetries(operation, this.#retry, this, () => {
      this.#metrics.calls.inc();
      return call();
    });
  }

  #consumed(consumed: readonly ConsumedCapacity[] | undefined): void {
    for (const entry of consumed ?? []) this.#metrics.consumedCapacity.inc(entry.CapacityUnits ?? 0);
  }
}

/** The puts among the first `count` requests of `batch`, and the bytes of their values. */
function tally(batch: readonly WriteRequest[], count: number): { puts: number; bytes: number } {
  let bytes = 0;
  let puts = 0;
  for (let i = 0; i < count; i++) {
    const item = batch[i]?.PutRequest?.Item;
    if (item === undefined) continue;
    puts++;
    bytes += (item.v?.B?.length ?? 0) + (item.pv?.B?.length ?? 0);
  }
  return { puts, bytes };
}
