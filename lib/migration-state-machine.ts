// The migration's state machine: the one place its shape lives (docs/architecture.md, "The
// state machine and its tasks"). Read top to bottom it is the migration: the undo chain and
// the end states first (every forward step needs them as Catch targets), then the forward
// steps setup -> transfer -> cut-over trigger -> pre-commit -> commit -> source cleanup, and
// CheckState, which decides where an execution starts.
import { Aws, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  Fail,
  type IChainable,
  JitterType,
  JsonPath,
  LogLevel,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  type TaskStateBase,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ERROR_NAMES } from '../lambdas/errors';
import type { TaskName } from '../lambdas/tasks';
import type { MigrationConfig } from './config';
import { acknowledgeWildcardResource } from './nag';

/** Where a Catch puts the error ({Error, Cause}); the undo, relocate and restart tasks receive it. */
const ERROR_PATH = '$.error';
/**
 * Where the poll tasks answer ({action, iteration}). The iteration counts the polls of the
 * whole execution, across both loops and restarts: it is the execution's history that the
 * iteration cap bounds.
 */
const POLL_PATH = '$.poll';

/** Where PreCommit answers ({action}: continue, aborted or paused). */
const PRECOMMIT_PATH = '$.precommit';

/**
 * Lambda answers TooManyRequestsException when the account's or the function's concurrency is
 * used up (Step Functions' "Handle Lambda service exceptions"); CDK's own retrier does not list
 * it. A throttle clears as other invocations end, so back off further than for a service error.
 */
const LAMBDA_THROTTLE_RETRY = {
  errors: ['Lambda.TooManyRequestsException'],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxDelay: Duration.seconds(60),
  jitterStrategy: JitterType.FULL,
  maxAttempts: 8,
};

/**
 * The tasks with no Catch, and why: every other task routes a failure past its retries to a
 * state that records it on the migration before the execution ends.
 */
export const TASKS_WITHOUT_CATCH: Readonly<Record<string, string>> = {
  CheckState: 'It creates or takes over the migration: until it returns there is no migration this execution owns to record a failure on (bad input is answered by its ValidationError, the ExecutionsFailed alarm watches the rest).',
  Precheck: 'A check-only run creates no migration: its report or its error is the execution\'s output.',
};

/**
 * The state machine's name is fixed (from the stack's name) so the functions can be granted
 * StartExecution on its ARN without a reference to it, which would be a circular dependency.
 */
export function migrationStateMachineName(scope: Construct): string {
  return `${Stack.of(scope).stackName}-migration`;
}

export interface MigrationStateMachineProps {
  config: MigrationConfig;
  functions: Record<TaskName, IFunction>;
  stateMachineName: string;
}

interface StepOptions {
  /** Where the task's result goes; null drops it (the default: most steps report through DynamoDB). */
  resultPath?: string | null;
  /** Undo, relocate and restart tasks also receive the caught error. */
  withError?: boolean;
  /** The relocate task is told which step it relocates. */
  step?: TaskName;
  /** A poll task gets the previous poll's iteration, to continue as new past the cap. */
  pollIteration?: boolean;
  /** A payload other than the common one (Precheck's). */
  payload?: TaskInput;
}

export class MigrationStateMachine extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: MigrationStateMachineProps) {
    super(scope, id);
    const { config, functions } = props;
    const { tunables } = config;

