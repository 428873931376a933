// The key the operator encrypts the clusters' SecureString credentials with: a key of its own,
// not the table's, so that the tasks that never talk to a cluster (and DynamoDB's grants, which
// every task holds) give no way to read a cluster password.
import { RemovalPolicy } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export class ClusterCredentials extends Construct {
  readonly key: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Retained: parameters encrypted with it outlive the stack (they are the operator's).
    this.key = new Key(this, 'Key', {
      description: "svm-migrate: encrypts the clusters' SecureString credentials in SSM",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
