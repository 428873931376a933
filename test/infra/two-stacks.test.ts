// Two stacks in one account and region, each with the defaults (no ssmPrefix, no names given):
// every name the template fixes (SSM parameters, the state machine, alarms, dashboard, log
// groups, the IAM ARNs the roles are granted on) is its own stack's, so the second deploys beside
// the first and neither reads or writes the other's configuration.
import { Template } from 'aws-cdk-lib/assertions';
import { buildStack } from '../../local/definition';

/** The properties by which CloudFormation resources of these types are named in the account. */
const PHYSICAL_NAMES = [
  'Name',
  'StateMachineName',
  'AlarmName',
  'DashboardName',
  'LogGroupName',
  'TableName',
  'TopicName',
  'QueueName',
  'EventBusName',
  'RoleName',
  'FunctionName',
  'KeyAlias',
];

function fixedNames(stackName: string): {
  names: Map<string, string>;
  ssmArns: string[];
  template: Template;
} {
  const template = Template.fromStack(buildStack({ stackName }).stack);
  const names = new Map<string, string>();
  for (const [id, resource] of Object.entries(
    template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>,
  )) {
    for (const key of PHYSICAL_NAMES) {
      const value = resource.Properties?.[key];
      if (value !== undefined) names.set(`${resource.Type} ${id}.${key}`, JSON.stringify(value));
    }
  }
  // What the roles may read in SSM: only their own stack's parameters.
  const ssmArns =
    JSON.stringify(template.findResources('AWS::IAM::Policy')).match(/arn:aws:ssm:[^"]*/g) ?? [];
  return { names, ssmArns, template };
}

describe('two stacks with the default settings', () => {
  it('fix no name the other fixes too, and read only their own SSM parameters', () => {
    // Prepare
    const a = fixedNames('SvmMigrate-a');
    const b = fixedNames('SvmMigrate-b');
    // Assess: names were found (the tunables, the state machine, alarms, dashboard, the start rule), none shared.
    const kinds = [...a.names.keys()].map((k) => k.split(' ')[0]);
    expect(new Set(kinds)).toEqual(
      new Set([
        'AWS::SSM::Parameter',
        'AWS::StepFunctions::StateMachine',
        'AWS::CloudWatch::Alarm',
        'AWS::CloudWatch::Dashboard',
        'AWS::Logs::LogGroup',
        'AWS::Events::Rule',
      ]),
    );
    const shared = [...a.names.entries()]
      .filter(([, name]) => [...b.names.values()].includes(name))
      .map(([where, name]) => `${where} = ${name}`);
    // Only the bus both start rules listen on: the account's default one, which no stack owns.
    expect(shared).toEqual(['AWS::Events::Rule EventsStartRule1DC96FC6.EventBusName = "default"']);
    // The parameters live under /<stack name>.
    a.template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/SvmMigrate-a/config/retryMaxAttempts',
    });
    b.template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/SvmMigrate-b/config/retryMaxAttempts',
    });
    expect(a.ssmArns.length).toBeGreaterThan(0);
    expect(a.ssmArns.every((arn) => arn.includes(':parameter/SvmMigrate-a/'))).toBe(true);
    expect(b.ssmArns.every((arn) => arn.includes(':parameter/SvmMigrate-b/'))).toBe(true);
  });
});
