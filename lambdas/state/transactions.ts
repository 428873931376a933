// TransactWriteItems with the two things every caller needs: retry when DynamoDB cancels a
// transaction because another one touched the same item (TransactionConflict), and the old
// item of each refused condition, so callers can say who holds what.
import { type AttributeValue, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../errors';

/** DynamoDB's cap on the items of one transaction. */
export const TRANSACTION_ITEM_LIMIT = 100;

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** An item as the service returns it in an error (errors are not unmarshalled by lib-dynamodb). */
export type RawItem = Record<string, AttributeValue>;

/** One entry per transaction item, in order: whether its condition failed and the item it saw. */
export interface ItemOutcome {
  conditionFailed: boolean;
  old?: RawItem;
}

export interface ConflictRetry {
  maxAttempts: number;
  /** The backoff cap doubles from here with each attempt (full jitter below the cap). */
  baseBackoffMs: number;
}

const CONFLICT_RETRY: ConflictRetry = { maxAttempts: 8, baseBackoffMs: 10 };

/** Runs the transaction; resolves undefined when it committed, the outcomes when a condition refused it. */
export async function transactWrite(
  client: DynamoDBDocumentClient,
  items: TransactItem[],
  retry: ConflictRetry = CONFLICT_RETRY,
): Promise<ItemOutcome[] | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return undefined;
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      const reasons = err.CancellationReasons ?? [];
      if (reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) {
        return reasons.map((reason) => ({
          conditionFailed: reason.Code === 'ConditionalCheckFailed',
          old: reason.Item,
        }));
      }
      const conflicting = reasons.some((reason) => reason.Code === 'TransactionConflict');
      if (!conflicting) throw err;
      if (attempt >= retry.maxAttempts) {
        throw new TransientError(`transaction still conflicting after ${attempt} attempts`, { cause: err });
      }
      // Full jitter, so racing writers do not collide again in lockstep.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * retry.baseBackoffMs * 2 ** attempt));
    }
  }
}

export function rawString(item: RawItem | undefined, name: string): string | undefined {
  return item?.[name]?.S;
}

export function rawNumber(item: RawItem | undefined, name: string): number | undefined {
  const value = item?.[name]?.N;
  return value === undefined ? undefined : Number(value);
}

export function rawBoolean(item: RawItem | undefined, name: string): boolean | undefined {
  return item?.[name]?.BOOL;
}

export function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
