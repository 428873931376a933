// Reads shared by the store's parts: one migration's items of one kind, and list cursors.
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../errors';
import { ExpressionBuilder } from './expression-builder';
import { migrationKey } from './keys';

/** The table a store part reads and writes. */
export interface Table {
  client: DynamoDBDocumentClient;
  name: string;
}

/** Every item of the migration's partition whose sort key starts with `prefix`, in key order. */
export async function queryPartition(
  table: Table,
  id: string,
  prefix: string,
  limit?: number,
  startAfter?: Record<string, unknown>,
): Promise<Record<string, unknown>[]> {
  const key = new ExpressionBuilder();
  const input: QueryCommandInput = {
    TableName: table.name,
    ...key.keyParams(
      `${key.path('pk')} = ${key.value(migrationKey(id).pk)} AND begins_with(${key.path('sk')}, ${key.value(prefix)})`,
    ),
    ConsistentRead: true,
  };
  const items: Record<string, unknown>[] = [];
  let exclusiveStartKey = startAfter;
  do {
    const out = await table.client.send(
      new QueryCommand({
        ...input,
        ExclusiveStartKey: exclusiveStartKey,
        ...(limit !== undefined && { Limit: limit - items.length }),
      }),
    );
    items.push(...(out.Items ?? []));
    exclusiveStartKey = out.LastEvaluatedKey;
  } while (exclusiveStartKey !== undefined && (limit === undefined || items.length < limit));
  return items;
}

export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ValidationError('the cursor is not one list() returned', { field: 'cursor', cause: err });
  }
}
