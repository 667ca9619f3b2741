import { StateBackendError } from '@statebackend/aws-base';

/**
 * Every error of this package is a `StateBackendError` from `@statebackend/aws-base`, with a
 * stable `name` and an `isRetryable` flag a caller can act on.
 */

/** An existing table whose key schema is not the one this backend writes. Nothing was written. */
export class TableSchemaMismatchError extends StateBackendError {
  override readonly name: string = 'TableSchemaMismatchError';
  readonly tableName: string;
  /** The key schema found, e.g. `pk HASH S, sk RANGE B`. */
  readonly found: string;

  constructor(tableName: string, found: string) {
    super(
      `DynamoDB table '${tableName}' has key schema (${found}), but the DynamoDB state backend needs ` +
        `(pk HASH B, sk RANGE B). Choose another table name, or let the backend create the table.`,
    );
    this.tableName = tableName;
    this.found = found;
  }
}

/** A table that did not become ACTIVE in time. */
export class TableNotActiveError extends StateBackendError {
  override readonly name: string = 'TableNotActiveError';
  override readonly isRetryable: boolean = true;
  readonly tableName: string;

  constructor(tableName: string, status: string, waitedMs: number) {
    super(
      `DynamoDB table '${tableName}' is ${status} after waiting ${waitedMs} ms for ACTIVE. Try again later.`,
    );
    this.tableName = tableName;
  }
}

/**
 * A value (with the previous version kept beside it) too large for one DynamoDB item. Raised
 * before any item of the flush or snapshot is written.
 */
export class ValueTooLargeError extends StateBackendError {
  override readonly name: string = 'ValueTooLargeError';
  readonly stateName: string;
  readonly size: number;
  readonly limit: number;

  constructor(stateName: string, size: number, limit: number) {
    super(
      `State '${stateName}': a serialized value of ${size} bytes exceeds the ${limit} bytes one DynamoDB item ` +
        'can hold for it (400 KB, shared with the previous checkpointed version). Nothing of this flush was ' +
        'written. Keep values smaller, e.g. split them across map entries.',
    );
    this.stateName = stateName;
    this.size = size;
    this.limit = limit;
  }
}

/** A DynamoDB call that failed for good: not retryable, or out of retries. */
export class DynamoDbRequestError extends StateBackendError {
  override readonly name: string = 'DynamoDbRequestError';
  override readonly isRetryable: boolean;
  /** The DynamoDB operation, e.g. `BatchWriteItem`. */
  readonly operation: string;
  /** The AWS error name, e.g. `ResourceNotFoundException`. */
  readonly errorName: string;
  readonly attempts: number;

  constructor(operation: string, errorName: string, attempts: number, retryable: boolean, cause: unknown) {
    const message = cause instanceof Error ? cause.message : String(cause);
    super(
      `DynamoDB ${operation} failed with ${errorName} after ${attempts} attempt${attempts === 1 ? '' : 's'}: ` +
        `${message}. ${retryable ? 'It may succeed when repeated later.' : 'Repeating it will not help; check the table and permissions.'}`,
      { cause },
    );
    this.operation = operation;
    this.errorName = errorName;
    this.attempts = attempts;
    this.isRetryable = retryable;
  }
}

/** A checkpoint id at or below the last one this writer committed. Nothing was written. */
export class CheckpointOrderError extends StateBackendError {
  override readonly name: string = 'CheckpointOrderError';

  constructor(checkpointId: number, lastCommitted: number) {
    super(
      `Checkpoint ${checkpointId} is not above the last committed checkpoint ${lastCommitted}. ` +
        'Use increasing checkpoint ids.',
    );
  }
}

/**
 * The store stopped accepting work: a commit's outcome could not be learned, or it was fenced or
 * closed. Restore a new store from the last complete checkpoint.
 */
export class StoreFailedError extends StateBackendError {
  override readonly name: string = 'StoreFailedError';

  constructor(reason: string, options?: { cause?: unknown }) {
    super(
      `The DynamoDB state store cannot continue: ${reason}. Restore a new store from the last complete checkpoint.`,
      options,
    );
  }
}

/** A key (with namespace and map key) too long for a DynamoDB sort key. Nothing was written. */
export class KeyTooLargeError extends StateBackendError {
  override readonly name: string = 'KeyTooLargeError';
  readonly stateName: string;
  readonly byteLength: number;
  readonly limit: number;

  constructor(stateName: string, byteLength: number, limit: number) {
    super(
      `State '${stateName}': the serialized key, namespace and map key take ${byteLength} bytes; DynamoDB sort keys ` +
        `leave room for ${limit} (less a long state name). Use shorter keys, e.g. a hash of a long key.`,
    );
    this.stateName = stateName;
    this.byteLength = byteLength;
    this.limit = limit;
  }
}

/** A table that does not exist, when the backend was told not to create it. */
export class TableNotFoundError extends StateBackendError {
  override readonly name: string = 'TableNotFoundError';
  readonly tableName: string;

  constructor(tableName: string) {
    super(
      `DynamoDB table '${tableName}' does not exist and createIfMissing is false. Create it (pk HASH B, ` +
        'sk RANGE B), or let the backend create it.',
    );
    this.tableName = tableName;
  }
}

/**
 * Entries of a state whose description (kind, serializers, TTL) no commit record and no
 * registration gives: they cannot be written to a savepoint. The store was written to without a
 * keyed backend, or the state's registration was never checkpointed. Nothing was written.
 */
export class UndescribedStateError extends StateBackendError {
  override readonly name: string = 'UndescribedStateError';
  readonly stateName: string;

  constructor(stateName: string, where: string) {
    super(
      `State '${stateName}' has entries in ${where}, but no checkpoint describes it (kind, serializers, TTL), ` +
        'so it cannot be exported. Register the state and take a checkpoint first.',
    );
    this.stateName = stateName;
  }
}

/**
 * A state registered with a value serializer that reads the stored values only after a migration.
 * The DynamoDB backend reads values where they are stored and cannot tell migrated from unmigrated
 * ones, so it refuses before anything is read or written.
 */
export class ValueMigrationNotSupportedError extends StateBackendError {
  override readonly name: string = 'ValueMigrationNotSupportedError';
  readonly stateName: string;

  constructor(stateName: string, stored: string, current: string) {
    super(
      `State '${stateName}' was stored with value serializer ${stored}; ${current}, registered now, reads those ` +
        'values only after a migration, which the DynamoDB backend cannot apply in place. Register the state with ' +
        'the old serializer, or migrate through a savepoint: export it, restore it into the heap backend with the new ' +
        'serializer (which migrates), export that and import it here.',
    );
    this.stateName = stateName;
  }
}
