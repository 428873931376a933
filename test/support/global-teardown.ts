// Jest global teardown: stops the DynamoDB Local that global-setup.ts started, if it did.
import type { DynamoDbLocal } from '../../local/dynamodb-local';
import { ENDPOINT_ENV, RUNNING_KEY } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const running = globalThis as Record<symbol, DynamoDbLocal | undefined>;
  const dynamoDb = running[RUNNING_KEY];
  if (dynamoDb === undefined) return;
  await dynamoDb.stop();
  delete running[RUNNING_KEY];
  delete process.env[ENDPOINT_ENV];
}
