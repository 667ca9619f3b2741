import { Configuration } from '@statebackend/aws-base';
import { CliError } from '../errors.js';

/** How a command reaches AWS (or LocalStack, or an emulator): `--region`, `--endpoint`, `--config`. */
export interface AwsSettings {
  readonly region?: string;
  /** e.g. `http://localhost:4566` for LocalStack. */
  readonly endpoint?: string;
  /** A YAML file of `aws.*` and `state.backend.*` keys. */
  readonly configFile?: string;
}

/**
 * The configuration for AWS clients: the YAML file, then `STATEBACKEND_*` variables, then the
 * flags, each overriding the one before; the region falls back to `AWS_REGION`.
 */
export function awsConfiguration(
  settings: AwsSettings,
  env: Readonly<Record<string, string | undefined>>,
): Configuration {
  let configuration = new Configuration();
  if (settings.configFile !== undefined) {
    try {
      configuration = Configuration.fromYamlFile(settings.configFile);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CliError(`Cannot read --config ${settings.configFile}: ${reason}`, { cause: error });
    }
  }
  configuration = configuration.merge(Configuration.fromEnv(env));
  if (settings.region !== undefined) configuration.setString('aws.region', settings.region);
  if (settings.endpoint !== undefined) configuration.setString('aws.endpoint', settings.endpoint);
  const fallbackRegion = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!configuration.contains('aws.region') && fallbackRegion !== undefined && fallbackRegion !== '') {
    configuration.setString('aws.region', fallbackRegion);
  }
  return configuration;
}

/** Only the `aws.*` keys: AWS clients validate these and reject keys they do not know. */
export function awsKeysOnly(configuration: Configuration): Configuration {
  return new Configuration([...configuration.toMap()].filter(([key]) => key.startsWith('aws.')));
}