    const taskTimeout = Timeout.duration(Duration.seconds(config.taskTimeoutSeconds));
    // After CDK's own retrier for Lambda service errors (index 0): Lambda's throttle (the
    // function was not run, so running it later is safe; unretried it would send a forward step
    // to its undo), then the typed intermittent failures.
    const retryIntermittent = (step: TaskStateBase): TaskStateBase =>
      step.addRetry(LAMBDA_THROTTLE_RETRY).addRetry({
        errors: [ERROR_NAMES.transient, ERROR_NAMES.network],
        interval: Duration.seconds(tunables.retryIntervalSeconds),
        backoffRate: tunables.retryBackoffRate,
        maxDelay: Duration.seconds(tunables.retryMaxDelaySeconds),
        jitterStrategy: JitterType.FULL,
        maxAttempts: tunables.retryMaxAttempts,
      });
    const task = (stateName: string, name: TaskName, options: StepOptions = {}): TaskStateBase =>
      retryIntermittent(
        new LambdaInvoke(this, stateName, {
          lambdaFunction: functions[name],
          payloadResponseOnly: true,
          payload: options.payload ?? taskPayload(options),
          resultPath: options.resultPath ?? JsonPath.DISCARD,
          taskTimeout,
        }),
      );
    const onAnyError = { errors: [Errors.ALL], resultPath: ERROR_PATH };

    // End states.
    const migrated = new Succeed(this, 'Migrated', { comment: 'Cut over and the source cleaned up.' });
    const readyForSourceCleanup = new Succeed(this, 'ReadyForSourceCleanup', { comment: 'Cut over; the source is kept until a cleanup run.' });
    const paused = new Succeed(this, 'Paused', { comment: 'Paused on request; a fresh execution resumes from DynamoDB.' });
    const continuedAsNew = new Succeed(this, 'ContinuedAsNew', { comment: 'A fresh execution took over, to keep the history short.' });
    const aborted = new Succeed(this, 'Aborted', { comment: 'Aborted on request before the point of no return and undone.' });
    const alreadyComplete = new Succeed(this, 'AlreadyComplete', { comment: 'The migration had already completed.' });
    const precheckPassed = new Succeed(this, 'PrecheckPassed', { comment: 'Check-only run: the pre-checks passed.' });
    const migrationFailed = new Fail(this, 'MigrationFailed', {
      error: 'MigrationFailed',
      cause: 'The migration was undone and is not restarted (restart limit reached or the failure cannot be retried); the migration record holds the failure.',
    });
    const undoFailed = new Fail(this, 'UndoFailed', {
      error: 'UndoFailed',
      cause: 'An undo step failed after its retries; recorded as undo_failed, the clusters need an operator.',
    });
    const commitIncomplete = new Fail(this, 'CommitIncomplete', {
      error: 'CommitIncomplete',
      cause: 'The commit failed after the destination started serving: roll forward only, so the source is not restarted; run again to finish the commit.',
    });
    const sourceCleanupFailed = new Fail(this, 'SourceCleanupFailed', {
      error: 'SourceCleanupFailed',
      cause: 'Source cleanup failed after the cut-over; the destination serves. Run again to finish the cleanup.',
    });
    const taskFailed = new Fail(this, 'TaskFailed', {
      error: 'TaskFailed',
      cause: 'A bookkeeping task failed past its retries; the migration record holds which and why, and its phase is unchanged: run again to continue.',
    });
    // A bookkeeping task's failure, recorded on the migration (by a state of its own, which
    // tells the recording task which step failed) before the execution ends; when the record
    // cannot be written either, the execution still ends TaskFailed, not in Lambda's error.
    const recordFailureOf = (failed: TaskStateBase, name: TaskName): TaskStateBase => {
      const record = task(`RecordFailureOf${failed.id}`, 'recordTaskFailure', { withError: true, step: name });
      record.addCatch(taskFailed, onAnyError).next(taskFailed);
      return failed.addCatch(record, onAnyError);
    };

    // The undo chain, in reverse order of the forward steps; each undo ends in RecordUndoFailed
    // when it fails past its retries, so a rollback never stops halfway unrecorded.
    // When the record itself cannot be written the execution still ends UndoFailed, not in
    // Lambda's error, so the alarm and the CLI read the same outcome.
    const recordUndoFailed = task('RecordUndoFailed', 'recordUndoFailed', { withError: true }).addCatch(undoFailed, onAnyError).next(undoFailed);
    const undo = (stateName: string, name: TaskName, refusals: { errors: string[]; next: IChainable }[] = []): TaskStateBase => {
      const step = task(stateName, name, { withError: true });
      for (const refusal of refusals) step.addCatch(refusal.next, { errors: refusal.errors, resultPath: ERROR_PATH });
      return step.addCatch(recordUndoFailed, onAnyError);
    };

