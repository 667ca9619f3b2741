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

// <errors:serialization>

// <errors:state>

// <errors:checkpoint>

// <errors:metrics>
