import { StateBackendError } from '@statebackend/aws-base';

/** Base of every error the testkit throws; a failure of the test harness, not of the code under test. */
export class TestkitError extends StateBackendError {
  override readonly name: string = 'TestkitError';
}

/** An emulator is not installed where the testkit looks for it. */
export class EmulatorNotInstalledError extends TestkitError {
  override readonly name: string = 'EmulatorNotInstalledError';
}

/** An emulator process exited, or did not answer HTTP, before it was ready. */
export class EmulatorStartError extends TestkitError {
  override readonly name: string = 'EmulatorStartError';
  /** The emulator that failed, e.g. `moto`. */
  readonly emulator: string;
  /** The last lines the process wrote to stderr and stdout, oldest first. */
  readonly outputTail: readonly string[];

  constructor(
    emulator: string,
    message: string,
    outputTail: readonly string[],
    options?: { cause?: unknown },
  ) {
    const tail = outputTail.length === 0 ? '' : `\nLast output of ${emulator}:\n  ${outputTail.join('\n  ')}`;
    super(`${message}${tail}`, options);
    this.emulator = emulator;
    this.outputTail = outputTail;
  }
}

/** `AWS_TEST_TARGET=localstack` was asked for, but no Docker engine answers. */
export class DockerUnavailableError extends TestkitError {
  override readonly name: string = 'DockerUnavailableError';
}

/** LocalStack did not start within its bound. */
export class LocalStackStartError extends TestkitError {
  override readonly name: string = 'LocalStackStartError';
}

/** The test targets are not known in this process, or none offers what a suite needs. */
export class TestTargetError extends TestkitError {
  override readonly name: string = 'TestTargetError';
}

/** One or more cleanup actions failed; every action was still attempted. */
export class CleanupError extends TestkitError {
  override readonly name: string = 'CleanupError';
  /** What failed, one entry per failed action, in the order they ran. */
  readonly failures: readonly { readonly description: string; readonly error: unknown }[];

  constructor(failures: readonly { readonly description: string; readonly error: unknown }[]) {
    const lines = failures.map(
      (f) => `- ${f.description}: ${f.error instanceof Error ? f.error.message : String(f.error)}`,
    );
    super(`${failures.length} cleanup action(s) failed:\n${lines.join('\n')}`, { cause: failures[0]?.error });
    this.failures = failures;
  }
}
