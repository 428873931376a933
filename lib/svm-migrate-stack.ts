// The svm-migrate stack: composes the migrate-state table, the tunables in SSM, the key of the
// clusters' credentials, the task
// functions, the state machine, its EventBridge start rule and published events, and its
// alarms and dashboard. Every resource is built in its construct, not here.
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ClusterCredentials } from './cluster-credentials';
import { readConfig } from './config';
import { MigrationEvents } from './migration-events';
import { MigrationObservability } from './migration-observability';
import { MigrationParameters } from './migration-parameters';
import { MigrationStateMachine, migrationStateMachineName } from './migration-state-machine';
import { MigrationTable } from './migration-table';
import { TaskFunctions } from './task-functions';
import { VpcEndpoints } from './vpc-endpoints';

export class SvmMigrateStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const config = readConfig(this);
    const stateMachineName = migrationStateMachineName(this);

    const state = new MigrationTable(this, 'MigrationState');
    new MigrationParameters(this, 'Tunables', config);
    const credentials = new ClusterCredentials(this, 'ClusterCredentials');
    const tasks = new TaskFunctions(this, 'Tasks', {
      config,
      table: state.table,
      credentialsKey: credentials.key,
      stateMachineName,
    });
    const { vpc, vpcSubnets, securityGroups } = tasks.placement;
    if (config.vpc?.endpoints && vpc && vpcSubnets?.subnets && securityGroups) {
      new VpcEndpoints(this, 'VpcEndpoints', {
        vpc,
        subnets: vpcSubnets.subnets,
        routeTableIds: config.vpc.endpoints.routeTableIds,
        functionsSecurityGroup: securityGroups[0],
      });
    }
    const migration = new MigrationStateMachine(this, 'Migration', {
      config,
      functions: tasks.functions,
      stateMachineName,
    });
    const events = new MigrationEvents(this, 'Events', {
      eventBusName: config.eventBusName,
      functions: tasks.functions,
      stateMachine: migration.stateMachine,
    });
    const observability = new MigrationObservability(this, 'Observability', {
      stateMachine: migration.stateMachine,
      functions: tasks.functions,
      startDeadLetters: events.startDeadLetters,
      alarmTopicArn: config.alarmTopicArn,
    });

    new CfnOutput(this, 'StateMachineArn', { value: migration.stateMachine.stateMachineArn });
    new CfnOutput(this, 'TableName', { value: state.table.tableName });
    new CfnOutput(this, 'KeyArn', {
      value: credentials.key.keyArn,
      description:
        "Encrypt the clusters' SecureString credentials with this key (or with aws/ssm); only the tasks that talk to the clusters may decrypt with it.",
    });
    new CfnOutput(this, 'EventBusName', {
      value: events.eventBus.eventBusName,
      description:
        'The bus the migrations publish their state changes on (source svm-migrate) and the start rule listens on.',
    });
    new CfnOutput(this, 'StartRuleName', { value: events.startRule.ruleName });
    new CfnOutput(this, 'SsmPrefix', {
      value: config.ssmPrefix,
      description:
        'Configure each cluster under <prefix>/clusters/<name>/{endpoint,credentials}; the tunables are under <prefix>/config.',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: observability.alarmTopic.topicArn,
      description: 'Subscribe whoever must act on a failed migration.',
    });
    new CfnOutput(this, 'DashboardName', { value: observability.dashboard.dashboardName });
  }
}
