/**
 * Every error this package throws is a {@link StateBackendError}. Subclasses have a stable
 * `name` and say whether repeating the operation can succeed (`isRetryable`).
 *
 * Messages name the thing, the value received and what to do. They never contain secrets.
 */
export class StateBackendError extends Error {
  override readonly name: string = 'StateBackendError';
  /** True when repeating the same operation later may succeed. */
  readonly isRetryable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** One problem found while validating configuration. */
export interface ConfigurationIssue {
  /** The configuration key, e.g. `aws.region`. */
  readonly key: string;
  /** What was received, already masked when the key is secret. */
  readonly received: string;
  /** What the key accepts, e.g. `one of BASIC, ENV, PROFILE`. */
  readonly expected: string;
  /** A near-miss suggestion for unknown keys. */
  readonly suggestion?: string;
}

/** Invalid configuration. Raised before any AWS call; lists every problem at once. */
export class ConfigurationError extends StateBackendError {
  override readonly name: string = 'ConfigurationError';
  readonly issues: readonly ConfigurationIssue[];

  constructor(issues: readonly ConfigurationIssue[], options?: { cause?: unknown }) {
    super(ConfigurationError.#describe(issues), options);
    this.issues = issues;
  }

  /** The keys of every problem, in the order found. */
  get keys(): string[] {
    return this.issues.map((issue) => issue.key);
  }

  static #describe(issues: readonly ConfigurationIssue[]): string {
    const lines = issues.map((i) => {
      const hint = i.suggestion === undefined ? '' : ` Did you mean '${i.suggestion}'?`;
      return `- ${i.key}: received ${i.received}; expected ${i.expected}.${hint}`;
    });
    const noun = issues.length === 1 ? 'problem' : 'problems';
    return `Invalid configuration (${issues.length} ${noun}):\n${lines.join('\n')}`;
  }
}

// ---- Each area appends its error classes below its own marker. Never rewrite the file. ----

// <errors:aws>

/** An {@link AwsClientManager} was used after `close()`. */
export class ClientManagerClosedError extends StateBackendError {
  override readonly name: string = 'ClientManagerClosedError';

  constructor(what: string) {
    super(`Cannot ${what}: the AwsClientManager is closed. Create a new manager.`);
  }
}

// <errors:serialization>

/**
 * A value the serializer cannot encode. The message names the serializer, the type of what was
 * received (never the whole value, which may be large or sensitive) and what it accepts.
 */
export class SerializationError extends StateBackendError {
  override readonly name: string = 'SerializationError';
  /** The serializer's snapshot id, e.g. `int`. */
  readonly serializerId: string;
  /** A short description of the received value's type, e.g. `string (length 3)`. */
  readonly received: string;
  /** What the serializer accepts. */
  readonly expected: string;

  constructor(serializerId: string, received: string, expected: string, options?: { cause?: unknown }) {
    super(
      `The '${serializerId}' serializer cannot encode the value received: ${received}. ` +
        `It accepts ${expected}; convert the value or choose another serializer.`,
      options,
    );
    this.serializerId = serializerId;
    this.received = received;
    this.expected = expected;
  }
}

/** Bytes a serializer cannot decode: truncated, corrupted or written in another format. */
export class DeserializationError extends StateBackendError {
  override readonly name: string = 'DeserializationError';
  /** The serializer's snapshot id, e.g. `string`. */
  readonly serializerId: string;
  /** Length of the bytes that failed to decode. */
  readonly byteLength: number;
  /** What is wrong with the bytes. */
  readonly reason: string;

