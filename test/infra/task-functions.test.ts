// The task functions: one per task name, the runtime and settings the design fixes, and
// least-privilege roles (no '*' on the table or the functions, states:* only where needed).
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CLUSTER_TASKS, TASK_ENV, TASK_NAMES, type TaskName } from '../../lambdas/tasks';
import { buildStack } from '../../local/definition';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

function statementsByRole(resources: Resources): Map<string, Statement[]> {
  const byRole = new Map<string, Statement[]>();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    for (const role of resource.Properties.Roles as { Ref: string }[]) {
      byRole.set(role.Ref, [
        ...(byRole.get(role.Ref) ?? []),
        ...resource.Properties.PolicyDocument.Statement,
      ]);
    }
  }
  return byRole;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

describe('task functions', () => {
  let template: Template;
  let resources: Resources;
  beforeAll(() => {
    template = Template.fromStack(buildStack({ context: { taskTimeoutSeconds: 600 } }).stack);
    resources = template.toJSON().Resources;
  });

  it('exist once per task name, each exporting its task from the shared entry', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions.map((f) => f.Properties.Environment.Variables[TASK_ENV]).sort()).toEqual(
      [...TASK_NAMES].sort(),
    );
    for (const task of TASK_NAMES) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: `index.${task}`,
        Environment: { Variables: Match.objectLike({ [TASK_ENV]: task }) },
      });
    }
  });

  it('run nodejs22.x on arm64 with active tracing, the configured timeout less the margin and their own log group', () => {
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Timeout: 570,
      MemorySize: 512,
      LoggingConfig: { LogGroup: { Ref: Match.anyValue() } },
      Environment: {
        Variables: Match.objectLike({
          SVM_MIGRATE_SSM_PREFIX: '/SvmMigrate',
          POWERTOOLS_SERVICE_NAME: 'svm-migrate',
          SVM_MIGRATE_STATE_MACHINE_ARN: Match.anyValue(),
        }),
      },
    });
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    // One per function, plus the state machine's.
    expect(logGroups).toHaveLength(TASK_NAMES.length + 1);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('grant nothing on "*" for the table or the functions (dynamodb:*, lambda:* statements name resources)', () => {
    for (const [role, statements] of statementsByRole(resources)) {
      for (const statement of statements) {
        const actions = asList(statement.Action);
        if (!actions.some((a) => a.startsWith('dynamodb:') || a.startsWith('lambda:'))) continue;
        expect({ role, resources: asList(statement.Resource) }).toEqual({
          role,
          resources: expect.not.arrayContaining(['*']),
        });
      }
    }
  });

  it('use no managed policies (each role writes to its own log group only)', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('let only checkState and continueAsNew start or describe executions, of this state machine only', () => {
    const byRole = statementsByRole(resources);
    const functions = template.findResources('AWS::Lambda::Function');
    const starters: string[] = [];
    for (const fn of Object.values(functions)) {
      const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
      const states = (byRole.get(roleId) ?? []).filter((s) =>
        asList(s.Action).some((a) => a.startsWith('states:')),
      );
      if (states.length === 0) continue;
      starters.push(fn.Properties.Environment.Variables[TASK_ENV]);
      const text = JSON.stringify(states);
      expect(text).toContain(':stateMachine:SvmMigrate-migration');
      expect(text).toContain(':execution:SvmMigrate-migration:*');
      expect(asList(states[0].Action).concat(asList(states[1].Action)).sort()).toEqual([
        'states:DescribeExecution',
        'states:StartExecution',
      ]);
    }
    expect(starters.sort()).toEqual(['checkState', 'continueAsNew']);
  });

  /** Each task's statements, by the task its function runs. */
  function statementsByTask(): Map<string, Statement[]> {
    const byRole = statementsByRole(resources);
    const byTask = new Map<string, Statement[]>();
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      byTask.set(
        fn.Properties.Environment.Variables[TASK_ENV],
        byRole.get(fn.Properties.Role['Fn::GetAtt'][0]) ?? [],
      );
    }
    return byTask;
  }
  const parameterNames = (statements: Statement[]): string[] =>
    statements
      .filter((s) => asList(s.Action).some((a) => a.startsWith('ssm:')))
      .flatMap((s) => JSON.stringify(s.Resource).match(/parameter\/[^"]*/g) ?? [])
      .sort();

  it("read SSM only under the prefix: every task the config path, the cluster tasks also each configured cluster's two parameters", () => {
    const config = ['parameter/SvmMigrate/config', 'parameter/SvmMigrate/config/*'];
    const clusters = [
      'parameter/SvmMigrate/clusters/source/endpoint',
      'parameter/SvmMigrate/clusters/source/credentials',
      'parameter/SvmMigrate/clusters/destination/endpoint',
      'parameter/SvmMigrate/clusters/destination/credentials',
    ];
    for (const [task, statements] of statementsByTask()) {
      const expected = CLUSTER_TASKS.includes(task as TaskName) ? [...config, ...clusters] : config;
      expect({ task, names: parameterNames(statements) }).toEqual({ task, names: expected.sort() });
    }
  });

  it("let only the tasks that talk to the clusters decrypt with the credentials' own key, through SSM only", () => {
    // Prepare: the credentials' key is not the table's.
    const credentialsKey = template.toJSON().Outputs.KeyArn.Value['Fn::GetAtt'][0] as string;
    const tableKey = Object.values(template.findResources('AWS::DynamoDB::Table'))[0].Properties
      .SSESpecification.KMSMasterKeyId['Fn::GetAtt'][0];
    expect(credentialsKey).not.toBe(tableKey);
    // Assess
    const decrypting: string[] = [];
    for (const [task, statements] of statementsByTask()) {
      const onCredentialsKey = statements.filter((s) =>
        JSON.stringify(s.Resource).includes(`"${credentialsKey}"`),
      );
      if (onCredentialsKey.length === 0) continue;
      decrypting.push(task);
      expect({ task, statements: onCredentialsKey }).toEqual({
        task,
        statements: [
          {
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: { 'Fn::GetAtt': [credentialsKey, 'Arn'] },
            Condition: {
              StringEquals: {
                'kms:ViaService': { 'Fn::Join': ['', ['ssm.us-east-1.', { Ref: 'AWS::URLSuffix' }]] },
              },
            },
          },
        ],
      });
    }
    expect(decrypting.sort()).toEqual([...CLUSTER_TASKS].sort());
    // The tasks that never connect: the bookkeeping of the migration.
    expect(TASK_NAMES.filter((t) => !CLUSTER_TASKS.includes(t)).sort()).toEqual([
      'complete',
      'continueAsNew',
      'decideRestart',
      'recordTaskFailure',
      'recordUndoFailed',
    ]);
  });

  it('use the table\'s key only through DynamoDB, and no key on "*"; no task may encrypt with the credentials\' key', () => {
    // Prepare
    const credentialsKey = template.toJSON().Outputs.KeyArn.Value['Fn::GetAtt'][0] as string;
    const tableKey = Object.values(template.findResources('AWS::DynamoDB::Table'))[0].Properties
      .SSESpecification.KMSMasterKeyId['Fn::GetAtt'][0];
    const via = (service: string) => ({
      StringEquals: {
        'kms:ViaService': { 'Fn::Join': ['', [`${service}.us-east-1.`, { Ref: 'AWS::URLSuffix' }]] },
      },
    });
    // Assess
    for (const [task, statements] of statementsByTask()) {
      const kms = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('kms:')));
      const onTableKey = kms.filter(
        (s) => JSON.stringify(s.Resource) === JSON.stringify({ 'Fn::GetAtt': [tableKey, 'Arn'] }),
      );
      expect({ task, onTableKey }).toEqual({
        task,
        onTableKey: [
          {
            Effect: 'Allow',
            Action: [
              'kms:Decrypt',
              'kms:DescribeKey',
              'kms:Encrypt',
              'kms:GenerateDataKey*',
              'kms:ReEncrypt*',
            ],
            Resource: expect.anything(),
            Condition: via('dynamodb'),
          },
        ],
      });
      // The only other KMS grant: Decrypt on the credentials' key, through SSM (the previous test says which tasks).
      const others = kms.filter((s) => !onTableKey.includes(s));
      for (const s of others)
        expect({ task, s }).toEqual({
          task,
          s: {
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: { 'Fn::GetAtt': [credentialsKey, 'Arn'] },
            Condition: via('ssm'),
          },
        });
      // DynamoDB: the store's item actions on the table and its indexes, nothing that scans or administers.
      const dynamo = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('dynamodb:')));
      expect({ task, actions: dynamo.flatMap((s) => asList(s.Action)).sort() }).toEqual({
        task,
        actions: [
          'dynamodb:ConditionCheckItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ],
      });
    }
  });

  it('give roles that differ where the tasks differ, and the same where they do the same (apart from their own log group)', () => {
    const byTask = statementsByTask();
    const withoutLogs = (task: string) =>
      JSON.stringify(
        (byTask.get(task) ?? []).filter((s) => !asList(s.Action).some((a) => a.startsWith('logs:'))),
      );
    // What a task does beyond the table: talk to the clusters, start or describe executions.
    const kindOf = (task: TaskName) =>
      `${CLUSTER_TASKS.includes(task) ? 'clusters' : ''}+${['checkState', 'continueAsNew'].includes(task) ? 'executions' : ''}`;
    const policiesByKind = new Map<string, Set<string>>();
    for (const task of TASK_NAMES)
      policiesByKind.set(
        kindOf(task),
        (policiesByKind.get(kindOf(task)) ?? new Set()).add(withoutLogs(task)),
      );
    // Four kinds (bookkeeping, cluster work, starting executions, CheckState's both), one policy each, all different.
    expect([...policiesByKind.keys()].sort()).toEqual([
      '+',
      '+executions',
      'clusters+',
      'clusters+executions',
    ]);
    for (const [kind, policies] of policiesByKind)
      expect({ kind, policies: policies.size }).toEqual({ kind, policies: 1 });
    expect(new Set([...policiesByKind.values()].map((p) => [...p][0])).size).toBe(4);
    // Each its own log group.
    expect(
      new Set(
        TASK_NAMES.map((t) =>
          JSON.stringify(
            (byTask.get(t) ?? []).filter((s) => asList(s.Action).some((a) => a.startsWith('logs:'))),
          ),
        ),
      ).size,
    ).toBe(TASK_NAMES.length);
  });

  it('keep the tunables in SSM under <prefix>/config', () => {
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/SvmMigrate/config/retryMaxAttempts',
      Type: 'String',
      Value: '4',
    });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/SvmMigrate/config/pollIterationCap',
      Value: '500',
    });
    // Cluster connections are the operator's: a secret never enters the template.
    expect(JSON.stringify(template.findResources('AWS::SSM::Parameter'))).not.toContain('/clusters/');
  });
});

