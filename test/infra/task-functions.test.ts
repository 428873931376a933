// The task functions: one per task name, the runtime and settings the design fixes, and
// least-privilege roles (no '*' on the table or the functions, states:* only where needed).
import { Match, Template } from 'aws-cdk-lib/assertions';
import { TASK_ENV, TASK_NAMES } from '../../lambdas/tasks';
import { buildStack } from '../../local/definition';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

function statementsByRole(resources: Resources): Map<string, Statement[]> {
  const byRole = new Map<string, Statement[]>();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    for (const role of resource.Properties.Roles as { Ref: string }[]) {
      byRole.set(role.Ref, [...(byRole.get(role.Ref) ?? []), ...resource.Properties.PolicyDocument.Statement]);
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
    expect(functions.map((f) => f.Properties.Environment.Variables[TASK_ENV]).sort()).toEqual([...TASK_NAMES].sort());
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
        expect({ role, resources: asList(statement.Resource) }).toEqual({ role, resources: expect.not.arrayContaining(['*']) });
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
      const states = (byRole.get(roleId) ?? []).filter((s) => asList(s.Action).some((a) => a.startsWith('states:')));
      if (states.length === 0) continue;
      starters.push(fn.Properties.Environment.Variables[TASK_ENV]);
      const text = JSON.stringify(states);
      expect(text).toContain(':stateMachine:SvmMigrate-migration');
      expect(text).toContain(':execution:SvmMigrate-migration:*');
      expect(asList(states[0].Action).concat(asList(states[1].Action)).sort()).toEqual(['states:DescribeExecution', 'states:StartExecution']);
    }
    expect(starters.sort()).toEqual(['checkState', 'continueAsNew']);
  });

  it('read SSM only under the prefix: the config path and each configured cluster\'s two parameters', () => {
    const ssm = [...statementsByRole(resources).values()]
      .flat()
      .filter((s) => asList(s.Action).includes('ssm:GetParameter'));
    expect(ssm).toHaveLength(TASK_NAMES.length);
    const names = JSON.stringify(ssm[0].Resource).match(/parameter\/[^"]*/g);
    expect(names?.sort()).toEqual(
      [
        'parameter/SvmMigrate/config',
        'parameter/SvmMigrate/config/*',
        'parameter/SvmMigrate/clusters/source/endpoint',
        'parameter/SvmMigrate/clusters/source/credentials',
        'parameter/SvmMigrate/clusters/destination/endpoint',
        'parameter/SvmMigrate/clusters/destination/credentials',
      ].sort(),
    );
  });

  it('decrypt SecureString credentials with the stack\'s key through SSM only', () => {
    const decrypt = [...statementsByRole(resources).values()]
      .flat()
      .filter((s) => s.Condition !== undefined && asList(s.Action).includes('kms:Decrypt'));
    expect(decrypt).toHaveLength(TASK_NAMES.length);
    expect(JSON.stringify(decrypt[0].Condition)).toContain('"kms:ViaService":{"Fn::Join":["",["ssm.us-east-1.",{"Ref":"AWS::URLSuffix"}]]}');
  });

  it('keep the tunables in SSM under <prefix>/config', () => {
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/SvmMigrate/config/retryMaxAttempts', Type: 'String', Value: '4' });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/SvmMigrate/config/pollIterationCap', Value: '500' });
    // Cluster connections are the operator's: a secret never enters the template.
    expect(JSON.stringify(template.findResources('AWS::SSM::Parameter'))).not.toContain('/clusters/');
  });
});

describe('task functions placed in a VPC', () => {
  it('run in the given subnets with the given security group, with Lambda\'s VPC policy', () => {
    const { stack } = buildStack({
      context: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'], securityGroupId: 'sg-0123456789abcdef0' },
    });
    const template = Template.fromStack(stack);
    template.allResourcesProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'], SecurityGroupIds: ['sg-0123456789abcdef0'] },
    });
    const functionRoles = Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => fn.Properties.Role['Fn::GetAtt'][0]);
    const roles = template.findResources('AWS::IAM::Role');
    for (const roleId of functionRoles) {
      expect(JSON.stringify(roles[roleId].Properties.ManagedPolicyArns)).toContain('service-role/AWSLambdaVPCAccessExecutionRole');
    }
  });
});
