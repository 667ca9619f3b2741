import { CheckpointStorageError, StateBackendError } from '@statebackend/aws-base';

/**
 * An S3 request of the checkpoint storage failed. It is a `CheckpointStorageError`, as the
 * storage SPI demands, with what S3 answered: the error code (`NoSuchKey`, `SlowDown`, ...) and
 * HTTP status. `isRetryable` is true for throttling, 5xx answers and network failures, which the
 * SDK already retried within its bounds.
 */
export class S3RequestError extends CheckpointStorageError {
  override readonly name: string = 'S3RequestError';
  /** S3's error code, e.g. `SlowDown`, or the SDK's error name for a network failure. */
  readonly code: string;
  /** The HTTP status of S3's answer; undefined when no answer arrived. */
  readonly statusCode: number | undefined;

  constructor(
    operation: string,
    location: string,
    code: string,
    statusCode: number | undefined,
    options: { cause: unknown; retryable: boolean; notFound: boolean },
  ) {
    super(operation, location, options);
    this.code = code;
    this.statusCode = statusCode;
  }
}

/**
 * A claim on a key-group range could not take a new epoch: other instances kept taking the
 * epochs this one tried. Retryable: restore again after a moment.
 */
export class ClaimContentionError extends StateBackendError {
  override readonly name: string = 'ClaimContentionError';
  override readonly isRetryable: boolean = true;
  readonly location: string;
  readonly attempts: number;

  constructor(location: string, attempts: number) {
    super(
      `Could not claim a writer epoch under '${location}' in ${attempts} attempts: other instances claimed ` +
        'each epoch first. Check that only one instance restores each key-group range, then retry.',
    );
    this.location = location;
    this.attempts = attempts;
  }
}
