// The migration's state machine: the one place its shape lives (docs/architecture.md, "The
// state machine and its tasks"). Its order comes from the step table (lambdas/steps.ts): the
// forward steps, their undo chain, their Catch targets and the ResumePoint Choice are derived
// from it. Read top to bottom: the end states, CheckState, the forward steps and their failure
// routes, the undo chain, then the forward path, the restart and where CheckState resumes.
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
import {
  ALREADY_COMPLETE,
  FORWARD_STEPS,
  type PollAction,
  type PreCommitAction,
  type RestartAction,
  type ResumePoint,
  UNDO_CHAIN,
  UNDO_STEPS,
  type UndoTask,
  undoOf,
} from '../lambdas/steps';
import { CLUSTER_TASKS, type TaskName } from '../lambdas/tasks';
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
  CheckState:
    'It creates or takes over the migration: until it returns there is no migration this execution owns to record a failure on (bad input is answered by its ValidationError, the ExecutionsFailed alarm watches the rest).',
  Precheck: "A check-only run creates no migration: its report or its error is the execution's output.",
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

/** The forward steps whose task result the state machine reads; the others' is dropped. */
const STEP_OPTIONS: Readonly<Record<string, StepOptions>> = {
  PollTransfer: { resultPath: POLL_PATH, pollIteration: true },
  PollCutoverTrigger: { resultPath: POLL_PATH, pollIteration: true },
  PreCommit: { resultPath: PRECOMMIT_PATH },
};

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
    /** The configured backoff (interval, rate, cap, full jitter, attempts) for these errors. */
    const configuredRetry = (errors: string[]) => ({
      errors,
      interval: Duration.seconds(tunables.retryIntervalSeconds),
      backoffRate: tunables.retryBackoffRate,
      maxDelay: Duration.seconds(tunables.retryMaxDelaySeconds),
      jitterStrategy: JitterType.FULL,
      maxAttempts: tunables.retryMaxAttempts,
    });
    const retryIntermittent = (step: TaskStateBase): TaskStateBase =>
      step
        .addRetry(LAMBDA_THROTTLE_RETRY)
        .addRetry(configuredRetry([ERROR_NAMES.TransientError, ERROR_NAMES.NetworkError]));
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
    // The undo chain and the source cleanup remove the SVM peering, which ONTAP removes on both
    // clusters over the inter-cluster link: a link outage there is waited out (with backoff), not
    // a reason to stop a rollback halfway (undo_failed) or to fail a cleanup.
    const retryLinkOutage = (step: TaskStateBase): TaskStateBase =>
      step.addRetry(configuredRetry([ERROR_NAMES.InterClusterLinkError]));

    // End states.
    const migrated = new Succeed(this, 'Migrated', { comment: 'Cut over and the source cleaned up.' });
    const readyForSourceCleanup = new Succeed(this, 'ReadyForSourceCleanup', {
      comment: 'Cut over; the source is kept until a cleanup run.',
    });
    const paused = new Succeed(this, 'Paused', {
      comment: 'Paused on request; a fresh execution resumes from DynamoDB.',
    });
    const continuedAsNew = new Succeed(this, 'ContinuedAsNew', {
      comment: 'A fresh execution took over, to keep the history short.',
    });
    const aborted = new Succeed(this, 'Aborted', {
      comment: 'Aborted on request before the point of no return and undone.',
    });
    const alreadyComplete = new Succeed(this, 'AlreadyComplete', {
      comment: 'The migration had already completed.',
    });
    const precheckPassed = new Succeed(this, 'PrecheckPassed', {
      comment: 'Check-only run: the pre-checks passed.',
    });
    const migrationFailed = new Fail(this, 'MigrationFailed', {
      error: 'MigrationFailed',
      cause:
        'The migration was undone and is not restarted (restart limit reached or the failure cannot be retried); the migration record holds the failure.',
    });
    const undoFailed = new Fail(this, 'UndoFailed', {
      error: 'UndoFailed',
      cause: 'An undo step failed after its retries; recorded as undo_failed, the clusters need an operator.',
    });
    const commitIncomplete = new Fail(this, 'CommitIncomplete', {
      error: 'CommitIncomplete',
      cause:
        'The commit failed after the destination started serving: roll forward only, so the source is not restarted; run again to finish the commit.',
    });
    const sourceCleanupFailed = new Fail(this, 'SourceCleanupFailed', {
      error: 'SourceCleanupFailed',
      cause:
        'Source cleanup failed after the cut-over; the destination serves. Run again to finish the cleanup.',
    });
    const taskFailed = new Fail(this, 'TaskFailed', {
      error: 'TaskFailed',
      cause:
        'A bookkeeping task failed past its retries; the migration record holds which and why, and its phase is unchanged: run again to continue.',
    });
    // A bookkeeping task's failure, recorded on the migration (by a state of its own, which
    // tells the recording task which step failed) before the execution ends; when the record
    // cannot be written either, the execution still ends TaskFailed, not in Lambda's error.
    const recordFailureOf = (failed: TaskStateBase, name: TaskName): TaskStateBase => {
      const record = task(`RecordFailureOf${failed.id}`, 'recordTaskFailure', {
        withError: true,
        step: name,
      });
      record.addCatch(taskFailed, onAnyError).next(taskFailed);
      return failed.addCatch(record, onAnyError);
    };

    // Every execution starts here: a fresh start, a resume after a pause or a crash, or the
    // continuation of a continued-as-new execution all read the migration from DynamoDB.
    const checkState = retryIntermittent(
      new LambdaInvoke(this, 'CheckState', {
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
        resultSelector: {
          migration: JsonPath.entirePayload,
          error: JsonPath.stringToJson('null'),
          poll: { iteration: 0 },
        },
        taskTimeout,
      }),
    );
    // A check-only run creates no migration: Precheck reads the execution's input itself.
    const precheck = task('Precheck', 'precheck', {
      resultPath: '$.precheck',
      payload: TaskInput.fromObject({ input: JsonPath.executionInput, executionId: JsonPath.executionId }),
    }).next(precheckPassed);

    // The forward steps, one task state per entry of the step table, in its order.
    const steps = new Map(FORWARD_STEPS.map((s) => [s.state, task(s.state, s.task, STEP_OPTIONS[s.state])]));
    const stepState = (name: string): TaskStateBase => {
      const state = steps.get(name);
      if (!state) throw new Error(`the step table (lambdas/steps.ts) has no step ${name}`);
      return state;
    };
    const [
      setup,
      startTransfer,
      pollTransfer,
      pollCutoverTrigger,
      preCommit,
      commit,
      sourceCleanup,
      complete,
    ] = [
      'Setup',
      'StartTransfer',
      'PollTransfer',
      'PollCutoverTrigger',
      'PreCommit',
      'Commit',
      'SourceCleanup',
      'Complete',
    ].map(stepState);

    // The undo chain, in reverse order of the forward steps (UNDO_CHAIN); each undo ends in
    // RecordUndoFailed when it fails past its retries, so a rollback never stops halfway
    // unrecorded. When the record itself cannot be written the execution still ends UndoFailed,
    // not in Lambda's error, so the alarm and the CLI read the same outcome.
    const recordUndoFailed = task('RecordUndoFailed', 'recordUndoFailed', { withError: true })
      .addCatch(undoFailed, onAnyError)
      .next(undoFailed);
    // RestartSourceVserver, the commit's undo, works on the source alone: it never waits for the link.
    const undoTask = (u: UndoTask) => task(UNDO_STEPS[u].state, u, { withError: true });
    const undos = new Map(
      UNDO_CHAIN.map((u) => [
        u,
        UNDO_STEPS[u].state.startsWith('Undo') ? retryLinkOutage(undoTask(u)) : undoTask(u),
      ]),
    );
    const undoState = (u: UndoTask): TaskStateBase => {
      const state = undos.get(u);
      if (!state) throw new Error(`undo ${u} is on no step of the step table (lambdas/steps.ts)`);
      return state;
    };
    const undoOfStep = (name: string): TaskStateBase => {
      const step = FORWARD_STEPS.find((s) => s.state === name);
      const u = step && undoOf(step);
      if (!u) throw new Error(`step ${name} has no undo in the step table (lambdas/steps.ts)`);
      return undoState(u);
    };
    const pointOfNoReturn = FORWARD_STEPS.find((s) => s.pointOfNoReturn);
    for (const u of UNDO_CHAIN) {
      // The point of no return's undo refuses (ConflictError) once the destination takes clients: then only forward, by a rerun.
      if (u === pointOfNoReturn?.undo)
        undoState(u).addCatch(commitIncomplete, {
          errors: [ERROR_NAMES.ConflictError],
          resultPath: ERROR_PATH,
        });
      undoState(u).addCatch(recordUndoFailed, onAnyError);
    }
    const decideRestart = recordFailureOf(
      task('DecideRestart', 'decideRestart', { withError: true, resultPath: '$.restart' }),
      'decideRestart',
    );
    UNDO_CHAIN.map(undoState)
      .reduce((previous, next) => {
        previous.next(next);
        return next;
      })
      .next(decideRestart);

    // Unrecorded, whether the destination serves is unknown: a failure at the point of no return
    // never restarts the source. A lost link too goes through RecordCommitFailure: whether the
    // source may be restarted is asked of the destination cluster, not read from DynamoDB alone.
    const recordCommitFailure = recordFailureOf(
      task('RecordCommitFailure', 'recordCommitFailure', { withError: true, resultPath: '$.commitFailure' }),
      'recordCommitFailure',
    ).next(
      // Restart the source only when the destination cluster says it takes no clients: at most
      // one SVM serves, and writes it acknowledged are never thrown away.
      new Choice(this, 'DestinationServing')
        .when(Condition.booleanEquals('$.commitFailure.destinationServing', false), undoOfStep('Commit'))
        .otherwise(commitIncomplete),
    );
    // A step that only rolls forward ends in its own failure; a rerun finishes it.
    const rollForwardFailures: Record<string, Fail> = { SourceCleanup: sourceCleanupFailed };

    // Each forward step's failures, from the table: a NodeUnhealthyError relocates a step that
    // runs on a cluster node to a healthy one and runs it again (a failed relocation takes the
    // step's failure path); past its retries a failure runs the step's undo and the rest of the
    // chain, or asks first at the point of no return; a bookkeeping step records its failure.
    for (const s of FORWARD_STEPS) {
      const step = stepState(s.state);
      if (!CLUSTER_TASKS.includes(s.task)) {
        recordFailureOf(step, s.task);
        continue;
      }
      const failure: IChainable | undefined = s.pointOfNoReturn
        ? recordCommitFailure
        : s.undo
          ? undoState(s.undo)
          : rollForwardFailures[s.state];
      if (!failure) throw new Error(`step ${s.state} rolls forward only: give it a failure state`);
      const relocate = task(`Relocate${s.state}`, 'relocate', { withError: true, step: s.task });
      relocate.addCatch(failure, onAnyError).next(step);
      step.addCatch(relocate, { errors: [ERROR_NAMES.NodeUnhealthyError], resultPath: ERROR_PATH });
      step.addCatch(failure, onAnyError);
    }

    // A poll loop answers in $.poll.action; past the iteration cap the poll task answers
    // continueAsNew, so an execution's history stays bounded however long the wait.
    const continueAsNew = recordFailureOf(task('ContinueAsNew', 'continueAsNew'), 'continueAsNew').next(
      continuedAsNew,
    );
    const pollIs = (action: PollAction) => Condition.stringEquals(`${POLL_PATH}.action`, action);
    const pollOutcome = (
      stateName: string,
      onAbort: IChainable,
      onReady: IChainable,
      onWait: IChainable,
    ): Choice =>
      new Choice(this, stateName)
        .when(pollIs('aborted'), onAbort)
        .when(pollIs('paused'), paused)
        .when(pollIs('continueAsNew'), continueAsNew)
        .when(pollIs('ready'), onReady)
        .otherwise(onWait);

    // The forward path: setup -> transfer -> cut-over trigger -> pre-commit -> commit -> source cleanup.
    const waitForTransfer = new Wait(this, 'WaitForTransfer', {
      time: WaitTime.secondsPath('$.migration.pollSeconds'),
    });
    const waitForCutoverTrigger = new Wait(this, 'WaitForCutoverTrigger', {
      time: WaitTime.secondsPath('$.migration.pollSeconds'),
    });
    const cutoverMode = new Choice(this, 'CutoverMode')
      .when(Condition.booleanEquals('$.migration.autoCutover', true), preCommit)
      .otherwise(waitForCutoverTrigger);
    setup
      .next(startTransfer)
      .next(waitForTransfer)
      .next(pollTransfer)
      .next(pollOutcome('TransferStatus', undoOfStep('PollTransfer'), cutoverMode, waitForTransfer));
    waitForCutoverTrigger
      .next(pollCutoverTrigger)
      .next(
        pollOutcome(
          'CutoverTriggerStatus',
          undoOfStep('PollCutoverTrigger'),
          preCommit,
          waitForCutoverTrigger,
        ),
      );
    // PreCommit reads pause and abort before the cut-over begins and abort again once client
    // access is stopped: the last step where either still applies.
    const preCommitIs = (action: PreCommitAction) =>
      Condition.stringEquals(`${PRECOMMIT_PATH}.action`, action);
    preCommit.next(
      new Choice(this, 'PreCommitStatus')
        .when(preCommitIs('aborted'), undoOfStep('PreCommit'))
        .when(preCommitIs('paused'), paused)
        .otherwise(commit),
    );
    commit.next(
      new Choice(this, 'SourceCleanupMode')
        .when(Condition.booleanEquals('$.migration.autoSourceCleanup', true), sourceCleanup)
        .otherwise(complete),
    );
    retryLinkOutage(sourceCleanup).next(complete);
    complete.next(
      new Choice(this, 'CompletionMode')
        .when(Condition.booleanEquals('$.migration.autoSourceCleanup', true), migrated)
        .otherwise(readyForSourceCleanup),
    );

    // After the undo chain: restarts back off (the seconds double with each restart), so a
    // fault that persists is not hammered, then run from the first step again.
    const restartIs = (action: RestartAction) => Condition.stringEquals('$.restart.action', action);
    decideRestart.next(
      new Choice(this, 'RestartDecision')
        .when(
          restartIs('restart'),
          new Wait(this, 'RestartBackoff', { time: WaitTime.secondsPath('$.restart.waitSeconds') }).next(
            stepState(FORWARD_STEPS[0].state),
          ),
        )
        .when(restartIs('aborted'), aborted)
        .otherwise(migrationFailed),
    );

    // Where CheckState sends the execution, from the table: each step's resume point, then a
    // finished migration, then each undo's. No otherwise: an unknown resume point fails the
    // execution with States.NoChoiceMatched.
    const entries = new Map<string, IChainable>([[cutoverMode.id, cutoverMode]]);
    const entryOf = (s: (typeof FORWARD_STEPS)[number]): IChainable => {
      const entry = s.entry ? entries.get(s.entry) : stepState(s.state);
      if (!entry)
        throw new Error(
          `step ${s.state} is entered through ${s.entry}, which the state machine does not build`,
        );
      return entry;
    };
    const resumeAt = (point: ResumePoint) => Condition.stringEquals('$.migration.resumeAt', point);
    const resumePoint = new Choice(this, 'ResumePoint').when(
      Condition.booleanEquals('$.migration.checkOnly', true),
      precheck,
    );
    for (const s of FORWARD_STEPS) if (s.resumeAt) resumePoint.when(resumeAt(s.resumeAt), entryOf(s));
    resumePoint.when(resumeAt(ALREADY_COMPLETE), alreadyComplete);
    for (const u of UNDO_CHAIN) {
      const point = UNDO_STEPS[u].resumeAt;
      if (point) resumePoint.when(resumeAt(point), undoState(u));
    }
    checkState.next(resumePoint);

    const logGroup = new LogGroup(this, 'Logs', {
      // The vended-logs prefix keeps CloudWatch Logs' resource policy small. The stack's id
      // (new at each create) ends the name: the group outlives a `cdk destroy` (its logs are
      // the record of what happened to the SVMs, kept for logRetentionDays), and a stack
      // created again must not collide with it.
      logGroupName: Fn.join('', [
        `/aws/vendedlogs/states/${props.stateMachineName}-`,
        Fn.select(2, Fn.split('/', Aws.STACK_ID)),
      ]),
      retention: config.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      comment:
        'svm-migrate: move an ONTAP SVM between clusters (setup, transfer, cut-over pre-commit, commit) with retries and compensating undo.',
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
    reason:
      'Log delivery (logs:CreateLogDelivery, DescribeLogGroups, ...) and X-Ray tracing support no resource-level permissions.',
  });
  for (const fn of functions) {
    acknowledgeWildcardResource(
      stateMachine.role,
      `${fn.functionArn}:*`,
      'CDK grants InvokeFunction on the named function and its versions and aliases (ARN:*); no other function.',
    );
  }
}
