import {
  DeleteTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';

/**
 * Deletes a DynamoDB table and waits until it is gone (immediate on emulators, up to
 * `maxWaitSeconds` on AWS). A table that does not exist is not an error.
 */
export async function deleteTableIfExists(
  client: DynamoDBClient,
  tableName: string,
  maxWaitSeconds = 120,
): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return;
    throw error;
  }
  await waitUntilTableNotExists(
    { client, maxWaitTime: maxWaitSeconds, minDelay: 1, maxDelay: 5 },
    { TableName: tableName },
  );
}