  constructor(serializerId: string, byteLength: number, reason: string, options?: { cause?: unknown }) {
    super(
      `The '${serializerId}' serializer cannot decode ${byteLength} bytes: ${reason}. The data is corrupt ` +
        'or was written by a different serializer; check the serializer recorded with the checkpoint.',
      options,
    );
    this.serializerId = serializerId;
    this.byteLength = byteLength;
    this.reason = reason;
  }
}

/** Which part of a state's address or value a serializer encodes. */
export type SerializerRole = 'key' | 'namespace' | 'value' | 'mapKey' | 'mapValue' | 'element';

const SERIALIZER_ROLE_NAMES: Readonly<Record<SerializerRole, string>> = {
  key: 'key',
  namespace: 'namespace',
  value: 'value',
  mapKey: 'map key',
  mapValue: 'map value',
  element: 'list element',
};

/** The serializer registered now cannot read what a checkpoint stored for a state. */
export class IncompatibleSerializerError extends StateBackendError {
  override readonly name: string = 'IncompatibleSerializerError';
  readonly stateName: string;
  readonly role: SerializerRole;
  /** `id@version` of the serializer recorded with the checkpoint. */
  readonly stored: string;
  /** `id@version` of the serializer registered now. */
  readonly current: string;
  readonly reason: string;

  constructor(
    stateName: string,
    role: SerializerRole,
    stored: string,
    current: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `State '${stateName}': the ${SERIALIZER_ROLE_NAMES[role]} serializer ${current} cannot read data ` +
        `written by ${stored} ` +
        `(${reason}). Register a serializer compatible with ${stored}, or migrate the state with a savepoint.`,
      options,
    );
    this.stateName = stateName;
    this.role = role;
    this.stored = stored;
    this.current = current;
    this.reason = reason;
  }
}

/** A serializer snapshot names an id (or version) that no registered factory knows. */
export class UnknownSerializerError extends StateBackendError {
  override readonly name: string = 'UnknownSerializerError';
  readonly serializerId: string;
  readonly version: number;

  constructor(serializerId: string, version: number, known: readonly string[], detail?: string) {
    const what = detail ?? `no serializer is registered under '${serializerId}'`;
    super(
      `Cannot resolve serializer ${serializerId}@${version}: ${what}. Known ids: ${known.join(', ')}. ` +
        'Register a factory for it with SerializerRegistry.register().',
    );
    this.serializerId = serializerId;
    this.version = version;
  }
}

/** A parallelism, max parallelism, operator index or key group outside its bounds. */
export class KeyGroupArgumentError extends StateBackendError {
  override readonly name: string = 'KeyGroupArgumentError';
  /** The argument's name, e.g. `maxParallelism`. */
  readonly argument: string;
  readonly received: string;
  readonly expected: string;

  constructor(argument: string, received: string, expected: string) {
    super(`Invalid ${argument}: received ${received}; expected ${expected}.`);
    this.argument = argument;
    this.received = received;
    this.expected = expected;
  }
}

// <errors:state>

/**
 * A state name registered again with another kind, an incompatible serializer or another TTL.
 * The message names both registrations.
 */
export class StateRegistrationError extends StateBackendError {
  override readonly name: string = 'StateRegistrationError';
  readonly stateName: string;
  /** How the state is registered, e.g. `value state, value serializer number@1`. */
  readonly registered: string;
  /** How it was requested now. */
  readonly requested: string;

  constructor(stateName: string, registered: string, requested: string, reason: string) {
    super(
      `State '${stateName}' is registered as ${registered}, but was requested as ${requested}: ${reason}. ` +
        'Give the new state another name, or request it with the same kind, serializers and TTL.',
    );
    this.stateName = stateName;
    this.registered = registered;
    this.requested = requested;
  }
}

/** A state descriptor that cannot describe a state: empty name, missing function, bad serializer. */
export class InvalidStateDescriptorError extends StateBackendError {
  override readonly name: string = 'InvalidStateDescriptorError';
  readonly stateName: string;

  constructor(stateName: string, problem: string) {
    super(`Invalid descriptor for state '${stateName}': ${problem}.`);
    this.stateName = stateName;
  }
}

