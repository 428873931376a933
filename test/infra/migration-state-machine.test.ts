// The state machine's Retry and Catch blocks, state by state, read from the resolved
// definition (never the whole definition string), and the machine's own settings.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { TASK_ENV } from '../../lambdas/tasks';
import { TASK_TIMEOUT_MARGIN_SECONDS } from '../../lib/config';
import { TASKS_WITHOUT_CATCH } from '../../lib/migration-state-machine';
import { type AslDefinition, type AslState, buildStack, synthesizeDefinition } from '../../local/definition';

type Retrier = {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
};
type Catcher = { ErrorEquals: string[]; Next: string; ResultPath?: string | null };

const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
];
const FORWARD_STEPS = [
  'Setup',
  'StartTransfer',
  'PollTransfer',
  'PollCutoverTrigger',
  'PreCommit',
  'Commit',
  'SourceCleanup',
];
const UNDO_STEPS = ['UndoPreCommit', 'UndoTransfer', 'UndoSetup'];

const catches = (state: AslState): Catcher[] => (state.Catch as Catcher[] | undefined) ?? [];
const retries = (state: AslState): Retrier[] => (state.Retry as Retrier[] | undefined) ?? [];
const catchTargets = (state: AslState): [string, string][] =>
  catches(state).map((c) => [c.ErrorEquals.join('|'), c.Next]);

