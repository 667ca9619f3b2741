/**
 * What a failed PutMetricData means for what to do next:
 * - `retryable`: throttling, a server error or a network failure; try again after a back-off;
 * - `invalid-data`: CloudWatch rejected the request's content (one bad datum fails all);
 * - `too-large`: the request exceeded CloudWatch's size limit;
 * - `unavailable`: anything else (credentials, permissions, configuration): not worth repeating
 *   now; the data waits for the next report.
 */
export type ErrorKind = 'retryable' | 'invalid-data' | 'too-large' | 'unavailable';

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);
const TRANSIENT = new Set([
  'InternalServiceFault',
  'InternalServiceError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'NetworkingError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);
const INVALID = new Set([
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'InvalidParameterCombination',
  'InvalidParameterCombinationException',
  'MissingParameter',
  'MissingRequiredParameter',
  'MissingRequiredParameterException',
  'ValidationError',
  'ValidationException',
  'SerializationException',
]);

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/** The AWS error code or the network error code of `error`. */
export function errorCode(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const shape = error as ErrorShape;
  if (typeof shape.code === 'string' && shape.code !== '') return shape.code;
  return typeof shape.name === 'string' ? shape.name : 'Error';
}

/** Classifies a PutMetricData failure; see {@link ErrorKind}. */
export function classifyError(error: unknown): ErrorKind {
  const code = errorCode(error);
  const name = typeof error === 'object' && error !== null ? (error as ErrorShape).name : undefined;
  const status =
    typeof error === 'object' && error !== null ? (error as ErrorShape).$metadata?.httpStatusCode : undefined;
  const codes = [code, typeof name === 'string' ? name : ''];
  if (codes.some((c) => THROTTLING.has(c)) || status === 429) return 'retryable';
  if (codes.some((c) => INVALID.has(c))) return 'invalid-data';
  if (codes.includes('RequestEntityTooLarge') || status === 413) return 'too-large';
  if (codes.some((c) => TRANSIENT.has(c))) return 'retryable';
  if (typeof status === 'number' && status >= 500) return 'retryable';
  if (typeof error === 'object' && error !== null && (error as ErrorShape).$retryable !== undefined)
    return 'retryable';
  return 'unavailable';
}