    const decideRestart = recordFailureOf(task('DecideRestart', 'decideRestart', { withError: true, resultPath: '$.restart' }), 'decideRestart');
    const undoSetup = undo('UndoSetup', 'undoSetup');
    const undoTransfer = undo('UndoTransfer', 'undoTransfer');
    const undoPreCommit = undo('UndoPreCommit', 'undoPreCommit');
    // It refuses (ConflictError) once the destination takes clients: then only forward, by a rerun.
    const restartSourceVserver = undo('RestartSourceVserver', 'restartSourceVserver', [{ errors: [ERROR_NAMES.conflict], next: commitIncomplete }]);
    restartSourceVserver.next(undoPreCommit).next(undoTransfer).next(undoSetup).next(decideRestart);

    // A forward step: a NodeUnhealthyError relocates it to a healthy node and runs it again
    // (a failed relocation takes the step's failure path); the step's other catches follow.
    const forward = (
      stateName: string,
      name: TaskName,
      failures: { errors: string[]; next: IChainable }[],
      options: StepOptions = {},
    ): TaskStateBase => {
      const step = task(stateName, name, options);
      const relocate = task(`Relocate${stateName}`, 'relocate', { withError: true, step: name });
      relocate.addCatch(failures[failures.length - 1].next, onAnyError).next(step);
      step.addCatch(relocate, { errors: [ERROR_NAMES.nodeUnhealthy], resultPath: ERROR_PATH });
      for (const failure of failures) step.addCatch(failure.next, { errors: failure.errors, resultPath: ERROR_PATH });
      return step;
    };

    const continueAsNew = recordFailureOf(task('ContinueAsNew', 'continueAsNew'), 'continueAsNew').next(continuedAsNew);

    // Forward steps, built from the end so each can name what follows it.
    const complete = recordFailureOf(task('Complete', 'complete'), 'complete').next(
      new Choice(this, 'CompletionMode')
        .when(Condition.booleanEquals('$.migration.autoSourceCleanup', true), migrated)
        .otherwise(readyForSourceCleanup),
    );
    const sourceCleanup = forward('SourceCleanup', 'sourceCleanup', [{ errors: [Errors.ALL], next: sourceCleanupFailed }]).next(complete);

    // Unrecorded, whether the destination serves is unknown: its failure never restarts the source.
    const recordCommitFailure = recordFailureOf(
      task('RecordCommitFailure', 'recordCommitFailure', { withError: true, resultPath: '$.commitFailure' }),
      'recordCommitFailure',
    ).next(
      // Restart the source only when the destination cluster says it takes no clients: at most
      // one SVM serves, and writes it acknowledged are never thrown away.
      new Choice(this, 'DestinationServing')
        .when(Condition.booleanEquals('$.commitFailure.destinationServing', false), restartSourceVserver)
        .otherwise(commitIncomplete),
    );
    // A lost link too goes through RecordCommitFailure: whether the source may be restarted is
    // asked of the destination cluster, not read from DynamoDB alone.
    const commit = forward('Commit', 'commit', [{ errors: [Errors.ALL], next: recordCommitFailure }]).next(
      new Choice(this, 'SourceCleanupMode')
        .when(Condition.booleanEquals('$.migration.autoSourceCleanup', true), sourceCleanup)
        .otherwise(complete),
    );
    // PreCommit reads pause and abort before the cut-over begins and abort again once client
    // access is stopped: the last step where either still applies.
    const preCommit = forward('PreCommit', 'preCommit', [{ errors: [Errors.ALL], next: undoPreCommit }], { resultPath: PRECOMMIT_PATH }).next(
      new Choice(this, 'PreCommitStatus')
        .when(Condition.stringEquals(`${PRECOMMIT_PATH}.action`, 'aborted'), undoPreCommit)
        .when(Condition.stringEquals(`${PRECOMMIT_PATH}.action`, 'paused'), paused)
        .otherwise(commit),
    );

