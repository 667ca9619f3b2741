import { ConfigOptions } from '../config/config-option.js';

/** Configuration options every state backend reads. */
export const StateBackendOptions = Object.freeze({
  /**
   * Which state backend to create: `heap` (built in, the default), or the type a backend package
   * registers (`dynamodb`, `s3`). Case-insensitive.
   */
  TYPE: ConfigOptions.key('state.backend.type')
    .stringType()
    .defaultValue('heap')
    .withDescription(
      'The state backend to create: heap (default), or a registered type such as dynamodb or s3.',
    ),
});
