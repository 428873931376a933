// EventBridge, both ways, on one bus (the account's default, or the one named in context): the
// tasks publish the migration's state changes there (source `svm-migrate`), and a rule there
// starts a migration from a request event whose `detail` is the execution input.
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { EventBus, type EventPattern, type IEventBus, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { TaskName } from '../lambdas/tasks';

/** Who asks for a migration. Not `svm-migrate`, the source of what the tasks publish: a rule on one never matches the other. */
export const START_REQUEST_SOURCE = 'svm-migrate.requests';
export const START_REQUEST_DETAIL_TYPE = 'SVM Migration Requested';
/** The bus name the tasks publish on (read by lambdas/handlers/aws-dependencies.ts). */
export const EVENT_BUS_ENV = 'SVM_MIGRATE_EVENT_BUS';

/**
 * How long EventBridge keeps retrying a StartExecution that fails (throttling, a service
 * error). A request older than this is better parked in the dead-letter queue, where an alarm
 * sees it, than started hours after the operator asked for it.
 */
const START_MAX_EVENT_AGE = Duration.hours(1);
const START_RETRY_ATTEMPTS = 8;

export interface MigrationEventsProps {
  /** The bus to publish on and listen on; the account's default bus when absent. */
  eventBusName?: string;
  /** The functions that record migration events (every task may). */
  functions: Record<TaskName, LambdaFunction>;
  stateMachine: IStateMachine;
}

export class MigrationEvents extends Construct {
  readonly eventBus: IEventBus;
  /** The rule that starts a migration, and its pattern (for the docs: source and detail-type). */
  readonly startRule: Rule;
  readonly startPattern: EventPattern;
  /** Start requests EventBridge could not deliver to Step Functions after its retries. */
  readonly startDeadLetters: Queue;

  constructor(scope: Construct, id: string, props: MigrationEventsProps) {
    super(scope, id);

    // By name: the default bus always exists, and a named bus is the operators' to own (its
    // archive, its other rules); the stack only publishes and listens there.
    this.eventBus = EventBus.fromEventBusName(this, 'Bus', props.eventBusName ?? 'default');
    for (const fn of Object.values(props.functions)) {
      this.eventBus.grantPutEventsTo(fn);
      fn.addEnvironment(EVENT_BUS_ENV, this.eventBus.eventBusName);
    }

    this.startDeadLetters = new Queue(this, 'StartDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // SQS's longest: time for someone to read why a start was lost and send it again.
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.startDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the dead-letter queue of the start rule's target; nothing consumes it to fail again.",
    });

    // Confused-deputy guard: only EventBridge acting for this account may assume the role.
    // (Not the rule's ARN: the rule names the role, so that would be a circular reference.)
    const startRole = new Role(this, 'StartRole', {
      assumedBy: new ServicePrincipal('events.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
      }),
      description: 'svm-migrate: the start rule starts executions of the migration state machine',
    });

    this.startPattern = { source: [START_REQUEST_SOURCE], detailType: [START_REQUEST_DETAIL_TYPE] };
    this.startRule = new Rule(this, 'StartRule', {
      eventBus: this.eventBus,
      eventPattern: this.startPattern,
      description: `Starts a migration from a "${START_REQUEST_DETAIL_TYPE}" event of source ${START_REQUEST_SOURCE}; its detail is the execution input.`,
    });
    // The target grants the role states:StartExecution on this state machine only.
    this.startRule.addTarget(
      new SfnStateMachine(props.stateMachine, {
        input: RuleTargetInput.fromEventPath('$.detail'),
        role: startRole,
        deadLetterQueue: this.startDeadLetters,
        retryAttempts: START_RETRY_ATTEMPTS,
        maxEventAge: START_MAX_EVENT_AGE,
      }),
    );
  }
}
