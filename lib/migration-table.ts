// The migrate-state table (migration, volume, event and lock items) and the customer-managed
// key that encrypts it. Its key schema comes from lambdas/state/table-schema.ts, which the
// local runner uses too, so the deployed table and the local one are the same.
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GSI1, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../lambdas/state/table-schema';

export class MigrationTable extends Construct {
  readonly table: Table;
  /** Encrypts the table (the clusters' credentials have a key of their own: lib/cluster-credentials.ts). */
  readonly key: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    // Retained with the table: a deleted key would make the retained table unreadable.
    this.key = new Key(this, 'Key', {
      description: 'svm-migrate: encrypts the migrate-state table',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.table = new Table(this, 'Table', {
      partitionKey: { name: PARTITION_KEY, type: AttributeType.STRING },
      sortKey: { name: SORT_KEY, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      // Event items expire; migration, volume and lock items never carry the attribute.
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // The migrate state is the record of what happened to production SVMs: never deleted with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: GSI1.indexName,
      partitionKey: { name: GSI1.partitionKey, type: AttributeType.STRING },
      sortKey: { name: GSI1.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }
}
