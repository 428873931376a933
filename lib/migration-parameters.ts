// The tunables as SSM parameters (`<ssmPrefix>/config/<name>`), which the tasks read at run
// time, so an operator can change a poll interval or a limit without a redeploy. Cluster
// connections are not created here: their credentials are secrets, which never enter a template.
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { MigrationConfig } from './config';

export class MigrationParameters extends Construct {
  constructor(scope: Construct, id: string, config: MigrationConfig) {
    super(scope, id);

    for (const [name, value] of Object.entries(config.tunables)) {
      new StringParameter(this, name, {
        parameterName: `${config.ssmPrefix}/config/${name}`,
        stringValue: String(value),
        description: `svm-migrate tunable ${name} (default from cdk.json context ${name})`,
      });
    }
  }
}
