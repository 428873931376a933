// The alarms that wake someone (each on its metric, at one occurrence, notifying the topic),
// the topic itself (encrypted, TLS only) or an existing one from context, and the dashboard.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { COUNTED_EVENTS, CUTOVER_WINDOW_METRIC } from '../../lambdas/migration-metrics';
import { TASK_NAMES } from '../../lambdas/tasks';
import { buildStack } from '../../local/definition';

const EXISTING_TOPIC = 'arn:aws:sns:us-east-1:123456789012:storage-pager';

/** The dashboard body as CloudWatch will read it, with each reference left as its logical id. */
function dashboardBody(template: Template): string {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  const body = dashboard.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  return body['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      return ref.Ref ?? `${ref['Fn::GetAtt']?.[0]}.${ref['Fn::GetAtt']?.[1]}`;
    })
    .join('');
}

describe('observability with a topic of its own', () => {
  let template: Template;
  let topicId: string;
  beforeAll(() => {
    template = Template.fromStack(buildStack().stack);
    [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
  });

  it.each([
    ['ExecutionsFailed', 'AWS/States', 'ExecutionsFailed', 'Sum', 'StateMachineArn'],
    ['ExecutionsTimedOut', 'AWS/States', 'ExecutionsTimedOut', 'Sum', 'StateMachineArn'],
    ['ExecutionThrottled', 'AWS/States', 'ExecutionThrottled', 'Sum', 'StateMachineArn'],
    ['UndoFailures', 'SvmMigrate', 'UndoFailures', 'Sum', 'service'],
    ['StartRequestsUndelivered', 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'Maximum', 'QueueName'],
  ])(
    'alarm %s: %s %s (%s) at one or more in five minutes, missing data not breaching, to the topic',
    (name, namespace, metricName, statistic, dimension) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `SvmMigrate-${name}`,
        Namespace: namespace,
        MetricName: metricName,
        Statistic: statistic,
        Dimensions: [Match.objectLike({ Name: dimension })],
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topicId }],
      });
    },
  );

  it("watch this state machine's executions and the tasks' metrics by their one dimension", () => {
    const [stateMachineId] = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: stateMachineId } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'UndoFailures',
      Dimensions: [{ Name: 'service', Value: 'svm-migrate' }],
    });
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(5);
  });

  it('notify a topic encrypted with a rotating key that CloudWatch may use, which refuses publishing without TLS', () => {
    const [topic] = Object.values(template.findResources('AWS::SNS::Topic'));
    const keyId = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0] as string;
    expect(template.toJSON().Resources[keyId]).toMatchObject({
      Type: 'AWS::KMS::Key',
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: expect.arrayContaining([
            {
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Resource: '*',
            },
          ]),
        },
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
  });

  it("let CloudWatch publish to the topic, for this account's alarms of this stack only, beside the TLS-only Deny", () => {
    // Prepare: the policy that enforceSSL writes replaces SNS's default policy.
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    const statements = policy.Properties.PolicyDocument.Statement as {
      Effect: string;
      Principal?: unknown;
      Action: string;
      Resource: unknown;
      Condition?: unknown;
    }[];
    // Assess
    const allow = statements.filter((s) => s.Effect === 'Allow');
    expect(allow).toEqual([
      {
        Sid: 'AllowCloudWatchAlarms',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:SvmMigrate-*' },
        },
      },
    ]);
    // Every alarm's ARN matches the condition: its name starts with the stack's name.
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmName).toMatch(/^SvmMigrate-/);
    }
  });

  it("show executions, migration outcomes, recoveries, the cut-over window, the tasks' errors and durations, and the alarms", () => {
    const body = dashboardBody(template);
    for (const metric of [
      'ExecutionsStarted',
      'ExecutionsSucceeded',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      ...Object.values(COUNTED_EVENTS),
      CUTOVER_WINDOW_METRIC,
    ]) {
      expect(body).toContain(`"${metric}"`);
    }
    const widgets = (
      JSON.parse(body) as {
        widgets: { type: string; properties: { title: string; metrics?: unknown[][]; alarms?: string[] } }[];
      }
    ).widgets;
    const byTitle = Object.fromEntries(widgets.map((w) => [w.properties.title, w.properties]));
    // One line per task, labelled with the task's name.
    for (const title of ['Task errors (retried, routed or failed)', 'Task duration p99 (ms)']) {
      const labels = byTitle[title].metrics!.map((m) => (m[m.length - 1] as { label: string }).label);
      expect(labels.sort()).toEqual([...TASK_NAMES].sort());
    }
    expect(
      byTitle['Task errors (retried, routed or failed)'].metrics!.every(
        (m) => m[0] === 'AWS/Lambda' && m[1] === 'Errors',
      ),
    ).toBe(true);
    expect(byTitle.Alarms.alarms).toHaveLength(5);
    template.hasOutput('DashboardName', {
      Value: { Ref: Match.stringLikeRegexp('^ObservabilityDashboard') },
    });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'SvmMigrate-migrations' });
  });
});

describe('observability with an existing topic from context', () => {
  it('notifies that topic and creates none', () => {
    const template = Template.fromStack(buildStack({ context: { alarmTopicArn: EXISTING_TOPIC } }).stack);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    // Only the migrate-state key and the credentials' key are left.
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [EXISTING_TOPIC] });
    template.hasOutput('AlarmTopicArn', { Value: EXISTING_TOPIC });
  });
});
