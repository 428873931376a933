// One Lambda function per task of the state machine, all bundled from the single entry
// lambdas/handlers/index.ts (each exports its task's handler under the task's name). Each
// function has its own role, so a grant made for one task never widens another's.

import * as path from 'node:path';
import { ArnFormat, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SecurityGroup, Subnet, Vpc } from 'aws-cdk-lib/aws-ec2';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type FunctionOptions, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CLUSTER_TASKS, TASK_ENV, TASK_NAMES, type TaskName } from '../lambdas/tasks';
import type { MigrationConfig } from './config';
import { acknowledgeWildcardResource } from './nag';

const PROJECT_ROOT = path.join(__dirname, '..');
const HANDLERS_ENTRY = path.join(PROJECT_ROOT, 'lambdas', 'handlers', 'index.ts');

/** Tasks that start or look up executions of the migration state machine. */
const EXECUTION_TASKS: readonly TaskName[] = [
  'checkState', // is the owner of a held lease still running?
  'continueAsNew', // start the fresh execution that takes over
];

export interface TaskFunctionsProps {
  config: MigrationConfig;
  table: ITable;
  /** The key that encrypts the clusters' SecureString credentials. */
  credentialsKey: IKey;
  /** The state machine's fixed name: its ARN is built from it, so the functions need no reference to it. */
  stateMachineName: string;
}

export class TaskFunctions extends Construct {
  readonly functions: Record<TaskName, NodejsFunction>;
  /** Where the functions run (nothing when not in a VPC). */
  readonly placement: Pick<FunctionOptions, 'vpc' | 'vpcSubnets' | 'securityGroups'>;

  constructor(scope: Construct, id: string, props: TaskFunctionsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { config } = props;

    const stateMachineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: props.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const executionArns = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${props.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const parameterArn = (name: string): string =>
      stack.formatArn({
        service: 'ssm',
        resource: 'parameter',
        resourceName: name.slice(1),
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    const configPath = `${config.ssmPrefix}/config`;
    // The config path itself (GetParametersByPath) and the tunables under it; each cluster's two parameters by name.
    const configParameters = parameterArn(`${configPath}/*`);
    const clusterParameterArns = config.clusters.flatMap((cluster) => [
      parameterArn(`${config.ssmPrefix}/clusters/${cluster}/endpoint`),
      parameterArn(`${config.ssmPrefix}/clusters/${cluster}/credentials`),
    ]);

    const placement = vpcPlacement(this, config);
    this.placement = placement;

    const functions = {} as Record<TaskName, NodejsFunction>;
    for (const task of TASK_NAMES) {
      const scopeOfTask = new Construct(this, pascalCase(task));

      // An own role (not Lambda's default, which attaches AWSLambdaBasicExecutionRole with logs:* on '*'):
      // it may write to its own log group only.
      const role = new Role(scopeOfTask, 'Role', {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `svm-migrate task ${task}`,
      });
      const logGroup = new LogGroup(scopeOfTask, 'LogGroup', { retention: config.logRetention });
      logGroup.grantWrite(role);

      const fn = new NodejsFunction(scopeOfTask, 'Function', {
        entry: HANDLERS_ENTRY,
        handler: task,
        projectRoot: PROJECT_ROOT,
        depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
        description: `svm-migrate task ${task}`,
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        tracing: Tracing.ACTIVE,
        memorySize: config.functionMemoryMb,
        timeout: Duration.seconds(config.functionTimeoutSeconds),
        role,
        logGroup,
        environment: {
          [TASK_ENV]: task,
          TABLE_NAME: props.table.tableName,
          SVM_MIGRATE_SSM_PREFIX: config.ssmPrefix,
          SVM_MIGRATE_STATE_MACHINE_ARN: stateMachineArn,
          // How long a task of a stopped execution may still run (CheckState waits that long before taking over).
          SVM_MIGRATE_TASK_TIMEOUT_SECONDS: String(config.taskTimeoutSeconds),
          POWERTOOLS_SERVICE_NAME: 'svm-migrate',
          NODE_OPTIONS: '--enable-source-maps',
        },
        bundling: {
          // Nothing external: the AWS SDK is bundled at the version the tests ran with (package-lock),
          // not whichever one the Lambda runtime ships that day (test/infra/bundle.test.ts).
          externalModules: [],
          format: OutputFormat.CJS,
          target: 'node22',
          minify: true,
          sourceMap: true,
        },
        ...placement,
      });

      grantTable(role, props.table, stack);
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
          resources: [parameterArn(configPath), configParameters],
        }),
      );
      acknowledgeWildcardResource(
        role,
        configParameters,
        'The tasks read every tunable under the config path (GetParametersByPath); only that path, not the whole prefix.',
      );
      // Only the tasks that talk to the clusters may read a cluster's connection and its password.
      if (CLUSTER_TASKS.includes(task)) {
        role.addToPrincipalPolicy(
          new PolicyStatement({ actions: ['ssm:GetParameter'], resources: clusterParameterArns }),
        );
        role.addToPrincipalPolicy(
          new PolicyStatement({
            actions: ['kms:Decrypt'],
            resources: [props.credentialsKey.keyArn],
            // Only to read SecureString parameters through SSM, not to decrypt anything else with the key.
            conditions: { StringEquals: { 'kms:ViaService': `ssm.${stack.region}.${stack.urlSuffix}` } },
          }),
        );
      }
      if (EXECUTION_TASKS.includes(task)) {
        role.addToPrincipalPolicy(
          new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] }),
        );
        role.addToPrincipalPolicy(
          new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executionArns] }),
        );
        acknowledgeWildcardResource(
          role,
          executionArns,
          "Execution ARNs are unknown before the executions start; the wildcard covers only executions of this stack's migration state machine.",
        );
      }
      if (placement.vpc) {
        role.addManagedPolicy(
          ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'),
        );
        Validations.of(role).acknowledge({
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
          reason:
            'Lambda needs the network-interface permissions of this AWS managed policy to run in the given subnets.',
        });
      }
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments/PutTelemetryRecords (Lambda active tracing) support no resource-level permissions.',
      });
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          'The architecture contract pins nodejs22.x for the tasks (the bundle targets node22); moving to a newer runtime is a deliberate upgrade.',
      });
      functions[task] = fn;
    }
    this.functions = functions;
  }
}