/** A TTL setting out of range, e.g. a TTL of zero or less. */
export class InvalidTtlError extends StateBackendError {
  override readonly name: string = 'InvalidTtlError';
  /** The setting, e.g. `ttl`. */
  readonly setting: string;
  readonly received: string;
  readonly expected: string;

  constructor(setting: string, received: string, expected: string) {
    super(`Invalid state TTL ${setting}: received ${received}; expected ${expected}.`);
    this.setting = setting;
    this.received = received;
    this.expected = expected;
  }
}

/**
 * A state value, list element, map key or namespace its serializer cannot encode. Extends
 * {@link SerializationError} with the state's name; the serializer's own error is the `cause`.
 */
export class StateSerializationError extends SerializationError {
  override readonly name: string = 'StateSerializationError';
  readonly stateName: string;
  readonly role: SerializerRole;

  constructor(
    stateName: string,
    role: SerializerRole,
    serializerId: string,
    received: string,
    cause: unknown,
  ) {
    const expected = cause instanceof SerializationError ? cause.expected : 'what the serializer accepts';
    // The serializer's own description may say more, e.g. `object, circular at $.self`.
    if (cause instanceof SerializationError) received = cause.received;
    super(serializerId, received, expected, { cause });
    this.stateName = stateName;
    this.role = role;
    const what = SERIALIZER_ROLE_NAMES[role];
    const why = cause instanceof SerializationError ? `it accepts ${expected}` : describeCause(cause);
    this.message =
      `State '${stateName}': the ${what} serializer '${serializerId}' cannot encode the ${what} received ` +
      `(${received}); ${why}. Pass a ${what} it accepts, or give the descriptor a serializer for this type.`;
  }
}

/** A key the backend's key serializer cannot encode. Extends {@link SerializationError}. */
export class KeySerializationError extends SerializationError {
  override readonly name: string = 'KeySerializationError';

  constructor(serializerId: string, received: string, cause: unknown) {
    const expected = cause instanceof SerializationError ? cause.expected : 'what the serializer accepts';
    if (cause instanceof SerializationError) received = cause.received;
    super(serializerId, received, expected, { cause });
    const why = cause instanceof SerializationError ? `it accepts ${expected}` : describeCause(cause);
    this.message =
      `The key serializer '${serializerId}' cannot encode the key received (${received}); ${why}. ` +
      "Pass keys of the key serializer's type, or create the keyed backend with a key serializer for them.";
  }
}

function describeCause(cause: unknown): string {
  return `it threw ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`;
}

/** A key whose key group lies outside the key-group range the keyed backend owns. */
export class KeyGroupOutOfRangeError extends StateBackendError {
  override readonly name: string = 'KeyGroupOutOfRangeError';
  readonly keyGroup: number;

  constructor(keyGroup: number, range: string, maxParallelism: number) {
    super(
      `The key belongs to key group ${keyGroup} (of ${maxParallelism}), outside this backend's ${range}. ` +
        'Route each key to the operator instance that owns its key group (see assignKeyToParallelOperator).',
    );
    this.keyGroup = keyGroup;
  }
}

/** A state name that no descriptor registered in this keyed backend. */
export class StateNotRegisteredError extends StateBackendError {
  override readonly name: string = 'StateNotRegisteredError';
  readonly stateName: string;

  constructor(stateName: string, registered: readonly string[]) {
    const known = registered.length === 0 ? 'none' : registered.map((n) => `'${n}'`).join(', ');
    super(
      `No state named '${stateName}' is registered (registered: ${known}). ` +
        'Register it first with registerState(descriptor) or ctx.getState(descriptor).',
    );
    this.stateName = stateName;
  }
}

/**
 * A serialized value larger than the store accepts (e.g. DynamoDB's 400 KB item limit). Nothing
 * is written.
 */
export class StateValueTooLargeError extends StateBackendError {
  override readonly name: string = 'StateValueTooLargeError';
  readonly stateName: string;
  readonly byteLength: number;
  readonly limit: number;

