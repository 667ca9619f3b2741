import { LocationInUseError } from '../errors.js';
import type { JobScope } from '../target/location.js';
import { committedIds, type OpenedLocation } from './location-options.js';

/**
 * Refuses, with a {@link LocationInUseError}, to import a savepoint into a location that holds
 * checkpoints or state already: of the job `scope` (the import would become its newest
 * checkpoint), or of another job beside it (most likely a mistyped `--job` or location). The
 * same for a directory, S3 and DynamoDB.
 */
export async function refuseLocationInUse(
  opened: OpenedLocation,
  scope: JobScope,
  location: string,
): Promise<void> {
  const own = `${scope.jobId}/${scope.operatorId}`;
  const jobs = opened.kind === 'dynamodb' ? await opened.table.jobsHere() : await opened.storage.jobsHere();
  if (jobs.length === 0) return;
  const ownIds = jobs.some((job) => job.name === own && job.checkpointed) ? await committedIds(opened) : [];
  // The import keeps history everywhere (DynamoDB included): it deletes nothing it did not write.
  const force = 'nothing there is deleted';
  if (ownIds.length > 0) {
    throw new LocationInUseError(
      location,
      `checkpoint${ownIds.length === 1 ? '' : 's'} ${ownIds.join(', ')} of this job`,
      force,
    );
  }
  const checkpointed = jobs.filter((job) => job.checkpointed).map((job) => job.name);
  const claimed = jobs.filter((job) => !job.checkpointed).map((job) => job.name);
  const holds = [
    ...(checkpointed.length === 0 ? [] : [`checkpoints of job ${checkpointed.join(', ')}`]),
    ...(claimed.length === 0 ? [] : [`state of job ${claimed.join(', ')} (no checkpoint completed)`]),
  ];
  throw new LocationInUseError(location, holds.join(' and '), force);
}
