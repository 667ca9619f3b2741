import { StateBackendError } from '@statebackend/aws-base';
import { DynamoDbRequestError } from '../errors.js';

/** How throttled and transient calls are repeated. */
export interface RetryPolicy {
  /** Attempts per call, the first included. */
  readonly maxAttempts: number;
  /** Delay before the first repeat; doubles each time (full jitter), up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 10,
  baseDelayMs: 25,
  maxDelayMs: 2_000,
});

/** What a failed call means for repeating it. */
export type FailureKind = 'throttle' | 'transient' | 'fatal';

const THROTTLES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);
const TRANSIENT = new Set([
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

/** Classifies an SDK error: throttling, a transient failure worth repeating, or neither. */
export function classifyFailure(error: unknown): FailureKind {
  if (!(error instanceof Error)) return 'fatal';
  if (THROTTLES.has(error.name)) return 'throttle';
  if (TRANSIENT.has(error.name)) return 'transient';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'transient';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return 'transient';
  if ((error as { $retryable?: unknown }).$retryable !== undefined) return 'transient';
  // A connection that failed or a response that never arrived: no HTTP status at all.
  return status === undefined && /socket hang up|ECONNRESET|network|aborted/i.test(error.message)
    ? 'transient'
    : 'fatal';
}

/** Full-jitter exponential backoff: a random delay in [0, min(max, base * 2^attempt)). */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(Math.random() * ceiling);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What {@link withRetries} reports as it goes. */
export interface RetryListener {
  onRetry(kind: Exclude<FailureKind, 'fatal'>): void;
}

/**
 * Runs `call` until it succeeds, repeating throttled and transient failures with jittered
 * backoff up to the policy's attempts. Fatal failures surface at once as a
 * {@link DynamoDbRequestError}. Only idempotent calls go through here.
 */
export async function withRetries<T>(
  operation: string,
  policy: RetryPolicy,
  listener: RetryListener,
  call: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (error instanceof StateBackendError) throw error;
      const kind = classifyFailure(error);
      const name = error instanceof Error ? error.name : 'Error';
      if (kind === 'fatal') throw new DynamoDbRequestError(operation, name, attempt, false, error);
      if (attempt >= policy.maxAttempts)
        throw new DynamoDbRequestError(operation, name, attempt, true, error);
      listener.onRetry(kind);
      await delay(backoffDelay(policy, attempt));
    }
  }
}