describe('task functions placed in a VPC', () => {
  it("run in the given subnets with the given security group, with Lambda's VPC policy", () => {
    const { stack } = buildStack({
      context: {
        vpcId: 'vpc-0123456789abcdef0',
        subnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
        securityGroupId: 'sg-0123456789abcdef0',
      },
    });
    const template = Template.fromStack(stack);
    template.allResourcesProperties('AWS::Lambda::Function', {
      VpcConfig: {
        SubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
        SecurityGroupIds: ['sg-0123456789abcdef0'],
      },
    });
    const functionRoles = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (fn) => fn.Properties.Role['Fn::GetAtt'][0],
    );
    const roles = template.findResources('AWS::IAM::Role');
    for (const roleId of functionRoles) {
      expect(JSON.stringify(roles[roleId].Properties.ManagedPolicyArns)).toContain(
        'service-role/AWSLambdaVPCAccessExecutionRole',
      );
    }
  });
});

describe('VPC endpoints', () => {
  const placement = {
    vpcId: 'vpc-0123456789abcdef0',
    subnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
    securityGroupId: 'sg-0123456789abcdef0',
  };

  it("are the deployer's unless asked for", () => {
    Template.fromStack(buildStack({ context: placement }).stack).resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  it("with vpcEndpoints: DynamoDB's gateway on the given route tables, and an interface endpoint per service the tasks call, HTTPS from the functions only", () => {
    // Prepare
    const template = Template.fromStack(
      buildStack({ context: { ...placement, vpcEndpoints: 'true', routeTableIds: 'rtb-0123456789abcdef0' } })
        .stack,
    );
    // Assess
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcId: placement.vpcId,
      VpcEndpointType: 'Gateway',
      RouteTableIds: ['rtb-0123456789abcdef0'],
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.dynamodb']] },
    });
    const interfaces = Object.values(
      template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }),
    );
    const services = interfaces.map(
      (e) =>
        JSON.stringify(e.Properties.ServiceName)
          .match(/\.([a-z]+)"\]\]\}$|com\.amazonaws\.[^.]+\.([a-z]+)/)
          ?.slice(1)
          .find(Boolean) ?? JSON.stringify(e.Properties.ServiceName),
    );
    expect(services.sort()).toEqual(['events', 'fsx', 'monitoring', 'ssm', 'states', 'sts']);
    for (const endpoint of interfaces)
      expect(endpoint.Properties).toMatchObject({ PrivateDnsEnabled: true, SubnetIds: placement.subnetIds });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: placement.vpcId,
      SecurityGroupIngress: [
        {
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          SourceSecurityGroupId: placement.securityGroupId,
          Description: 'the task functions',
        },
      ],
    });
  });
});