  constructor(stateName: string, byteLength: number, limit: number, store: string) {
    super(
      `State '${stateName}': a serialized value of ${byteLength} bytes exceeds the ${store} limit of ${limit} bytes. ` +
        'Split the value (e.g. use a MapState or ListState instead of one large value) or use a backend without this limit.',
    );
    this.stateName = stateName;
    this.byteLength = byteLength;
    this.limit = limit;
  }
}

/** A keyed-backend parameter out of range: job id, operator id, key serializer, key-group range. */
export class InvalidBackendParameterError extends StateBackendError {
  override readonly name: string = 'InvalidBackendParameterError';
  readonly parameter: string;

  constructor(parameter: string, received: string, expected: string) {
    super(`Invalid keyed backend parameter ${parameter}: received ${received}; expected ${expected}.`);
    this.parameter = parameter;
  }
}

/** A keyed backend used after `dispose()`. */
export class StateBackendDisposedError extends StateBackendError {
  override readonly name: string = 'StateBackendDisposedError';

  constructor(what: string) {
    super(`Cannot ${what}: the keyed state backend is disposed. Create a new one.`);
  }
}

// <errors:checkpoint>

/**
 * A checkpoint or savepoint file whose bytes are not what was written: truncated, a flipped
 * byte (checksum mismatch), or a structure that does not add up. Nothing of it is restored.
 */
export class CorruptCheckpointError extends StateBackendError {
  override readonly name: string = 'CorruptCheckpointError';
  /** The file, as the storage names it, e.g. `file:///ckpt/job/op/chk-7/_metadata.kg-0-127.e1`. */
  readonly file: string;
  /** What is wrong, e.g. `checksum of key group 12 is 0x1a2b3c4d, expected 0x...`. */
  readonly reason: string;

  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super(
      `Checkpoint file '${file}' is corrupt: ${reason}. Nothing was restored from it; restore an earlier ` +
        'checkpoint or a savepoint, and check the storage for truncated or modified files.',
      options,
    );
    this.file = file;
    this.reason = reason;
  }
}

/** A savepoint file that is truncated, modified or not a savepoint at all. */
export class CorruptSavepointError extends CorruptCheckpointError {
  override readonly name: string = 'CorruptSavepointError';
}

/** A checkpoint or savepoint written in a format version this release cannot read. */
export class UnsupportedCheckpointVersionError extends StateBackendError {
  override readonly name: string = 'UnsupportedCheckpointVersionError';
  readonly file: string;
  /** The version recorded in the file. */
  readonly version: number;
  /** The versions this release reads. */
  readonly supported: readonly number[];

  constructor(file: string, version: number, supported: readonly number[]) {
    super(
      `'${file}' has format version ${version}; this release of @statebackend/aws-base reads version ` +
        `${supported.join(', ')}. It was written by a newer release: upgrade @statebackend/aws-base to restore it.`,
    );
    this.file = file;
    this.version = version;
    this.supported = supported;
  }
}

/**
 * Compression this Node.js cannot do: zstd, which checkpoint data files are compressed with by
 * default, needs Node.js 22.15 or later. Upgrade Node.js, or write uncompressed files
 * (compression `none`); reading a compressed file needs zstd either way.
 */
export class CompressionUnavailableError extends StateBackendError {
  override readonly name: string = 'CompressionUnavailableError';

  constructor(what: string) {
    super(
      `Cannot ${what}: zstd needs Node.js 22.15 or later, and this is ${process.version}. Upgrade Node.js, ` +
        "or set the checkpoint compression to 'none' (files already compressed still need zstd to be read).",
    );
  }
}

/** A path given as a checkpoint or savepoint that is not one (no metadata, wrong magic bytes). */
export class NotACheckpointError extends StateBackendError {
  override readonly name: string = 'NotACheckpointError';
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(
      `'${path}' is not a checkpoint or savepoint: ${reason}. Pass a completed checkpoint (a 'chk-N' directory with its ` +
        'metadata file), a checkpoint location, or a savepoint file.',
      options,
    );
    this.path = path;
    this.reason = reason;
  }
}

