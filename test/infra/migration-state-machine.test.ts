// The state machine's Retry and Catch blocks, state by state, read from the resolved
// definition (never the whole definition string), and the machine's own settings.
import { Template } from 'aws-cdk-lib/assertions';
import { buildStack, synthesizeDefinition, type AslDefinition, type AslState } from '../../local/definition';

type Retrier = { ErrorEquals: string[]; IntervalSeconds?: number; MaxAttempts?: number; BackoffRate?: number; MaxDelaySeconds?: number; JitterStrategy?: string };
type Catcher = { ErrorEquals: string[]; Next: string; ResultPath?: string | null };

const LAMBDA_SERVICE_ERRORS = ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'];
const FORWARD_STEPS = ['Setup', 'StartTransfer', 'PollTransfer', 'PollCutoverTrigger', 'PreCommit', 'Commit', 'SourceCleanup'];
const UNDO_STEPS = ['UndoPreCommit', 'UndoTransfer', 'UndoSetup'];

const catches = (state: AslState): Catcher[] => (state.Catch as Catcher[] | undefined) ?? [];
const retries = (state: AslState): Retrier[] => (state.Retry as Retrier[] | undefined) ?? [];
const catchTargets = (state: AslState): [string, string][] => catches(state).map((c) => [c.ErrorEquals.join('|'), c.Next]);

describe('migration state machine definition', () => {
  let definition: AslDefinition;
  let tasks: [string, AslState][];
  beforeAll(() => {
    // Non-default tunables, to see that the Retry blocks follow the configuration.
    definition = synthesizeDefinition({
      context: { retryMaxAttempts: 7, retryIntervalSeconds: 3, retryBackoffRate: 1.5, retryMaxDelaySeconds: 45, taskTimeoutSeconds: 300 },
    }).definition;
    tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');
  });

  it('retries every task: CDK\'s Lambda service retrier first, then TransientError and NetworkError from the configuration', () => {
    expect(tasks.length).toBeGreaterThan(20);
    for (const [name, state] of tasks) {
      const [service, intermittent, ...rest] = retries(state);
      expect({ name, service: service.ErrorEquals }).toEqual({ name, service: LAMBDA_SERVICE_ERRORS });
      expect({ name, intermittent }).toEqual({
        name,
        intermittent: { ErrorEquals: ['TransientError', 'NetworkError'], IntervalSeconds: 3, BackoffRate: 1.5, MaxDelaySeconds: 45, JitterStrategy: 'FULL', MaxAttempts: 7 },
      });
      expect(rest).toEqual([]);
    }
  });

  it('gives every task a timeout, and the machine one', () => {
    for (const [name, state] of tasks) expect({ name, timeout: state.TimeoutSeconds }).toEqual({ name, timeout: 300 });
    expect(definition.TimeoutSeconds).toBe(30 * 24 * 3600);
  });

  it.each(FORWARD_STEPS)('relocates %s on NodeUnhealthyError before any other catch, and runs it again', (step) => {
    const [first] = catches(definition.States[step]);
    expect(first).toEqual({ ErrorEquals: ['NodeUnhealthyError'], ResultPath: '$.error', Next: `Relocate${step}` });
    const relocate = definition.States[`Relocate${step}`];
    expect(relocate.Next).toBe(step);
    // The relocation fails the way the step does.
    expect(catchTargets(relocate)).toEqual([['States.ALL', catches(definition.States[step]).at(-1)!.Next]]);
  });

  it.each([
    ['Setup', [['NodeUnhealthyError', 'RelocateSetup'], ['States.ALL', 'UndoSetup']]],
    ['StartTransfer', [['NodeUnhealthyError', 'RelocateStartTransfer'], ['States.ALL', 'UndoTransfer']]],
    ['PollTransfer', [['NodeUnhealthyError', 'RelocatePollTransfer'], ['States.ALL', 'UndoTransfer']]],
    ['PollCutoverTrigger', [['NodeUnhealthyError', 'RelocatePollCutoverTrigger'], ['States.ALL', 'UndoPreCommit']]],
    ['PreCommit', [['NodeUnhealthyError', 'RelocatePreCommit'], ['States.ALL', 'UndoPreCommit']]],
    // A lost link too: RecordCommitFailure asks the destination whether it takes clients.
    ['Commit', [['NodeUnhealthyError', 'RelocateCommit'], ['States.ALL', 'RecordCommitFailure']]],
    ['SourceCleanup', [['NodeUnhealthyError', 'RelocateSourceCleanup'], ['States.ALL', 'SourceCleanupFailed']]],
  ])('routes the failures of %s in order', (step, expected) => {
    expect(catchTargets(definition.States[step])).toEqual(expected);
    for (const c of catches(definition.States[step])) expect(c.ResultPath).toBe('$.error');
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
    expect(definition.States.RestartBackoff).toEqual({ Type: 'Wait', SecondsPath: '$.restart.waitSeconds', Next: 'Setup' });
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
    expect(definition.States.RecordCommitFailure).toMatchObject({ ResultPath: '$.commitFailure', Next: 'DestinationServing' });
    expect(definition.States.DestinationServing).toMatchObject({
      Choices: [{ Variable: '$.commitFailure.destinationServing', BooleanEquals: false, Next: 'RestartSourceVserver' }],
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
    expect(definition.States.RelocatePollTransfer.Parameters).toEqual({ ...base, 'error.$': '$.error', step: 'pollTransfer' });
    expect(definition.States.CheckState.Parameters).toEqual({ 'input.$': '$', 'executionId.$': '$$.Execution.Id', 'startTime.$': '$$.Execution.StartTime' });
    // A check-only run has no migration yet: the execution's input instead.
    expect(definition.States.Precheck.Parameters).toEqual({ 'input.$': '$$.Execution.Input', 'executionId.$': '$$.Execution.Id' });
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
    for (const step of ['Setup', 'StartTransfer', 'Commit', 'SourceCleanup', 'Complete', 'UndoSetup', 'RelocateSetup']) {
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
    expect(Object.values(definition.States).map((s) => s.Type)).not.toEqual(expect.arrayContaining(['Parallel']));
    expect(text).not.toContain('JSONata');
    expect(text).not.toContain('"QueryLanguage"');
    expect(text).not.toContain('"Assign"');
  });
});

describe('migration state machine resource', () => {
  it('is a Standard machine, logging everything with execution data, traced, named from the stack', () => {
    const template = Template.fromStack(buildStack().stack);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'SvmMigrate-migration',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/vendedlogs/states/SvmMigrate-migration', RetentionInDays: 30 });
    template.hasOutput('StateMachineArn', {});
    template.hasOutput('TableName', {});
  });
});