describe('migration state machine definition', () => {
  let definition: AslDefinition;
  let functions: Record<string, string>;
  let tasks: [string, AslState][];
  beforeAll(() => {
    // Non-default tunables, to see that the Retry blocks follow the configuration.
    ({ definition, functions } = synthesizeDefinition({
      context: {
        retryMaxAttempts: 7,
        retryIntervalSeconds: 3,
        retryBackoffRate: 1.5,
        retryMaxDelaySeconds: 45,
        taskTimeoutSeconds: 300,
      },
    }));
    tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');
  });

  it("retries every task: CDK's Lambda service retrier first, Lambda's throttle, then TransientError and NetworkError from the configuration", () => {
    expect(tasks.length).toBeGreaterThan(20);
    for (const [name, state] of tasks) {
      const [service, throttle, intermittent, ...rest] = retries(state);
      expect({ name, service: service.ErrorEquals }).toEqual({ name, service: LAMBDA_SERVICE_ERRORS });
      // Every retriable error Lambda's invoke reports, so none of them reaches a Catch (an undo) first.
      const retried = retries(state).flatMap((r) => r.ErrorEquals);
      expect({ name, retried }).toEqual({
        name,
        retried: expect.arrayContaining([...LAMBDA_SERVICE_ERRORS, 'Lambda.TooManyRequestsException']),
      });
      expect({ name, throttle }).toEqual({
        name,
        throttle: {
          ErrorEquals: ['Lambda.TooManyRequestsException'],
          IntervalSeconds: 2,
          BackoffRate: 2,
          MaxDelaySeconds: 60,
          JitterStrategy: 'FULL',
          MaxAttempts: 8,
        },
      });
      expect({ name, intermittent }).toEqual({
        name,
        intermittent: {
          ErrorEquals: ['TransientError', 'NetworkError'],
          IntervalSeconds: 3,
          BackoffRate: 1.5,
          MaxDelaySeconds: 45,
          JitterStrategy: 'FULL',
          MaxAttempts: 7,
        },
      });
      // The undo chain and the source cleanup also wait out an inter-cluster link outage (they
      // remove the SVM peering on both clusters); no other task retries anything else.
      const waitsOutLink = name.startsWith('Undo') || name === 'SourceCleanup';
      expect({ name, rest }).toEqual({
        name,
        rest: waitsOutLink
          ? [
              {
                ErrorEquals: ['InterClusterLinkError'],
                IntervalSeconds: 3,
                BackoffRate: 1.5,
                MaxDelaySeconds: 45,
                JitterStrategy: 'FULL',
                MaxAttempts: 7,
              },
            ]
          : [],
      });
    }
  });

  it('gives every task a timeout, and the machine one', () => {
    for (const [name, state] of tasks)
      expect({ name, timeout: state.TimeoutSeconds }).toEqual({ name, timeout: 300 });
    expect(definition.TimeoutSeconds).toBe(30 * 24 * 3600);
  });

  it("ends every task's Lambda invocation at least the margin before its state times out", () => {
    // Prepare: the same context, to read each function's own timeout.
    const template = Template.fromStack(buildStack({ context: { taskTimeoutSeconds: 300 } }).stack);
    const functionTimeout = new Map<string, number>();
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      functionTimeout.set(fn.Properties.Environment.Variables[TASK_ENV], fn.Properties.Timeout);
    }
    // Assess: per state, through the function its Resource names.
    for (const [name, state] of tasks) {
      const task = functions[state.Resource as string];
      expect({ name, task, timeout: functionTimeout.get(task) }).toEqual({
        name,
        task,
        timeout: expect.any(Number),
      });
      expect({ name, margin: (state.TimeoutSeconds as number) - functionTimeout.get(task)! }).toEqual({
        name,
        margin: TASK_TIMEOUT_MARGIN_SECONDS,
      });
    }
  });

  it.each(FORWARD_STEPS)(
    'relocates %s on NodeUnhealthyError before any other catch, and runs it again',
    (step) => {
      const [first] = catches(definition.States[step]);
      expect(first).toEqual({
        ErrorEquals: ['NodeUnhealthyError'],
        ResultPath: '$.error',
        Next: `Relocate${step}`,
      });
      const relocate = definition.States[`Relocate${step}`];
      expect(relocate.Next).toBe(step);
      // The relocation fails the way the step does.
      expect(catchTargets(relocate)).toEqual([['States.ALL', catches(definition.States[step]).at(-1)!.Next]]);
    },
  );

  it.each([
    [
      'Setup',
      [
        ['NodeUnhealthyError', 'RelocateSetup'],
        ['States.ALL', 'UndoSetup'],
      ],
    ],
    [
      'StartTransfer',
      [
        ['NodeUnhealthyError', 'RelocateStartTransfer'],
        ['States.ALL', 'UndoTransfer'],
      ],
    ],
    [
      'PollTransfer',
      [
        ['NodeUnhealthyError', 'RelocatePollTransfer'],
        ['States.ALL', 'UndoTransfer'],
      ],
    ],
    [
      'PollCutoverTrigger',
      [
        ['NodeUnhealthyError', 'RelocatePollCutoverTrigger'],
        ['States.ALL', 'UndoPreCommit'],
      ],
    ],
    [
      'PreCommit',
      [
        ['NodeUnhealthyError', 'RelocatePreCommit'],
        ['States.ALL', 'UndoPreCommit'],
      ],
    ],
    // A lost link too: RecordCommitFailure asks the destination whether it takes clients.
    [
      'Commit',
      [
        ['NodeUnhealthyError', 'RelocateCommit'],
        ['States.ALL', 'RecordCommitFailure'],
      ],
    ],
    [
      'SourceCleanup',
      [
        ['NodeUnhealthyError', 'RelocateSourceCleanup'],
        ['States.ALL', 'SourceCleanupFailed'],
      ],
    ],
  ])('routes the failures of %s in order', (step, expected) => {
    expect(catchTargets(definition.States[step])).toEqual(expected);
    for (const c of catches(definition.States[step])) expect(c.ResultPath).toBe('$.error');
  });

  it("catches every task's failure, but for the tasks whose reason is written down", () => {
    const uncaught = tasks.filter(([, state]) => catches(state).length === 0).map(([name]) => name);
    expect(uncaught.sort()).toEqual(Object.keys(TASKS_WITHOUT_CATCH).sort());
    expect(uncaught.sort()).toEqual(['CheckState', 'Precheck']);
    for (const reason of Object.values(TASKS_WITHOUT_CATCH)) expect(reason.length).toBeGreaterThan(40);
  });

  it.each([
    ['Complete', 'complete'],
    ['ContinueAsNew', 'continueAsNew'],
    ['DecideRestart', 'decideRestart'],
    ['RecordCommitFailure', 'recordCommitFailure'],
  ])('records a failure of %s on the migration before the execution ends TaskFailed', (state, task) => {
    expect(catchTargets(definition.States[state])).toEqual([['States.ALL', `RecordFailureOf${state}`]]);
    const record = definition.States[`RecordFailureOf${state}`];
    expect(record).toMatchObject({ Type: 'Task', Next: 'TaskFailed', ResultPath: null });
    expect(record.Parameters).toMatchObject({ 'error.$': '$.error', step: task });
    expect(functions[record.Resource as string]).toBe('recordTaskFailure');
    // A failure to record still ends the execution TaskFailed.
    expect(catchTargets(record)).toEqual([['States.ALL', 'TaskFailed']]);
    expect(definition.States.TaskFailed).toMatchObject({ Type: 'Fail', Error: 'TaskFailed' });
  });

  it('ends UndoFailed even when the undo failure cannot be recorded', () => {
    expect(catchTargets(definition.States.RecordUndoFailed)).toEqual([['States.ALL', 'UndoFailed']]);
  });

  it('undoes in reverse order, then decides on a restart', () => {
    expect(definition.States.RestartSourceVserver.Next).toBe('UndoPreCommit');
    expect(definition.States.UndoPreCommit.Next).toBe('UndoTransfer');
    expect(definition.States.UndoTransfer.Next).toBe('UndoSetup');
    expect(definition.States.UndoSetup.Next).toBe('DecideRestart');
    expect(definition.States.DecideRestart.Next).toBe('RestartDecision');
    expect(definition.States.RestartDecision).toMatchObject({
      Choices: [
        { Variable: '$.restart.action', StringEquals: 'restart', Next: 'RestartBackoff' },
        { Variable: '$.restart.action', StringEquals: 'aborted', Next: 'Aborted' },
      ],
      Default: 'MigrationFailed',
    });
  });

  it('backs restarts off: a Wait of the seconds DecideRestart chose, then Setup', () => {
    expect(definition.States.RestartBackoff).toEqual({
      Type: 'Wait',
      SecondsPath: '$.restart.waitSeconds',
      Next: 'Setup',
    });
  });

  it.each(UNDO_STEPS)('ends %s in RecordUndoFailed -> UndoFailed when it fails past its retries', (step) => {
    expect(catchTargets(definition.States[step])).toEqual([['States.ALL', 'RecordUndoFailed']]);
    expect(definition.States.RecordUndoFailed.Next).toBe('UndoFailed');
    expect(definition.States.UndoFailed).toMatchObject({ Type: 'Fail', Error: 'UndoFailed' });
  });

  it('ends RestartSourceVserver in CommitIncomplete when it refuses (the destination takes clients), else like every undo', () => {
    expect(catchTargets(definition.States.RestartSourceVserver)).toEqual([
      ['ConflictError', 'CommitIncomplete'],
      ['States.ALL', 'RecordUndoFailed'],
    ]);
  });

  it('restarts the source after a failed commit only when the destination is known not to serve', () => {
    expect(definition.States.RecordCommitFailure).toMatchObject({
      ResultPath: '$.commitFailure',
      Next: 'DestinationServing',
    });
    expect(definition.States.DestinationServing).toMatchObject({
      Choices: [
        {
          Variable: '$.commitFailure.destinationServing',
          BooleanEquals: false,
          Next: 'RestartSourceVserver',
        },
      ],
      Default: 'CommitIncomplete',
    });
  });

  it('passes the small payload, with the error to undo, relocate and restart tasks and the step to relocate', () => {
    const base = {
      'migrationId.$': '$.migration.id',
      'executionId.$': '$$.Execution.Id',
      'stateName.$': '$$.State.Name',
      'retryCount.$': '$$.State.RetryCount',
    };
    expect(definition.States.Setup.Parameters).toEqual(base);
    expect(definition.States.UndoTransfer.Parameters).toEqual({ ...base, 'error.$': '$.error' });
    expect(definition.States.DecideRestart.Parameters).toEqual({ ...base, 'error.$': '$.error' });
    expect(definition.States.RelocatePollTransfer.Parameters).toEqual({
      ...base,
      'error.$': '$.error',
      step: 'pollTransfer',
    });
    expect(definition.States.CheckState.Parameters).toEqual({
      'input.$': '$',
      'executionId.$': '$$.Execution.Id',
      'startTime.$': '$$.Execution.StartTime',
    });
    // A check-only run has no migration yet: the execution's input instead.
    expect(definition.States.Precheck.Parameters).toEqual({
      'input.$': '$$.Execution.Input',
      'executionId.$': '$$.Execution.Id',
    });
    for (const poll of ['PollTransfer', 'PollCutoverTrigger']) {
      expect(definition.States[poll].Parameters).toEqual({ ...base, 'iteration.$': '$.poll.iteration' });
    }
  });

  it('replaces the execution input with {migration, error: null, poll: {iteration: 0}} after CheckState, and keeps each later result in its own path', () => {
    expect(definition.States.CheckState.ResultSelector).toEqual({
      'migration.$': '$',
      'error.$': "States.StringToJson('null')",
      poll: { iteration: 0 },
    });
    expect(definition.States.CheckState).not.toHaveProperty('ResultPath');
    expect(definition.States.PollTransfer.ResultPath).toBe('$.poll');
    expect(definition.States.PollCutoverTrigger.ResultPath).toBe('$.poll');
    expect(definition.States.DecideRestart.ResultPath).toBe('$.restart');
    expect(definition.States.Precheck.ResultPath).toBe('$.precheck');
    expect(definition.States.PreCommit.ResultPath).toBe('$.precommit');
    for (const step of [
      'Setup',
      'StartTransfer',
      'Commit',
      'SourceCleanup',
      'Complete',
      'UndoSetup',
      'RelocateSetup',
    ]) {
      expect(definition.States[step].ResultPath).toBeNull();
    }
  });

  it('waits between polls for $.migration.pollSeconds', () => {
    for (const wait of ['WaitForTransfer', 'WaitForCutoverTrigger']) {
      expect(definition.States[wait]).toMatchObject({ Type: 'Wait', SecondsPath: '$.migration.pollSeconds' });
    }
  });

  it('uses JSONPath only: no Map or Parallel state, no JSONata, no variables', () => {
    const text = JSON.stringify(definition);
    expect(Object.values(definition.States).map((s) => s.Type)).not.toEqual(expect.arrayContaining(['Map']));
    expect(Object.values(definition.States).map((s) => s.Type)).not.toEqual(
      expect.arrayContaining(['Parallel']),
    );
    expect(text).not.toContain('JSONata');
    expect(text).not.toContain('"QueryLanguage"');
    expect(text).not.toContain('"Assign"');
  });
});

describe('migration state machine resource', () => {
  it('names no log group that a stack created again after `cdk destroy` would collide with', () => {
    // Prepare
    const template = Template.fromStack(buildStack().stack);
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    const stackUuid = { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] };
    // Assess: a retained group is named by CloudFormation, or ends in the stack's id (new at each create).
    for (const group of logGroups) {
      const name = group.Properties.LogGroupName;
      if (name === undefined) continue;
      expect({ name, retained: group.DeletionPolicy }).toEqual({
        name: { 'Fn::Join': ['', [expect.any(String), stackUuid]] },
        retained: 'Retain',
      });
    }
    // The state machine's keeps the vended-logs prefix.
    expect(logGroups.map((g) => g.Properties.LogGroupName?.['Fn::Join']?.[1]?.[0]).filter(Boolean)).toEqual([
      '/aws/vendedlogs/states/SvmMigrate-migration-',
    ]);
  });

  it('is a Standard machine, logging everything with execution data, traced, named from the stack', () => {
    const template = Template.fromStack(buildStack().stack);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'SvmMigrate-migration',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.anyValue(),
      RetentionInDays: 30,
    });
    template.hasOutput('StateMachineArn', {});
    template.hasOutput('TableName', {});
  });
});
