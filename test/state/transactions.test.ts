// DynamoDB Local runs transactions one at a time, so it never cancels one for a conflict;
// the real service does, and these cases pin how transactWrite answers each cancellation.
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { TransientError } from '../../lambdas/errors';
import { type TransactItem, transactWrite } from '../../lambdas/state/transactions';

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({
      Code,
      ...(Code === 'ConditionalCheckFailed' && { Item: { owner: { S: 'exec-1' } } }),
    })),
  });

describe('transactWrite', () => {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'local' }));
  const mock = mockClient(client);
  const items: TransactItem[] = [
    { ConditionCheck: { TableName: 't', Key: { pk: 'a', sk: 'b' }, ConditionExpression: 'x' } },
  ];

  beforeEach(() => mock.reset());
  afterAll(() => mock.restore());

  it('retries a transaction cancelled for a conflict, then commits', async () => {
    // Prepare
    mock
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('TransactionConflict', 'None'))
      .rejectsOnce(cancelled('None', 'TransactionConflict'))
      .resolves({});

    // Act
    const refused = await transactWrite(client, items);

    // Assess
    expect(refused).toBeUndefined();
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it('returns the refused conditions with the items they saw, without retrying', async () => {
    // Prepare
    mock.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'TransactionConflict'));

    // Act
    const refused = await transactWrite(client, items);

    // Assess
    expect(refused).toEqual([
      { conditionFailed: true, old: { owner: { S: 'exec-1' } } },
      { conditionFailed: false, old: undefined },
    ]);
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('gives up on a conflict that does not clear with a retryable TransientError', async () => {
    // Prepare
    mock.on(TransactWriteCommand).rejects(cancelled('TransactionConflict'));

    // Act
    const write = transactWrite(client, items, { maxAttempts: 3, baseBackoffMs: 1 });

    // Assess
    await expect(write).rejects.toThrow(TransientError);
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });
});
