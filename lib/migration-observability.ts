// What wakes someone and what they look at: alarms on the migrations that need a person
// (a failed or timed-out execution, an undo that failed, throttled state transitions, a start
// request that never started), all notifying one SNS topic, and a dashboard of executions,
// migration outcomes, recoveries, the cut-over window and the tasks' errors and durations.
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  type CountMetric,
  CUTOVER_WINDOW_METRIC,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
} from '../lambdas/migration-metrics';
import type { TaskName } from '../lambdas/tasks';

/** Alarms and graphs count over five minutes: a failed migration is news at once, not a trend. */
const PERIOD = Duration.minutes(5);

export interface MigrationObservabilityProps {
  stateMachine: StateMachine;
  functions: Record<TaskName, IFunction>;
  /** The start rule's dead-letter queue: a message there is a start request that never started. */
  startDeadLetters: IQueue;
  /** An existing topic to notify; the construct creates an encrypted one when absent. */
  alarmTopicArn?: string;
}

export class MigrationObservability extends Construct {
  readonly alarmTopic: ITopic;
  readonly alarms: {
    executionsFailed: Alarm;
    executionsTimedOut: Alarm;
    executionThrottled: Alarm;
    undoFailures: Alarm;
    startRequestsUndelivered: Alarm;
  };
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MigrationObservabilityProps) {
    super(scope, id);
    const { stateMachine } = props;
    const prefix = Stack.of(this).stackName;

    this.alarmTopic = props.alarmTopicArn
      ? Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)
      : this.encryptedTopic();
    const notify = new SnsAction(this.alarmTopic);
    // An alarm when any one happens in a period; no OK action: the count falls back to zero five
    // minutes later whether or not anyone dealt with it, and an "OK" would read as "resolved".
    const whenAny = (name: string, metric: IMetric, description: string): Alarm => {
      const alarm = new Alarm(this, name, {
        alarmName: `${prefix}-${name}`,
        alarmDescription: description,
        metric,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        // No executions, no data: that is the quiet state, not an unknown one.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(notify);
      return alarm;
    };

    this.alarms = {
      executionsFailed: whenAny(
        'ExecutionsFailed',
        stateMachine.metricFailed({ period: PERIOD, statistic: Stats.SUM }),
        "A migration execution failed (MigrationFailed after its restarts, CommitIncomplete, SourceCleanupFailed, UndoFailed, or a start refused with ConflictError). The execution's error and the migration's events say which.",
      ),
      executionsTimedOut: whenAny(
        'ExecutionsTimedOut',
        stateMachine.metricTimedOut({ period: PERIOD, statistic: Stats.SUM }),
        "A migration execution ran past the state machine's timeout; its migration holds its lock until a fresh execution resumes it.",
      ),
      executionThrottled: whenAny(
        'ExecutionThrottled',
        stateMachine.metricThrottled({ period: PERIOD, statistic: Stats.SUM }),
        "Step Functions throttled state transitions of the migration state machine: too many migrations at once for the account's quota.",
      ),
      undoFailures: whenAny(
        'UndoFailures',
        migrationMetric('UndoFailures', Stats.SUM),
        'An undo failed after its retries: the destination may hold what the migration created. A person must repair it before the SVM can be migrated again.',
      ),
      startRequestsUndelivered: whenAny(
        'StartRequestsUndelivered',
        props.startDeadLetters.metricApproximateNumberOfMessagesVisible({
          period: PERIOD,
          statistic: Stats.MAXIMUM,
        }),
        'A migration start request (EventBridge) could not start an execution after its retries; it waits in the start dead-letter queue.',
      ),
    };

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${prefix}-migrations`,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Executions',
        width: 12,
        left: [
          stateMachine.metricStarted({ period: PERIOD, statistic: Stats.SUM, label: 'started' }),
          stateMachine.metricSucceeded({ period: PERIOD, statistic: Stats.SUM, label: 'succeeded' }),
          stateMachine.metricFailed({ period: PERIOD, statistic: Stats.SUM, label: 'failed' }),
          stateMachine.metricTimedOut({ period: PERIOD, statistic: Stats.SUM, label: 'timed out' }),
        ],
      }),
      new AlarmStatusWidget({ title: 'Alarms', width: 12, height: 6, alarms: Object.values(this.alarms) }),
    );
    this.dashboard.addWidgets(
      countGraph('Migrations', [
        'MigrationsStarted',
        'MigrationsCompleted',
        'MigrationsRolledBack',
        'MigrationsFailed',
      ]),
      countGraph('Recoveries', ['Retries', 'Relocations', 'Restarts', 'UndoFailures']),
      new GraphWidget({
        title: 'Cut-over window (seconds)',
        width: 8,
        left: [
          migrationMetric(CUTOVER_WINDOW_METRIC, Stats.MAXIMUM, 'longest'),
          migrationMetric(CUTOVER_WINDOW_METRIC, Stats.AVERAGE, 'average'),
        ],
      }),
    );
    const tasks = Object.entries(props.functions) as [TaskName, IFunction][];
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Task errors (retried, routed or failed)',
        width: 12,
        left: tasks.map(([task, fn]) =>
          fn.metricErrors({ period: PERIOD, statistic: Stats.SUM, label: task }),
        ),
      }),
      new GraphWidget({
        title: 'Task duration p99 (ms)',
        width: 12,
        left: tasks.map(([task, fn]) =>
          fn.metricDuration({ period: PERIOD, statistic: Stats.p(99), label: task }),
        ),
      }),
    );
  }

  /** A topic of the stack's own, encrypted with a key of its own that CloudWatch may use to publish. */
  private encryptedTopic(): Topic {
    const stack = Stack.of(this);
    const key = new Key(this, 'AlarmTopicKey', {
      description: 'svm-migrate: encrypts the alarm topic',
      enableKeyRotation: true,
    });
    // CloudWatch publishes to an encrypted topic only if the key lets it make data keys. (In a
    // key policy the resource '*' means this key.)
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    const topic = new Topic(this, 'AlarmTopic', {
      displayName: 'svm-migrate alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // enforceSSL writes a topic policy, which replaces SNS's default one: without this statement
    // nothing lets CloudWatch publish, and every alarm would fire to no one. Only this
    // account's alarms of this stack (by their name prefix) may publish (confused deputy).
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: `${stack.stackName}-*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    return topic;
  }
}

/** One of the tasks' Powertools metrics, by the one dimension they carry. */
function migrationMetric(
  metricName: CountMetric | typeof CUTOVER_WINDOW_METRIC,
  statistic: string,
  label?: string,
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: METRICS_SERVICE },
    period: PERIOD,
    statistic,
    label,
  });
}

function countGraph(title: string, names: CountMetric[]): GraphWidget {
  return new GraphWidget({
    title,
    width: 8,
    left: names.map((name) => migrationMetric(name, Stats.SUM, name)),
  });
}
