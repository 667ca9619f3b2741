import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnyConfigOption, ConfigOptions } from '../../config/config-option.js';
import type { Configuration } from '../../config/configuration.js';
import type { ConfigurationRule } from '../../config/validation.js';

const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** Whether `value` names a local directory: an absolute path or a `file://` URL. */
function isLocalDirectory(value: string): boolean {
  if (!URL_SCHEME.test(value)) return isAbsolute(value);
  if (!value.toLowerCase().startsWith('file://')) return false;
  try {
    return isAbsolute(fileURLToPath(value));
  } catch {
    return false;
  }
}

/**
 * The checkpoint options of the heap backend, in Flink's names. They are validated with the rest
 * of the backend's configuration before any directory is created or read.
 */
export const CheckpointConfigOptions = Object.freeze({
  /**
   * The local directory checkpoints go to (an absolute path or a `file://` URL). Without it the
   * heap backend takes no checkpoints. `s3://` locations are the S3 backend's
   * (`state.backend.type: s3`).
   */
  DIR: ConfigOptions.key('state.checkpoints.dir')
    .stringType()
    .check(
      isLocalDirectory,
      'a local directory: an absolute path or a file:// URL (for s3:// use state.backend.type: s3 from @statebackend/aws-s3)',
    )
    .noDefaultValue()
    .withDescription('The local directory checkpoints are written to; none are taken without it.'),
  /**
   * Complete checkpoints kept per key group. Default 1, as Flink: a restore reads the latest
   * complete checkpoint, and checkpoints newer than the last confirmed one are kept anyway, so an
   * aborted checkpoint never pushes out the one a restore needs. Raise it to roll back further.
   */
  NUM_RETAINED: ConfigOptions.key('state.checkpoints.num-retained')
    .intType()
    .min(1)
    .defaultValue(1)
    .withDescription('Complete checkpoints kept per key group (default 1).'),
  /**
   * Incremental checkpoints: write only what changed since the last checkpoint and reference
   * the rest. Default false (full checkpoints), as Flink.
   */
  INCREMENTAL: ConfigOptions.key('state.backend.incremental')
    .booleanType()
    .defaultValue(false)
    .withDescription('Write only what changed since the last checkpoint (default false: full checkpoints).'),
});

/** Where and how a heap backend checkpoints, as configured. */
export interface LocalCheckpointSettings {
  /** Absolute path of the checkpoint directory. */
  readonly directory: string;
  /** Complete checkpoints kept per key group. */
  readonly retainedCheckpoints: number;
  readonly incremental: boolean;
}

/** Every checkpoint option: what the heap backend's factory validates. */
export function checkpointConfigOptions(): readonly AnyConfigOption[] {
  return [
    CheckpointConfigOptions.DIR,
    CheckpointConfigOptions.NUM_RETAINED,
    CheckpointConfigOptions.INCREMENTAL,
  ];
}

/** The options that only mean something with a directory must not be set without one. */
export const CHECKPOINT_CONFIGURATION_RULES: readonly ConfigurationRule[] = [
  (context) => {
    if (context.isSet(CheckpointConfigOptions.DIR)) return;
    for (const option of [CheckpointConfigOptions.NUM_RETAINED, CheckpointConfigOptions.INCREMENTAL]) {
      if (context.isSet(option)) {
        context.report({
          key: option.key,
          expected: `${CheckpointConfigOptions.DIR.key} to be set too (without it no checkpoints are taken)`,
        });
      }
    }
  },
];

/** The checkpoint settings of a validated configuration; undefined without a directory. */
export function localCheckpointSettingsFrom(
  configuration: Configuration,
): LocalCheckpointSettings | undefined {
  const dir = configuration.getOptional(CheckpointConfigOptions.DIR);
  if (dir === undefined) return undefined;
  return {
    directory: URL_SCHEME.test(dir) ? fileURLToPath(dir) : dir,
    retainedCheckpoints: configuration.get(CheckpointConfigOptions.NUM_RETAINED),
    incremental: configuration.get(CheckpointConfigOptions.INCREMENTAL),
  };
}
