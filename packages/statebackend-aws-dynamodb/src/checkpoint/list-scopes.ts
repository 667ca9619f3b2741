import { type DynamoDBClient, paginateScan, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { scopeOfMetaPartitionKey } from '../layout/item-key.js';
import { claimsKey } from './claims.js';

/** Which table {@link listScopes} reads. */
export interface ScopeListingLocation {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/**
 * The scopes (`jobId/operatorId`) that keep state in a table: those with a claims item in their
 * meta partition, which every writer makes before it writes or commits anything, sorted. A table
 * that does not exist holds none. Meant for tools (the command line asks it before importing a
 * savepoint), not for a job's hot path: it is one Scan that returns only keys, but DynamoDB reads
 * (and bills) every item of the table to filter them.
 *
 * @example
 * ```ts
 * const scopes = await listScopes({ client, tableName: 'stream-state' }); // e.g. ['clicks/count']
 * ```
 */
export async function listScopes(location: ScopeListingLocation): Promise<string[]> {
  const claimsSortKey = claimsKey(new Uint8Array(0)).sk;
  const scopes = new Set<string>();
  try {
    const pages = paginateScan(
      { client: location.client },
      {
        TableName: location.tableName,
        ProjectionExpression: 'pk',
        FilterExpression: 'sk = :claims',
        ExpressionAttributeValues: { ':claims': claimsSortKey },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const pk = item.pk?.B;
        const scope = pk === undefined ? undefined : scopeOfMetaPartitionKey(pk);
        if (scope !== undefined) scopes.add(scope);
      }
    }
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return [];
    throw error;
  }
  return [...scopes].sort();
}
