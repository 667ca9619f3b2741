import { TestTargetError } from '../errors.js';

/** Where a test run sends its AWS calls, chosen with the `AWS_TEST_TARGET` environment variable. */
export type TargetKind = 'local' | 'localstack' | 'aws';

/** The environment variable that chooses the {@link TargetKind}. */
export const AWS_TEST_TARGET_ENV = 'AWS_TEST_TARGET';

const KINDS: readonly TargetKind[] = ['local', 'localstack', 'aws'];

/**
 * The target kind the environment asks for: `local` (moto server and ministack, the
 * default), `localstack` (LocalStack in Docker) or `aws` (a real account).
 *
 * @throws TestTargetError when the variable holds anything else.
 */
export function targetKindFromEnv(env: NodeJS.ProcessEnv = process.env): TargetKind {
  const raw = env[AWS_TEST_TARGET_ENV]?.trim() ?? '';
  if (raw === '') return 'local';
  const kind = KINDS.find((k) => k === raw.toLowerCase());
  if (kind === undefined) {
    throw new TestTargetError(
      `${AWS_TEST_TARGET_ENV} is '${raw}'; expected one of ${KINDS.join(', ')} (unset means local).`,
    );
  }
  return kind;
}