/** No complete checkpoint matches what a restore asked for. */
export class CheckpointNotFoundError extends StateBackendError {
  override readonly name: string = 'CheckpointNotFoundError';
  readonly location: string;
  readonly reason: string;

  constructor(location: string, reason: string) {
    super(
      `No checkpoint to restore under '${location}': ${reason}. List the checkpoints with listCheckpoints() ` +
        'and pick one, or start without restoring.',
    );
    this.location = location;
    this.reason = reason;
  }
}

/**
 * A writer whose key-group range was claimed by a newer owner tried to commit a checkpoint. The
 * commit changed nothing. Stop this instance: another instance owns the state now.
 */
export class FencedError extends StateBackendError {
  override readonly name: string = 'FencedError';
  readonly location: string;
  /** The fenced writer's epoch and range, e.g. `epoch 3, key groups [0, 63]`. */
  readonly epoch: number;
  readonly keyGroupRange: string;
  /** The newer owner's epoch and range. */
  readonly newerEpoch: number;
  readonly newerKeyGroupRange: string;

  constructor(
    location: string,
    epoch: number,
    keyGroupRange: string,
    newerEpoch: number,
    newerRange: string,
  ) {
    super(
      `Writer epoch ${epoch} of ${keyGroupRange} under '${location}' was fenced by epoch ${newerEpoch} of ` +
        `${newerRange}, which restored these key groups since. Nothing was committed; stop this instance, ` +
        'since another one owns the state now.',
    );
    this.location = location;
    this.epoch = epoch;
    this.keyGroupRange = keyGroupRange;
    this.newerEpoch = newerEpoch;
    this.newerKeyGroupRange = newerRange;
  }
}

/** A commit for a checkpoint id and key-group range that already has a committed checkpoint. */
export class CheckpointAlreadyExistsError extends StateBackendError {
  override readonly name: string = 'CheckpointAlreadyExistsError';
  readonly location: string;
  readonly checkpointId: number;

  constructor(location: string, checkpointId: number, detail: string) {
    super(
      `Checkpoint ${checkpointId} under '${location}' is already committed (${detail}); nothing was ` +
        'overwritten. Use checkpoint ids above the latest completed one.',
    );
    this.location = location;
    this.checkpointId = checkpointId;
  }
}

/**
 * A checkpoint changed while it was being restored or read: a commit record or data file listed
 * a moment ago is gone (another owner's retention removed it, or a commit that never counted was
 * withdrawn). The listing was stale; nothing is wrong with the bytes. Retryable: list again and
 * restore what is there now.
 */
export class CheckpointChangedError extends StateBackendError {
  override readonly name: string = 'CheckpointChangedError';
  override readonly isRetryable: boolean = true;
  readonly location: string;
  readonly checkpointId: number;

  constructor(location: string, checkpointId: number, detail: string, options?: { cause?: unknown }) {
    super(
      `Checkpoint ${checkpointId} under '${location}' changed while it was read: ${detail}. The listing ` +
        'was stale, not the checkpoint corrupt; restore again to read what is there now.',
      options,
    );
    this.location = location;
    this.checkpointId = checkpointId;
  }
}

/**
 * `snapshot(checkpointId)` with an id at or below a checkpoint already committed for the
 * backend's key groups. Nothing was written: ids only go up, so that no newer state is shadowed
 * by an older id and no retained checkpoint is pushed out by a stale one.
 */
export class CheckpointIdTooLowError extends StateBackendError {
  override readonly name: string = 'CheckpointIdTooLowError';
  readonly checkpointId: number;
  /** The newest checkpoint id committed for any key group of the range. */
  readonly latestCheckpointId: number;

