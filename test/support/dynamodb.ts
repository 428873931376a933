// A fresh migrate-state table per test file on the run's shared DynamoDB Local, so files
// running in parallel never see each other's items.
import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient, dynamoDbClient, ensureTable } from '../../local/dynamodb-local';
import { ENDPOINT_ENV } from './global-setup';

export interface FreshTable {
  tableName: string;
  client: DynamoDBDocumentClient;
  /** Closes the client's sockets (the table goes with the in-memory database). */
  close(): void;
}

export async function freshTable(): Promise<FreshTable> {
  const endpoint = process.env[ENDPOINT_ENV];
  if (endpoint === undefined) {
    throw new Error(`${ENDPOINT_ENV} is not set: run through jest, whose global setup starts DynamoDB Local`);
  }
  const tableName = `svm-migrate-${process.pid}-${randomBytes(4).toString('hex')}`;
  const admin = dynamoDbClient(endpoint);
  try {
    await ensureTable(admin, tableName);
  } finally {
    admin.destroy();
  }
  const client = documentClient(endpoint);
  return { tableName, client, close: () => client.destroy() };
}