    // A poll loop answers in $.poll.action; past the iteration cap the poll task answers
    // continueAsNew, so an execution's history stays bounded however long the wait.
    const pollOutcome = (stateName: string, onAbort: IChainable, onReady: IChainable, onWait: IChainable): Choice =>
      new Choice(this, stateName)
        .when(Condition.stringEquals(`${POLL_PATH}.action`, 'aborted'), onAbort)
        .when(Condition.stringEquals(`${POLL_PATH}.action`, 'paused'), paused)
        .when(Condition.stringEquals(`${POLL_PATH}.action`, 'continueAsNew'), continueAsNew)
        .when(Condition.stringEquals(`${POLL_PATH}.action`, 'ready'), onReady)
        .otherwise(onWait);

    const waitForCutoverTrigger = new Wait(this, 'WaitForCutoverTrigger', { time: WaitTime.secondsPath('$.migration.pollSeconds') });
    const pollCutoverTrigger = forward('PollCutoverTrigger', 'pollCutoverTrigger', [{ errors: [Errors.ALL], next: undoPreCommit }], {
      resultPath: POLL_PATH,
      pollIteration: true,
    });
    waitForCutoverTrigger
      .next(pollCutoverTrigger)
      .next(pollOutcome('CutoverTriggerStatus', undoPreCommit, preCommit, waitForCutoverTrigger));
    const cutoverMode = new Choice(this, 'CutoverMode')
      .when(Condition.booleanEquals('$.migration.autoCutover', true), preCommit)
      .otherwise(waitForCutoverTrigger);

    const waitForTransfer = new Wait(this, 'WaitForTransfer', { time: WaitTime.secondsPath('$.migration.pollSeconds') });
    const pollTransfer = forward('PollTransfer', 'pollTransfer', [{ errors: [Errors.ALL], next: undoTransfer }], {
      resultPath: POLL_PATH,
      pollIteration: true,
    });
    waitForTransfer.next(pollTransfer).next(pollOutcome('TransferStatus', undoTransfer, cutoverMode, waitForTransfer));
    const startTransfer = forward('StartTransfer', 'startTransfer', [{ errors: [Errors.ALL], next: undoTransfer }]).next(waitForTransfer);

    const setup = forward('Setup', 'setup', [{ errors: [Errors.ALL], next: undoSetup }]).next(startTransfer);

    // Restarts back off (the seconds double with each restart): a fault that persists is not hammered.
    const restartBackoff = new Wait(this, 'RestartBackoff', { time: WaitTime.secondsPath('$.restart.waitSeconds') }).next(setup);
    decideRestart.next(
      new Choice(this, 'RestartDecision')
        .when(Condition.stringEquals('$.restart.action', 'restart'), restartBackoff)
        .when(Condition.stringEquals('$.restart.action', 'aborted'), aborted)
        .otherwise(migrationFailed),
    );

