// The migrate-state table: the settings DESIGN.md asks of it, and the same key schema the
// local runner creates (lambdas/state/table-schema.ts).
import { Match, Template } from 'aws-cdk-lib/assertions';
import { GSI1, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../../lambdas/state/table-schema';
import { buildStack } from '../../local/definition';

describe('migrate-state table', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(buildStack().stack);
  });

  it('is on demand, with point-in-time recovery, TTL on expiresAt, and the shared key schema and gsi1', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      KeySchema: [
        { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: SORT_KEY, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: GSI1.indexName,
          KeySchema: [
            { AttributeName: GSI1.partitionKey, KeyType: 'HASH' },
            { AttributeName: GSI1.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  it("is encrypted with the stack's customer-managed key, which rotates", () => {
    // The stack has other keys (the alarm topic's): this is the one the table names.
    const [table] = Object.values(template.findResources('AWS::DynamoDB::Table'));
    expect(table.Properties.SSESpecification).toMatchObject({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
    });
    const [keyId] = table.Properties.SSESpecification.KMSMasterKeyId['Fn::GetAtt'] as [string, string];
    expect(
      Object.keys(template.findResources('AWS::KMS::Key', { Properties: { EnableKeyRotation: true } })),
    ).toContain(keyId);
  });

  it('and its key are retained when the stack is deleted', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('is named to the tasks through TABLE_NAME', () => {
    const [tableId] = Object.keys(template.findResources('AWS::DynamoDB::Table'));
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TABLE_NAME: { Ref: tableId } }) },
    });
  });
});
