import { S3RequestError } from '../errors.js';

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchUpload']);
const THROTTLING = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'InternalError',
  'ServiceUnavailable',
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'TimeoutError', 'AbortError']);

/** What S3 answered to a failed request, read from an SDK v3 error. */
export interface S3Failure {
  readonly code: string;
  readonly statusCode: number | undefined;
}

export function describeFailure(error: unknown): S3Failure {
  if (error instanceof S3RequestError) return { code: error.code, statusCode: error.statusCode };
  if (typeof error !== 'object' || error === null) return { code: String(error), statusCode: undefined };
  const e = error as {
    name?: unknown;
    Code?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const status = e.$metadata?.httpStatusCode;
  const code = typeof e.Code === 'string' ? e.Code : typeof e.name === 'string' ? e.name : String(e.code);
  return { code, statusCode: typeof status === 'number' ? status : undefined };
}

/** True for S3's answer to a failed `If-None-Match` / `If-Match` condition. */
export function isPreconditionFailed(error: unknown): boolean {
  const { code, statusCode } = describeFailure(error);
  // 409 ConditionalRequestConflict: a concurrent conditional write to the same key is in flight.
  return statusCode === 412 || code === 'PreconditionFailed' || code === 'ConditionalRequestConflict';
}

export function isNotFound(error: unknown): boolean {
  const { code, statusCode } = describeFailure(error);
  return NOT_FOUND.has(code) || statusCode === 404;
}

export function isRetryable(error: unknown): boolean {
  const { code, statusCode } = describeFailure(error);
  const errno = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return (
    THROTTLING.has(code) ||
    NETWORK.has(code) ||
    (typeof errno === 'string' && NETWORK.has(errno)) ||
    statusCode === 429 ||
    (statusCode !== undefined && statusCode >= 500)
  );
}

/** The typed error of a failed request: `notFound` for a missing key, retryable for throttling and 5xx. */
export function toStorageError(operation: string, location: string, error: unknown): S3RequestError {
  if (error instanceof S3RequestError) return error;
  const { code, statusCode } = describeFailure(error);
  return new S3RequestError(operation, location, code, statusCode, {
    cause: error,
    retryable: isRetryable(error),
    notFound: isNotFound(error),
  });
}
