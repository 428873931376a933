// The CDK app: one svm-migrate stack, checked by cdk-nag's AwsSolutions rules at every synth
// (CDK's Validations API; findings the design accepts are acknowledged with a reason where
// the resource is built).
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SvmMigrateStack } from '../lib/svm-migrate-stack';

const app = new App();
new SvmMigrateStack(app, 'SvmMigrate', {
  description: 'svm-migrate: migrates ONTAP SVMs between clusters with Step Functions',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
