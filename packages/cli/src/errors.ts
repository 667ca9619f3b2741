/**
 * Errors of the `statebackend` command. Each is shown as one line on stderr, and the command
 * exits with {@link CliError.exitCode}.
 */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  /** The process exit code: 1 for a failure, 2 for a usage error. */
  readonly exitCode: number = 1;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The command line was wrong: unknown command or option, missing or malformed argument. */
export class UsageError extends CliError {
  override readonly name: string = 'UsageError';
  override readonly exitCode: number = 2;
  /** The command whose `--help` explains the usage, e.g. `checkpoints list`. */
  readonly command: string;

  constructor(message: string, command: string) {
    super(`${message} (see 'statebackend ${command === '' ? '' : `${command} `}--help')`);
    this.command = command;
  }
}

/**
 * A location the command cannot read: unknown scheme, a malformed one (`s3:/bucket`), a backend
 * that has no checkpoints there. A usage error: exit code 2.
 */
export class UnsupportedLocationError extends CliError {
  override readonly name: string = 'UnsupportedLocationError';
  override readonly exitCode: number = 2;
  readonly location: string;

  constructor(location: string, reason: string) {
    super(`Cannot use location '${location}': ${reason}.`);
    this.location = location;
  }
}

/** A package the chosen backend or reporter needs is not installed. */
export class MissingPackageError extends CliError {
  override readonly name: string = 'MissingPackageError';
  readonly packageName: string;

  constructor(packageName: string, purpose: string, cause: unknown) {
    super(`${purpose} needs the package '${packageName}': install it (npm install ${packageName}).`, {
      cause,
    });
    this.packageName = packageName;
  }
}

/** The location has no such directory, job or operator: nothing to read there. */
export class NothingAtLocationError extends CliError {
  override readonly name: string = 'NothingAtLocationError';
  readonly location: string;

  constructor(location: string, what: string) {
    super(`Nothing to read at ${location}: ${what}.`);
    this.location = location;
  }
}

/**
 * `savepoint import` without `--force` into a location that holds checkpoints or state already:
 * of this job, or of another job beside it (a mistyped `--job` or location, most likely).
 */
export class LocationInUseError extends CliError {
  override readonly name: string = 'LocationInUseError';
  readonly location: string;

  /** `holds` says what is there; `force` what `--force` does there. */
  constructor(location: string, holds: string, force: string) {
    super(
      `Refusing to import into ${location}: it holds ${holds}. Importing makes the savepoint the newest ` +
        `checkpoint there, so the job would resume from it. Pick an empty location, or add --force (${force}).`,
    );
    this.location = location;
  }
}
