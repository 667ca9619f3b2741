/** An AWS service a test target can answer for. */
export type AwsService = 's3' | 'dynamodb' | 'cloudwatch';

/** Every service the testkit knows; LocalStack and a real account offer all of them. */
export const ALL_SERVICES: readonly AwsService[] = ['s3', 'dynamodb', 'cloudwatch'];

/** The name of one place a suite can run against. */
export type TargetName = 'moto' | 'ministack' | 'localstack' | 'aws';

/**
 * What the jest global setup tells the test workers about one running target. Plain data, so it
 * travels through an environment variable.
 */
export interface TargetDescription {
  readonly name: TargetName;
  readonly services: readonly AwsService[];
  /** The HTTP endpoint of an emulator; absent for a real account, where the SDK picks it. */
  readonly endpoint?: string;
  readonly region: string;
}
