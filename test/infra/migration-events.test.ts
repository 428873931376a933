// EventBridge, both ways: the rule that starts a migration from a request event (its pattern,
// the state machine as target with the event's detail as input, a dead-letter queue, a role
// that may start this state machine only), and the tasks' permission to publish on the bus.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EVENT_SOURCE } from '../../lambdas/notifications';
import { TASK_NAMES } from '../../lambdas/tasks';
import { EVENT_BUS_ENV, START_REQUEST_DETAIL_TYPE, START_REQUEST_SOURCE } from '../../lib/migration-events';
import { buildStack } from '../../local/definition';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

const logicalIdOf = (template: Template, type: string): string => {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0];
};

/** The statements that mention an events:* action, per role. */
function eventsStatementsByRole(resources: Resources): Map<string, Statement[]> {
  const byRole = new Map<string, Statement[]>();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const statements = (resource.Properties.PolicyDocument.Statement as Statement[]).filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('events:')),
    );
    for (const role of resource.Properties.Roles as { Ref: string }[])
      byRole.set(role.Ref, [...(byRole.get(role.Ref) ?? []), ...statements]);
  }
  return byRole;
}

describe('migration events on the default bus', () => {
  let template: Template;
  let resources: Resources;
  let stateMachineId: string;
  beforeAll(() => {
    template = Template.fromStack(buildStack().stack);
    resources = template.toJSON().Resources;
    stateMachineId = logicalIdOf(template, 'AWS::StepFunctions::StateMachine');
  });

  it('start a migration from source svm-migrate.requests, detail-type "SVM Migration Requested", the detail as the execution input', () => {
    const queueId = logicalIdOf(template, 'AWS::SQS::Queue');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: 'default',
      EventPattern: { source: ['svm-migrate.requests'], 'detail-type': ['SVM Migration Requested'] },
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { Ref: stateMachineId },
          InputPath: '$.detail',
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsStartRole'), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
        }),
      ],
    });
    expect([START_REQUEST_SOURCE, START_REQUEST_DETAIL_TYPE]).toEqual([
      'svm-migrate.requests',
      'SVM Migration Requested',
    ]);
  });

  it('never start a migration from the state changes the tasks publish (no loop)', () => {
    expect(START_REQUEST_SOURCE).not.toBe(EVENT_SOURCE);
  });

  it('start through a role that EventBridge of this account assumes and that may only start this state machine', () => {
    const [roleId] = Object.keys(
      template.findResources('AWS::IAM::Role', {
        Properties: { Description: Match.stringLikeRegexp('start rule') },
      }),
    );
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp('start rule'),
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          },
        ],
      },
    });
    const policies = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        r.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId),
    );
    expect(policies.flatMap((p) => p.Properties.PolicyDocument.Statement)).toEqual([
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: stateMachineId } },
    ]);
  });

  it('park undeliverable start requests in an encrypted, TLS-only queue that only the rule may send to', () => {
    const queueId = logicalIdOf(template, 'AWS::SQS::Queue');
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              ArnEquals: {
                'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsStartRule'), 'Arn'] },
              },
            },
          }),
        ]),
      },
    });
  });

  it('let every task publish on the default bus of its account and region, and nowhere else', () => {
    const functionRoles = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (f) => f.Properties.Role['Fn::GetAtt'][0] as string,
    );
    expect(functionRoles).toHaveLength(TASK_NAMES.length);
    const byRole = eventsStatementsByRole(resources);
    for (const role of functionRoles) {
      expect(byRole.get(role)).toEqual([
        {
          Action: 'events:PutEvents',
          Effect: 'Allow',
          Resource: 'arn:aws:events:us-east-1:123456789012:event-bus/default',
        },
      ]);
    }
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [EVENT_BUS_ENV]: 'default' }) },
    });
  });

  it('name the bus and the rule in the stack outputs', () => {
    template.hasOutput('EventBusName', { Value: 'default' });
    template.hasOutput('StartRuleName', { Value: { Ref: Match.stringLikeRegexp('^EventsStartRule') } });
  });
});

describe('migration events on a bus named in context', () => {
  it('publish and listen on that bus', () => {
    const template = Template.fromStack(buildStack({ context: { eventBusName: 'storage-ops' } }).stack);
    template.hasResourceProperties('AWS::Events::Rule', { EventBusName: 'storage-ops' });
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [EVENT_BUS_ENV]: 'storage-ops' }) },
    });
    const byRole = eventsStatementsByRole(template.toJSON().Resources);
    const resourcesGranted = new Set([...byRole.values()].flat().map((s) => JSON.stringify(s.Resource)));
    expect([...resourcesGranted]).toEqual([
      JSON.stringify('arn:aws:events:us-east-1:123456789012:event-bus/storage-ops'),
    ]);
    template.hasOutput('EventBusName', { Value: 'storage-ops' });
  });
});
