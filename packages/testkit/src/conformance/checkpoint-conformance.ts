import { checkpointRestoreCases } from './checkpoint.cases.js';
import type { CheckpointConformanceOptions } from './checkpoint-conformance-options.js';
import type { ConformanceCaseGroup } from './conformance-options.js';
import { crashCases } from './crash.cases.js';
import { deltaCases } from './delta.cases.js';
import { rescalingCases } from './rescaling.cases.js';
import { savepointCases } from './savepoint.cases.js';

/**
 * The checkpoint case groups every checkpointing backend runs: round trips of every state kind,
 * namespaces and TTL; snapshot isolation; retention; aborts; fencing; rescaling 2→1, 1→3, 4→2
 * and 2→3; a crash at every storage step of a checkpoint and of a restore; savepoints across
 * backends; with `incremental`, chains of small incremental checkpoints (removals, older
 * checkpoints, rescaling, a crash at every step). Pass them as `extraCases` of `describeKeyedStateBackendConformance`.
 *
 * @example
 * ```ts
 * describeKeyedStateBackendConformance('heap with local checkpoints', {
 *   create: (parameters) => new CheckpointingHeapBackendBuilder(parameters).build(),
 *   extraCases: checkpointConformanceCases({
 *     storage: ({ jobId, operatorId }) => new LocalCheckpointStorage({ directory, jobId, operatorId }),
 *     create: (parameters, { storage, restoreFrom, incremental }) =>
 *       new CheckpointingHeapBackendBuilder(parameters, { checkpointStorage: storage, restoreFrom, incremental }).build(),
 *     incremental: true,
 *   }),
 * });
 * ```
 */
export function checkpointConformanceCases(
  options: CheckpointConformanceOptions,
): readonly ConformanceCaseGroup[] {
  return [
    checkpointRestoreCases(options),
    rescalingCases(options),
    crashCases(options),
    savepointCases(options),
    ...(options.incremental === true ? [deltaCases(options)] : []),
  ];
}
