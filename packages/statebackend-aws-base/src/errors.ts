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
    super(ConfigurationError.describe(issues), options);
    this.issues = issues;
  }

  /** The keys of every problem, in the order found. */
  get keys(): string[] {
    return this.issues.map((issue) => issue.key);
  }

  private static describe(issues: readonly ConfigurationIssue[]): string {
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

// <errors:checkpoint>

// <errors:metrics>