/** Imported, not looked up: synth runs offline, so the VPC is described by its ids alone. */
function vpcPlacement(
  scope: Construct,
  config: MigrationConfig,
): Pick<FunctionOptions, 'vpc' | 'vpcSubnets' | 'securityGroups'> {
  if (!config.vpc) return {};
  const { vpcId, subnetIds, securityGroupId } = config.vpc;
  const subnets = subnetIds.map((id, i) => {
    const subnet = Subnet.fromSubnetId(scope, `Subnet${i}`, id);
    Validations.of(subnet).acknowledge({
      id: '@aws-cdk/aws-ec2:noSubnetRouteTableId',
      reason: 'Only the subnet id is used, to place the functions; nothing reads its route table.',
    });
    return subnet;
  });
  // The zones as a deploy-time token: an env-bound stack would look them up, and the subnets are explicit anyway.
  const vpc = Vpc.fromVpcAttributes(scope, 'Vpc', { vpcId, availabilityZones: Fn.getAzs() });
  Validations.of(vpc).acknowledge({
    id: '@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones',
    reason: 'The functions are given their subnets explicitly; nothing selects subnets by zone.',
  });
  return {
    vpc,
    vpcSubnets: { subnets },
    securityGroups: [
      SecurityGroup.fromSecurityGroupId(scope, 'SecurityGroup', securityGroupId, { mutable: false }),
    ],
  };
}

/**
 * What the migrate-state store sends (lambdas/state): Get, Query, Put, Update, and in its
 * transactions Put, Update, Delete and ConditionCheck. No Scan, no batch, no table administration.
 */
const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];
/** What DynamoDB asks of the caller's principal for a table under a customer-managed key (AWS's example key policy). */
const TABLE_KEY_ACTIONS = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
];

/**
 * The table and its indexes for the store's actions, and its key only through DynamoDB
 * (kms:ViaService): a task cannot encrypt or decrypt anything else with the table's key, and has
 * no grant at all on the credentials' key unless it talks to the clusters.
 */
function grantTable(role: Role, table: ITable, stack: Stack): void {
  table.grant(role, ...TABLE_ACTIONS);
  acknowledgeWildcardResource(
    role,
    `${table.tableArn}/index/*`,
    "The table's own indexes (gsi1 lists migrations); no other table.",
  );
  if (!table.encryptionKey) return;
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: TABLE_KEY_ACTIONS,
      resources: [table.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.${stack.urlSuffix}` } },
    }),
  );
  for (const action of TABLE_KEY_ACTIONS.filter((a) => a.endsWith('*'))) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason:
        "On the table's customer-managed key only, and only through DynamoDB (kms:ViaService), as DynamoDB encryption needs.",
    });
  }
}

function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
