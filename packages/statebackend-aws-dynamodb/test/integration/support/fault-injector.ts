import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Where an injected fault strikes: before the request leaves, or after the server applied it. */
export type FaultPoint = 'before' | 'after';

/** How an injected fault looks to the caller. */
export type FaultKind = 'connection-reset' | 'validation' | 'throttle';

function faultError(kind: FaultKind): Error {
  if (kind === 'connection-reset')
    return Object.assign(new Error('socket hang up (injected)'), { code: 'ECONNRESET' });
  if (kind === 'throttle') {
    const error = new Error('Rate of requests exceeds the allowed throughput (injected)');
    error.name = 'ProvisionedThroughputExceededException';
    return Object.assign(error, { $metadata: { httpStatusCode: 400 }, $fault: 'client' });
  }
  const error = new Error('Injected non-retryable failure');
  error.name = 'ValidationException';
  return Object.assign(error, { $metadata: { httpStatusCode: 400 }, $fault: 'client' });
}

/**
 * An SDK middleware that counts every DynamoDB call of one client once armed, and fails chosen
 * ones: the k-th call, or a share of them. Placed in the deserialize step, it wraps the HTTP
 * exchange itself, so "after" means the server applied the request and its response was lost.
 */
export class FaultInjector {
  calls = 0;
  injected = 0;
  #failAt = 0;
  #point: FaultPoint = 'before';
  #kind: FaultKind = 'connection-reset';
  #share = 0;
  #random = 1;
  /** Runs before the call of that operation is sent, e.g. to let a rival act in between. */
  beforeSend: ((operation: string) => Promise<void>) | undefined;

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String((context as { commandName?: string }).commandName ?? '').replace(
          /Command$/,
          '',
        );
        const call = ++this.calls;
        const strikeHere = call === this.#failAt || (this.#share > 0 && this.#nextRandom() < this.#share);
        if (this.beforeSend !== undefined) await this.beforeSend(operation);
        if (strikeHere && this.#point === 'before') {
          this.injected++;
          throw faultError(this.#kind);
        }
        const result = await next(args);
        if (strikeHere) {
          this.injected++;
          throw faultError(this.#kind);
        }
        return result;
      },
      { step: 'deserialize', name: 'faultInjector', priority: 'high' },
    );
  }

  /** Fails the `k`-th call from now. */
  failCall(k: number, point: FaultPoint, kind: FaultKind): void {
    this.calls = 0;
    this.#failAt = k;
    this.#point = point;
    this.#kind = kind;
    this.#share = 0;
  }

  /** Fails about `share` of the calls from now, before they are sent. Deterministic. */
  failShare(share: number, kind: FaultKind): void {
    this.calls = 0;
    this.#failAt = 0;
    this.#point = 'before';
    this.#kind = kind;
    this.#share = share;
  }

  disarm(): void {
    this.#failAt = 0;
    this.#share = 0;
  }

  #nextRandom(): number {
    // xorshift: the same calls fail in every run
    this.#random ^= this.#random << 13;
    this.#random ^= this.#random >>> 17;
    this.#random ^= this.#random << 5;
    return (this.#random >>> 0) / 0x1_0000_0000;
  }
}
