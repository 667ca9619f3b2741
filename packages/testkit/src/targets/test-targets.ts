import { Configuration } from '@statebackend/aws-base';
import { decodeTargets } from './target-env.js';
import type { AwsService, TargetDescription } from './test-target.js';

/** One place a suite runs against, as the test workers see it. */
export interface TestTarget extends TargetDescription {
  /**
   * True where S3 must be addressed path-style (`http://host:port/bucket/key`): the emulators
   * serve on an IP address and port, where virtual-hosted bucket names cannot resolve.
   */
  readonly s3ForcePathStyle: boolean;
  /** True when this target answers for `service`. */
  offers(service: AwsService): boolean;
  /**
   * An aws-base {@link Configuration} addressing this target: region, endpoint and the dummy
   * keys `test`/`test` for an emulator; region and the SDK's default credentials chain for a
   * real account. `overrides` are laid over it.
   *
   * @example
   * const clients = new AwsClientManager(target.configuration(), { userAgentSuffix: 'my-test' });
   * const dynamo = clients.getOrCreate(DynamoDBClient);
   */
  configuration(overrides?: Readonly<Record<string, string>>): Configuration;
}

/** The settings {@link TestTarget.configuration} starts from, before any overrides. */
export function targetSettings(target: TargetDescription): Record<string, string> {
  if (target.endpoint === undefined) {
    return { 'aws.region': target.region, 'aws.credentials.provider': 'DEFAULT' };
  }
  return {
    'aws.region': target.region,
    'aws.endpoint': target.endpoint,
    'aws.credentials.provider': 'BASIC',
    'aws.credentials.provider.basic.accesskeyid': 'test',
    'aws.credentials.provider.basic.secretkey': 'test',
  };
}

/** Adds the behaviour of a {@link TestTarget} to a plain description. */
export function toTestTarget(description: TargetDescription): TestTarget {
  return {
    ...description,
    s3ForcePathStyle: description.endpoint !== undefined,
    offers: (service) => description.services.includes(service),
    configuration: (overrides = {}) =>
      Configuration.fromObject({ ...targetSettings(description), ...overrides }),
  };
}

/**
 * The targets the jest global setup started for this run: under `AWS_TEST_TARGET=local`, moto
 * server and ministack (those the package's jest config asked for); under `localstack`,
 * LocalStack; under `aws`, the real account.
 *
 * @throws TestTargetError when this process was not started under the testkit's global setup.
 */
export function testTargets(env: NodeJS.ProcessEnv = process.env): TestTarget[] {
  return decodeTargets(env).map(toTestTarget);
}

/** The targets of {@link testTargets} that answer for `service`. */
export function targetsOffering(service: AwsService, env: NodeJS.ProcessEnv = process.env): TestTarget[] {
  return testTargets(env).filter((target) => target.offers(service));
}