    // Every execution starts here: a fresh start, a resume after a pause or a crash, or the
    // continuation of a continued-as-new execution all read the migration from DynamoDB.
    const checkState = retryIntermittent(new LambdaInvoke(this, 'CheckState', {
      lambdaFunction: functions.checkState,
      payloadResponseOnly: true,
      payload: TaskInput.fromObject({
        input: JsonPath.entirePayload,
        executionId: JsonPath.executionId,
        startTime: JsonPath.executionStartTime,
      }),
      // With the default ResultPath ($) the state carries only {migration, error, poll} from
      // here on: the input is in DynamoDB now (and in $$.Execution.Input). ResultPath is left
      // out rather than set to '$', which aws-local-stepfunctions 3.0 writes to a key named '$'.
      // error starts as JSON null (CDK drops a literal null), so an undo reached by an abort,
      // not by a Catch, finds $.error; poll starts at iteration 0.
      resultSelector: { migration: JsonPath.entirePayload, error: JsonPath.stringToJson('null'), poll: { iteration: 0 } },
      taskTimeout,
    }));
    // A check-only run creates no migration: Precheck reads the execution's input itself.
    const precheck = task('Precheck', 'precheck', {
      resultPath: '$.precheck',
      payload: TaskInput.fromObject({ input: JsonPath.executionInput, executionId: JsonPath.executionId }),
    }).next(precheckPassed);
    const resumeAt = (point: string) => Condition.stringEquals('$.migration.resumeAt', point);
    checkState.next(
      // No otherwise: an unknown resume point fails the execution with States.NoChoiceMatched.
      new Choice(this, 'ResumePoint')
        .when(Condition.booleanEquals('$.migration.checkOnly', true), precheck)
        .when(resumeAt('setup'), setup)
        .when(resumeAt('transfer'), startTransfer)
        .when(resumeAt('cutover'), cutoverMode)
        .when(resumeAt('precommit'), preCommit)
        .when(resumeAt('commit'), commit)
        .when(resumeAt('cleanup'), sourceCleanup)
        .when(resumeAt('finish'), complete)
        .when(resumeAt('complete'), alreadyComplete)
        .when(resumeAt('undo_precommit'), undoPreCommit)
        .when(resumeAt('undo_transfer'), undoTransfer)
        .when(resumeAt('undo_setup'), undoSetup),
    );

    const logGroup = new LogGroup(this, 'Logs', {
      // The vended-logs prefix keeps CloudWatch Logs' resource policy small. The stack's id
      // (new at each create) ends the name: the group outlives a `cdk destroy` (its logs are
      // the record of what happened to the SVMs, kept for logRetentionDays), and a stack
      // created again must not collide with it.
      logGroupName: Fn.join('', [`/aws/vendedlogs/states/${props.stateMachineName}-`, Fn.select(2, Fn.split('/', Aws.STACK_ID))]),
      retention: config.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      comment: 'svm-migrate: move an ONTAP SVM between clusters (setup, transfer, cut-over pre-commit, commit) with retries and compensating undo.',
      definitionBody: DefinitionBody.fromChainable(checkState),
      timeout: Duration.days(config.stateMachineTimeoutDays),
      tracingEnabled: true,
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
    });
    acknowledgeFindings(this.stateMachine, Object.values(functions));
  }
}

/** The small payload every task gets (docs/architecture.md). */
function taskPayload(options: StepOptions): TaskInput {
  return TaskInput.fromObject({
    migrationId: JsonPath.stringAt('$.migration.id'),
    executionId: JsonPath.executionId,
    stateName: JsonPath.stateName,
    retryCount: JsonPath.stateRetryCount,
    ...(options.withError && { error: JsonPath.objectAt(ERROR_PATH) }),
    ...(options.pollIteration && { iteration: JsonPath.numberAt(`${POLL_PATH}.iteration`) }),
    ...(options.step && { step: options.step }),
  });
}

function acknowledgeFindings(stateMachine: StateMachine, functions: IFunction[]): void {
  Validations.of(stateMachine.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Log delivery (logs:CreateLogDelivery, DescribeLogGroups, ...) and X-Ray tracing support no resource-level permissions.',
  });
  for (const fn of functions) {
    acknowledgeWildcardResource(
      stateMachine.role,
      `${fn.functionArn}:*`,
      'CDK grants InvokeFunction on the named function and its versions and aliases (ARN:*); no other function.',
    );
  }
}
