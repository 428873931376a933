// Jest global setup: one in-memory DynamoDB Local for the whole run (a JVM start costs
// seconds; each test file then makes its own table). Workers read the endpoint from the env.
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local';

export const ENDPOINT_ENV = 'DYNAMODB_ENDPOINT';

/** Shared with global-teardown.ts, which jest runs in this same process. */
export const RUNNING_KEY = Symbol.for('svm-migrate.dynamodb-local');

export default async function globalSetup(): Promise<void> {
  // An endpoint given from outside (a DynamoDB Local already running) is used as is.
  if (process.env[ENDPOINT_ENV] !== undefined) return;
  const dynamoDb = await startDynamoDbLocal();
  (globalThis as Record<symbol, DynamoDbLocal>)[RUNNING_KEY] = dynamoDb;
  process.env[ENDPOINT_ENV] = dynamoDb.endpoint;
}