  constructor(location: string, checkpointId: number, latestCheckpointId: number) {
    super(
      `Checkpoint id ${checkpointId} is not above ${latestCheckpointId}, the newest checkpoint committed for ` +
        `these key groups under '${location}'. Nothing was written; use an id above ${latestCheckpointId}.`,
    );
    this.checkpointId = checkpointId;
    this.latestCheckpointId = latestCheckpointId;
  }
}

/** Reading, writing, listing or deleting in checkpoint storage failed. */
export class CheckpointStorageError extends StateBackendError {
  override readonly name: string = 'CheckpointStorageError';
  override readonly isRetryable: boolean;
  /** What was attempted, e.g. `write`, `rename`, `list`. */
  readonly operation: string;
  readonly path: string;
  /** True when the file does not exist. */
  readonly notFound: boolean;

  constructor(
    operation: string,
    path: string,
    options?: { cause?: unknown; retryable?: boolean; notFound?: boolean },
  ) {
    const cause = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    const retryable = options?.retryable ?? false;
    super(
      `Checkpoint storage could not ${operation} '${path}'${cause}. ` +
        (retryable ? 'It may succeed when retried.' : 'Check the path, its permissions and free space.'),
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.operation = operation;
    this.path = path;
    this.isRetryable = retryable;
    this.notFound = options?.notFound ?? false;
  }
}

/**
 * A state restored from a checkpoint or savepoint does not fit the state registered now:
 * another kind (a list restored as a value) or TTL switched on or off.
 */
export class StateMigrationError extends StateBackendError {
  override readonly name: string = 'StateMigrationError';
  readonly stateName: string;
  /** What was stored, e.g. `list state` or `TTL enabled`. */
  readonly stored: string;
  /** What is registered now. */
  readonly current: string;

  constructor(stateName: string, stored: string, current: string) {
    super(
      `State '${stateName}' was checkpointed as ${stored} but is registered now as ${current}. Register it ` +
        `as ${stored} again, or under a new name to start it empty.`,
    );
    this.stateName = stateName;
    this.stored = stored;
    this.current = current;
  }
}

/** A snapshot whose checkpoint was aborted, or whose backend closed, before it completed. */
export class SnapshotAbortedError extends StateBackendError {
  override readonly name: string = 'SnapshotAbortedError';
  readonly checkpointId: number;

  constructor(checkpointId: number, reason: string) {
    super(`Checkpoint ${checkpointId} was not completed: ${reason}. Its files were removed.`);
    this.checkpointId = checkpointId;
  }
}

// <errors:metrics>

/**
 * A metric or reporter was given a setting out of range: `significantDigits` of an
 * `HdrHistogram`, `timeSpanSeconds` of a `MeterView`, a reporter's `intervalMs`. A
 * programming error, raised where the metric or reporter is made: not retryable.
 */
export class MetricSettingError extends StateBackendError {
  override readonly name: string = 'MetricSettingError';
  /** What was set, e.g. `HdrHistogram option significantDigits`. */
  readonly setting: string;
  /** The value given, as text. */
  readonly received: string;

  constructor(setting: string, received: string, expected: string) {
    super(`Invalid ${setting}: received ${received}; ${expected}.`);
    this.setting = setting;
    this.received = received;
  }
}

// <errors:driver>

/** A processor driver option out of range, or a driver used out of order (e.g. `run` before `start`). */
export class ProcessorDriverError extends StateBackendError {
  override readonly name: string = 'ProcessorDriverError';
}

/**
 * The user's function failed on a record or a timer. The driver stopped without a checkpoint, so
 * a restart resumes from the last complete checkpoint and processes the record again.
 */
export class RecordProcessingError extends StateBackendError {
  override readonly name: string = 'RecordProcessingError';
  /** The record's offset since the start of the stream (records before it, across restarts). */
  readonly offset: number | undefined;

  constructor(what: string, offset: number | undefined, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      `Processing ${what} failed: ${detail}. The driver stopped without a checkpoint; a restart resumes from ` +
        'the last complete checkpoint and processes it again.',
      { cause },
    );
    this.offset = offset;
  }
}
