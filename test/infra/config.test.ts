// The deployment settings from CDK context: cdk.json's defaults, `-c` strings, and a clear
// error naming the key and the reason for each bad value.

import { readConfig } from '../../lib/config';
import { buildStack } from '../../local/definition';

const configWith = (context: Record<string, unknown>) => readConfig(buildStack({ context }).stack);

describe('deployment configuration', () => {
  it("reads cdk.json's defaults", () => {
    const config = readConfig(buildStack().stack);
    expect(config.tunables).toEqual({
      retryMaxAttempts: 4,
      retryIntervalSeconds: 2,
      retryBackoffRate: 2,
      retryMaxDelaySeconds: 60,
      pollIntervalSeconds: 30,
      pollIterationCap: 500,
      restartLimit: 2,
      relocationLimit: 3,
      lagThresholdSeconds: 60,
      volumeConcurrency: 8,
      leaseSeconds: 900,
    });
    // The SSM prefix from the stack's name, so two stacks in one account never share their parameters.
    expect(config).toMatchObject({
      taskTimeoutSeconds: 900,
      stateMachineTimeoutDays: 30,
      ssmPrefix: '/SvmMigrate',
      clusters: ['source', 'destination'],
    });
    expect(readConfig(buildStack({ stackName: 'SvmMigrate-b' }).stack).ssmPrefix).toBe('/SvmMigrate-b');
    expect(config.vpc).toBeUndefined();
    // The account's default bus and a topic of the stack's own.
    expect(config.eventBusName).toBeUndefined();
    expect(config.alarmTopicArn).toBeUndefined();
  });

  it("takes an SSM prefix set in context over the stack's name", () => {
    expect(configWith({ ssmPrefix: '/storage/svm-migrate' }).ssmPrefix).toBe('/storage/svm-migrate');
  });

  it('takes an event bus by name and an existing alarm topic by ARN', () => {
    const config = configWith({
      eventBusName: 'storage-ops',
      alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:storage-pager',
    });
    expect(config).toMatchObject({
      eventBusName: 'storage-ops',
      alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:storage-pager',
    });
  });

  it('takes strings as `cdk synth -c key=value` gives them', () => {
    const config = configWith({ retryMaxAttempts: '6', clusters: 'a, b', retryBackoffRate: '1.5' });
    expect(config.tunables.retryMaxAttempts).toBe(6);
    expect(config.tunables.retryBackoffRate).toBe(1.5);
    expect(config.clusters).toEqual(['a', 'b']);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'a non-number',
      { retryMaxAttempts: 'many' },
      /"svm-migrate:retryMaxAttempts": must be a number from 0 to 99 \(got "many"\)/,
    ],
    ['a fraction', { restartLimit: 1.5 }, /"svm-migrate:restartLimit": must be an integer/],
    [
      'a backoff below 1',
      { retryBackoffRate: 0.5 },
      /"svm-migrate:retryBackoffRate": must be a number from 1 to 10/,
    ],
    [
      'a max delay below the interval',
      { retryIntervalSeconds: 10, retryMaxDelaySeconds: 5 },
      /retryMaxDelaySeconds": must be at least retryIntervalSeconds/,
    ],
    [
      "a task timeout past Lambda's 15 minutes",
      { taskTimeoutSeconds: 901 },
      /"svm-migrate:taskTimeoutSeconds": must be a number from 90 to 900/,
    ],
    [
      'a task timeout too short for the margin the function ends within',
      { taskTimeoutSeconds: 60 },
      /"svm-migrate:taskTimeoutSeconds": must be a number from 90 to 900/,
    ],
    [
      'a lease shorter than a task',
      { leaseSeconds: 60, taskTimeoutSeconds: 120 },
      /"svm-migrate:leaseSeconds": must be at least taskTimeoutSeconds/,
    ],
    [
      'a machine timeout past a year',
      { stateMachineTimeoutDays: 400 },
      /stateMachineTimeoutDays": must be a number from 1 to 365/,
    ],
    [
      'a retention CloudWatch does not offer',
      { logRetentionDays: 2 },
      /logRetentionDays": must be one of CloudWatch Logs' retention periods/,
    ],
    [
      'an SSM prefix without a leading slash',
      { ssmPrefix: 'svm' },
      /"svm-migrate:ssmPrefix": must be an SSM path/,
    ],
    ['a reserved SSM prefix', { ssmPrefix: '/aws/svm' }, /ssmPrefix": must not start with \/aws or \/ssm/],
    [
      'a bad cluster name',
      { clusters: ['ok', '9bad'] },
      /"svm-migrate:clusters": must name at least one cluster/,
    ],
    ['a repeated cluster', { clusters: ['a', 'a'] }, /clusters": must not repeat a cluster/],
    [
      'a VPC without subnets',
      { vpcId: 'vpc-0123456789abcdef0', securityGroupId: 'sg-0123456789abcdef0' },
      /"svm-migrate:subnetIds": must list at least one subnet id/,
    ],
    [
      'subnets without a VPC',
      { subnetIds: ['subnet-0aaaaaaaaaaaaaaaa'], securityGroupId: 'sg-0123456789abcdef0' },
      /"svm-migrate:vpcId": must be a VPC id/,
    ],
    ['a missing value', { pollIterationCap: null }, /"svm-migrate:pollIterationCap": is required/],
    [
      'VPC endpoints without a VPC',
      { vpcEndpoints: true },
      /"svm-migrate:vpcEndpoints": needs the functions in a VPC/,
    ],
    [
      'VPC endpoints without route tables',
      {
        vpcId: 'vpc-0123456789abcdef0',
        subnetIds: ['subnet-0aaaaaaaaaaaaaaaa'],
        securityGroupId: 'sg-0123456789abcdef0',
        vpcEndpoints: 'true',
      },
      /"svm-migrate:routeTableIds": must list the subnets' route table ids/,
    ],
    [
      'a VPC endpoints flag that is no boolean',
      { vpcEndpoints: 'yes' },
      /"svm-migrate:vpcEndpoints": must be true or false/,
    ],
    [
      'an event bus ARN instead of its name',
      { eventBusName: 'arn:aws:events:us-east-1:123456789012:event-bus/ops' },
      /"svm-migrate:eventBusName": must be an event bus name/,
    ],
    [
      'an event bus name with a space',
      { eventBusName: 'ops bus' },
      /"svm-migrate:eventBusName": must be an event bus name/,
    ],
    [
      'an alarm topic that is no SNS ARN',
      { alarmTopicArn: 'ops-pager' },
      /"svm-migrate:alarmTopicArn": must be the ARN of a standard SNS topic/,
    ],
    [
      'a FIFO alarm topic',
      { alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:pager.fifo' },
      /"svm-migrate:alarmTopicArn": must be the ARN of a standard SNS topic/,
    ],
  ])('rejects %s, naming the key and the reason', (_case, context, message) => {
    expect(() => configWith(context)).toThrow(message);
  });
});
