// The local runner runs a definition as Step Functions would, with Lambda's envelope, context and
// error reporting, and records each execution on disk. Small hand-written definitions (JSONPath).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { ConflictError, TransientError, ValidationError } from '../../lambdas/errors';
import { ExecutionAlreadyExistsError, ExecutionRegistry } from '../../local/executions';
import type { TaskHandler } from '../../local/lambda-context';
import {
  type AslDefinition,
  type Execution,
  LocalStateMachine,
  type RunnerOverrides,
  UnsupportedDefinitionError,
} from '../../local/runner';

const arnOf = (task: string) => `arn:aws:lambda:eu-west-1:111122223333:function:svm-migrate-${task}`;

/** CDK's retrier for Lambda service errors, which it puts first on every Lambda task. */
const LAMBDA_SERVICE_RETRIER = {
  ErrorEquals: [
    'Lambda.ClientExecutionTimeoutException',
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
  ],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
};
const TRANSIENT_RETRIER = {
  ErrorEquals: ['TransientError', 'NetworkError'],
  IntervalSeconds: 30,
  BackoffRate: 2,
  MaxDelaySeconds: 300,
  JitterStrategy: 'FULL' as const,
  MaxAttempts: 3,
};

/** A task the way the stack builds them: payloadResponseOnly, small payload, CDK retrier first. */
function task(name: string, extra: Record<string, unknown> = {}): AslDefinition['States'][string] {
  return {
    Type: 'Task' as const,
    Resource: arnOf(name),
    Parameters: {
      'migrationId.$': '$.migrationId',
      'executionId.$': '$$.Execution.Id',
      'stateName.$': '$$.State.Name',
      'retryCount.$': '$$.State.RetryCount',
    },
    ResultPath: `$.${name}`,
    TimeoutSeconds: 300,
    Retry: [LAMBDA_SERVICE_RETRIER, TRANSIENT_RETRIER],
    ...extra,
  } as unknown as AslDefinition['States'][string];
}

/** Setup -> WaitForTransfer -> Transfer, with Setup's failures caught into UndoSetup -> Fail. */
const migrationLike: AslDefinition = {
  StartAt: 'Setup',
  TimeoutSeconds: 3600,
  States: {
    Setup: task('setup', {
      Next: 'WaitForTransfer',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'UndoSetup' }],
    }),
    WaitForTransfer: { Type: 'Wait', Seconds: 3600, Next: 'Transfer' },
    Transfer: task('transfer', { Next: 'Migrated' }),
    Migrated: { Type: 'Succeed' },
    UndoSetup: {
      Type: 'Task',
      Resource: arnOf('undoSetup'),
      Parameters: { 'migrationId.$': '$.migrationId', 'error.$': '$.error' },
      ResultPath: null,
      TimeoutSeconds: 300,
      Next: 'MigrationFailed',
    },
    MigrationFailed: { Type: 'Fail', Error: 'MigrationFailed', Cause: 'rolled back' },
  },
};

const functionsOf = (definition: AslDefinition): Record<string, string> =>
  Object.fromEntries(
    Object.values(definition.States)
      .filter((state) => state.Type === 'Task')
      .map((state) => [
        (state as { Resource: string }).Resource,
        (state as { Resource: string }).Resource.split('svm-migrate-')[1],
      ]),
  );

let root: string;
let registry: ExecutionRegistry;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'svm-'));
  registry = new ExecutionRegistry({ root });
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function runner(
  handlers: Record<string, TaskHandler>,
  definition: AslDefinition = migrationLike,
  overrides: RunnerOverrides = { waitSeconds: 0, retryIntervalMs: 0 },
): LocalStateMachine {
  return new LocalStateMachine({
    definition,
    functions: functionsOf(definition),
    handlers,
    overrides,
    registry,
  });
}

const ok = async () => ({ ok: true });

const entered = (execution: Execution) =>
  execution.events.filter((event) => event.type === 'StateEntered').map((event) => event.state);

/** Polls (no sleeping on a fixed delay) until the condition holds or the deadline passes. */
async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

describe('retries', () => {
  it('retries a TransientError MaxAttempts times at most, then continues', async () => {
    // Prepare: setup fails twice, then succeeds
    const seen: Array<{ retryCount: number; stateName: string }> = [];
    const setup = async (event: { retryCount: number; stateName: string }) => {
      seen.push(event);
      if (seen.length <= 2) throw new TransientError('cluster busy');
      return { volumes: 8 };
    };
    const machine = runner({ setup, transfer: ok, undoSetup: ok });

    // Act
    const execution = machine.start({ input: { migrationId: 'm-1' } });
    const result = await execution.result;

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({
      migrationId: 'm-1',
      setup: { volumes: 8 },
      transfer: { ok: true },
    });
    expect(entered(execution)).toEqual(['Setup', 'WaitForTransfer', 'Transfer', 'Migrated']);
    expect(seen.map((event) => event.retryCount)).toEqual([0, 1, 2]);
    expect(seen.every((event) => event.stateName === 'Setup')).toBe(true);
    const failures = execution.events.filter((event) => event.type === 'StateFailed');
    expect(failures.map((event) => event.error)).toEqual(['TransientError', 'TransientError']);
    // The CDK retrier at index 0 did not match: our own retrier did.
    const retries = execution.events.filter((event) => event.type === 'StateRetried');
    expect(retries.map((event) => event.retry)).toEqual([
      { errorEquals: ['TransientError', 'NetworkError'], attempt: 1 },
      { errorEquals: ['TransientError', 'NetworkError'], attempt: 2 },
    ]);
  });

  it('routes to the Catch once retries are exhausted, with the error at $.error', async () => {
    // Prepare: setup always fails
    const undone: unknown[] = [];
    const machine = runner({
      setup: async () => {
        throw new TransientError('cluster busy');
      },
      transfer: ok,
      undoSetup: async (event: unknown) => {
        undone.push(event);
      },
    });

    // Act
    const execution = machine.start({ input: { migrationId: 'm-2' } });
    const result = await execution.result;

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'MigrationFailed', cause: 'rolled back' });
    expect(entered(execution)).toEqual(['Setup', 'UndoSetup', 'MigrationFailed']);
    expect(execution.events.filter((event) => event.type === 'StateRetried')).toHaveLength(3);
    expect(execution.events.find((event) => event.type === 'StateCaught')?.caught).toEqual({
      errorEquals: ['States.ALL'],
      next: 'UndoSetup',
    });
    const { error } = undone[0] as { error: { Error: string; Cause: string } };
    expect(error.Error).toBe('TransientError');
    // Lambda's error response, as Step Functions passes it on (tests may read it; code must not).
    expect(JSON.parse(error.Cause)).toMatchObject({
      errorType: 'TransientError',
      errorMessage: 'cluster busy',
      trace: expect.any(Array),
    });
  });

  it.each([
    ['TransientError', 3, () => new TransientError('busy')],
    ['ValidationError', 0, () => new ValidationError('bad field', { field: 'source.svm' })],
    ['ConflictError', 0, () => new ConflictError('lock held')],
    ['Error', 0, () => new Error('plain')],
  ])('matches %s by its name: retried %i times, then caught', async (name, retried, makeError) => {
    // Prepare
    const machine = runner({
      setup: async () => {
        throw makeError();
      },
      transfer: ok,
      undoSetup: ok,
    });

    // Act
    const execution = machine.start({ input: { migrationId: 'm-3' } });
    await execution.result;

    // Assess
    expect(execution.events.filter((event) => event.type === 'StateRetried')).toHaveLength(retried);
    const setupFailures = execution.events.filter(
      (event) => event.type === 'StateFailed' && event.state === 'Setup',
    );
    expect(setupFailures.map((event) => event.error)).toEqual(Array(retried + 1).fill(name));
    expect(entered(execution)).toEqual(['Setup', 'UndoSetup', 'MigrationFailed']);
  });

  it('lets the CDK Lambda-service retrier at index 0 retry only Lambda service errors', async () => {
    // Prepare: a Lambda service error (as the AWS SDK names it) once
    let calls = 0;
    class ServiceException extends Error {
      override readonly name = 'Lambda.ServiceException';
    }
    const machine = runner({
      setup: async () => {
        calls += 1;
        if (calls === 1) throw new ServiceException('throttled');
        return {};
      },
      transfer: ok,
      undoSetup: ok,
    });

    // Act
    const execution = machine.start({ input: { migrationId: 'm-4' } });
    const result = await execution.result;

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(execution.events.find((event) => event.type === 'StateRetried')?.retry?.errorEquals).toEqual(
      LAMBDA_SERVICE_RETRIER.ErrorEquals,
    );
  });
});

describe('Lambda invocation', () => {
  it('passes a Lambda context whose remaining time counts down from the task timeout', async () => {
    // Prepare
    let context: Context | undefined;
    let remaining: number[] = [];
    const setup = async (_event: unknown, ctx: Context) => {
      context = ctx;
      const first = ctx.getRemainingTimeInMillis();
      const later = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 1500);
      remaining = [first, ctx.getRemainingTimeInMillis()];
      later.mockRestore();
      return {};
    };
    const machine = runner({ setup, transfer: ok, undoSetup: ok });

    // Act
    await machine.start({ input: { migrationId: 'm-5' } }).result;

    // Assess
    expect(context).toMatchObject({
      functionName: 'svm-migrate-setup',
      functionVersion: '$LATEST',
      invokedFunctionArn: arnOf('setup'),
      memoryLimitInMB: '128',
      logGroupName: '/aws/lambda/svm-migrate-setup',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(context?.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context?.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(remaining[0]).toBeLessThanOrEqual(300_000);
    expect(remaining[0]).toBeGreaterThan(299_000);
    expect(remaining[1]).toBeLessThanOrEqual(remaining[0] - 1500);
  });

  it('fails a task that outlives its TimeoutSeconds with States.Timeout', async () => {
    // Prepare: a one-second timeout (the smallest ASL allows) and a handler that never answers
    const definition: AslDefinition = {
      StartAt: 'Stuck',
      States: { Stuck: task('stuck', { TimeoutSeconds: 1, End: true }) },
    };
    const machine = runner({ stuck: () => new Promise(() => undefined) }, definition);

    // Act
    const execution = machine.start({ input: { migrationId: 'm-6' } });
    const result = await execution.result;

    // Assess: States.Timeout is neither a Lambda error nor retried by TransientError's retrier
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(execution.events.filter((event) => event.type === 'StateRetried')).toHaveLength(0);
  });

  it('ends an execution that outlives the state machine TimeoutSeconds as TIMED_OUT', async () => {
    // Prepare
    const definition: AslDefinition = {
      StartAt: 'Stuck',
      TimeoutSeconds: 1,
      States: { Stuck: task('stuck', { End: true }) },
    };
    // The task keeps running after the execution ends, as a Lambda function would; released at
    // the end so that its pending task timer does not outlive the test.
    const release = deferred();
    const machine = runner({ stuck: () => release.promise }, definition);

    // Act
    const execution = machine.start({ input: { migrationId: 'm-6b' } });
    const result = await execution.result;
    release.resolve();

    // Assess
    expect(result).toEqual({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(execution.events.at(-1)?.type).toBe('ExecutionTimeout');
    expect(registry.describe(execution.executionArn)?.status).toBe('TIMED_OUT');
  });

  it('runs a state machine whose timeout is longer than a Node timer can hold (30 days)', async () => {
    const definition: AslDefinition = { ...migrationLike, TimeoutSeconds: 30 * 24 * 3600 };
    const machine = runner({ setup: ok, transfer: ok, undoSetup: ok }, definition);

    const result = await machine.start({ input: { migrationId: 'm-6c' } }).result;

    expect(result.status).toBe('SUCCEEDED');
  });

  it('gives handlers deep copies: no references shared with the state machine or a retry', async () => {
    // Prepare: the first attempt mutates its event; setup's result is kept and mutated later
    const events: Array<{ migrationId: string }> = [];
    const kept = { volumes: ['vol1'] };
    const machine = runner({
      setup: async (event: { migrationId: string }) => {
        events.push(event);
        if (events.length === 1) {
          event.migrationId = 'mutated';
          throw new TransientError('busy');
        }
        return kept;
      },
      transfer: async () => {
        kept.volumes.push('vol2');
        return {};
      },
      undoSetup: ok,
    });

    // Act
    const result = await machine.start({ input: { migrationId: 'm-7' } }).result;

    // Assess
    expect(events[1].migrationId).toBe('m-7');
    expect(result.output).toMatchObject({ setup: { volumes: ['vol1'] } });
  });

  it('returns undefined as null, as Lambda serializes it', async () => {
    const machine = runner({ setup: async () => undefined, transfer: ok, undoSetup: ok });

    const result = await machine.start({ input: { migrationId: 'm-8' } }).result;

    expect(result.output).toMatchObject({ setup: null });
  });

  it('invokes lambda:invoke tasks with the Payload and wraps the result in the Invoke response', async () => {
    // Prepare
    const definition: AslDefinition = {
      StartAt: 'Poll',
      States: {
        Poll: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: arnOf('poll'), 'Payload.$': '$' },
          ResultSelector: { 'poll.$': '$.Payload', 'status.$': '$.StatusCode' },
          TimeoutSeconds: 60,
          End: true,
        },
      },
    };
    const machine = new LocalStateMachine({
      definition,
      functions: { [arnOf('poll')]: 'poll' },
      handlers: { poll: async (event: { n: number }) => ({ n: event.n + 1 }) },
      registry,
    });

    // Act
    const result = await machine.start({ input: { n: 1 } }).result;

    // Assess
    expect(result.output).toEqual({ poll: { n: 2 }, status: 200 });
  });
});

describe('the context object ($$)', () => {
  it('resolves Execution, StateMachine and State fields', async () => {
    // Prepare
    const definition: AslDefinition = {
      StartAt: 'Check',
      States: {
        Check: {
          Type: 'Task',
          Resource: arnOf('check'),
          Parameters: {
            'executionId.$': '$$.Execution.Id',
            'executionName.$': '$$.Execution.Name',
            'startTime.$': '$$.Execution.StartTime',
            'input.$': '$$.Execution.Input',
            'stateMachine.$': '$$.StateMachine.Id',
            'stateName.$': '$$.State.Name',
            'enteredTime.$': '$$.State.EnteredTime',
            'retryCount.$': '$$.State.RetryCount',
          },
          TimeoutSeconds: 60,
          End: true,
        },
      },
    };
    const machine = runner({ check: async (event: unknown) => event }, definition);

    // Act
    const execution = machine.start({ name: 'first-run', input: { source: 'svm_demo' } });
    const result = await execution.result;

    // Assess
    expect(execution.executionArn).toBe(
      'arn:aws:states:eu-west-1:111122223333:execution:svm-migrate-local:first-run',
    );
    expect(result.output).toEqual({
      executionId: execution.executionArn,
      executionName: 'first-run',
      startTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      input: { source: 'svm_demo' },
      stateMachine: 'arn:aws:states:eu-west-1:111122223333:stateMachine:svm-migrate-local',
      stateName: 'Check',
      enteredTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      retryCount: 0,
    });
  });
});

describe('waits', () => {
  it.each<[string, RunnerOverrides['waitSeconds']]>([
    ['every Wait state', 0],
    ['a named Wait state', { WaitForTransfer: 0 }],
  ])('overrides %s so an hour-long Wait passes at once', async (_case, waitSeconds) => {
    const machine = runner({ setup: ok, transfer: ok, undoSetup: ok }, migrationLike, { waitSeconds });

    const execution = machine.start({ input: { migrationId: 'm-9' } });

    await expect(execution.result).resolves.toMatchObject({ status: 'SUCCEEDED' });
    expect(entered(execution)).toEqual(['Setup', 'WaitForTransfer', 'Transfer', 'Migrated']);
  });

  it('refuses an override for a state that is not a Wait state', () => {
    expect(() =>
      runner({ setup: ok, transfer: ok, undoSetup: ok }, migrationLike, { waitSeconds: { Setup: 0 } }),
    ).toThrow(/not Wait states: Setup/);
  });
});

describe('continue-as-new', () => {
  it('runs the execution a task starts, and waits for the whole chain', async () => {
    // Prepare: the first generation starts the next one, which finishes
    const definition: AslDefinition = {
      StartAt: 'Transfer',
      States: {
        Transfer: task('transfer', {
          Parameters: { 'generation.$': '$.generation' },
          ResultPath: '$.poll',
          Next: 'Continue?',
        }),
        'Continue?': {
          Type: 'Choice',
          Choices: [{ Variable: '$.poll.continueAsNew', BooleanEquals: true, Next: 'ContinueAsNew' }],
          Default: 'Migrated',
        },
        ContinueAsNew: task('continueAsNew', {
          Parameters: { 'generation.$': '$.generation' },
          ResultPath: '$.next',
          Next: 'ContinuedAsNew',
        }),
        ContinuedAsNew: { Type: 'Succeed' },
        Migrated: { Type: 'Succeed' },
      },
    };
    const machine: LocalStateMachine = runner(
      {
        transfer: async (event: { generation: number }) => ({ continueAsNew: event.generation < 2 }),
        continueAsNew: async (event: { generation: number }) => {
          const next = machine.start({
            name: `gen-${event.generation + 1}`,
            input: { generation: event.generation + 1 },
          });
          return { executionArn: next.executionArn };
        },
      },
      definition,
    );

    // Act
    const first = machine.start({ name: 'gen-0', input: { generation: 0 } });
    const chain = await machine.waitForChain(first.executionArn);

    // Assess
    expect(chain.map((link) => [link.name, link.result.status])).toEqual([
      ['gen-0', 'SUCCEEDED'],
      ['gen-1', 'SUCCEEDED'],
      ['gen-2', 'SUCCEEDED'],
    ]);
    expect(entered(first)).toEqual(['Transfer', 'Continue?', 'ContinueAsNew', 'ContinuedAsNew']);
    expect(entered(machine.execution(chain[2].executionArn)!)).toEqual(['Transfer', 'Continue?', 'Migrated']);
    expect(machine.execution(chain[1].executionArn)?.startedBy).toBe(first.executionArn);
    expect(registry.describe(chain[2].executionArn)?.startedBy).toBe(chain[1].executionArn);
  });
});

describe('abort and the execution registry', () => {
  /** A runner whose Setup task signals `invoked` and then waits for `release`. */
  function runnerHeldInSetup() {
    const invoked = deferred();
    const release = deferred();
    const machine = runner({
      setup: async () => {
        invoked.resolve();
        await release.promise;
        return {};
      },
      transfer: ok,
      undoSetup: ok,
    });
    return { machine, invoked, release };
  }

  it('records RUNNING while a task runs, then SUCCEEDED with the history', async () => {
    // Prepare: setup blocks until released
    const { machine, invoked, release } = runnerHeldInSetup();

    // Act
    const execution = machine.start({ name: 'watched', input: { migrationId: 'm-10' } });
    await invoked.promise;
    await until(() => registry.history(execution.executionArn).some((event) => event.state === 'Setup'));

    // Assess: another reader sees it running
    expect(registry.describe(execution.executionArn)).toMatchObject({
      status: 'RUNNING',
      pid: process.pid,
      name: 'watched',
    });
    expect(registry.isRunning(execution.executionArn)).toBe(true);

    release.resolve();
    await execution.result;

    const description = registry.describe(execution.executionArn);
    expect(description).toMatchObject({
      status: 'SUCCEEDED',
      input: { migrationId: 'm-10' },
      output: { migrationId: 'm-10' },
    });
    expect(Date.parse(description!.stopTime!)).toBeGreaterThanOrEqual(Date.parse(description!.startTime));
    expect(registry.isRunning(execution.executionArn)).toBe(false);
    expect(registry.history(execution.executionArn)).toEqual(execution.events);
    expect(registry.history(execution.executionArn).map((event) => event.type)).toEqual([
      'ExecutionStarted',
      ...Array(4).fill(['StateEntered', 'StateExited']).flat(),
      'ExecutionSucceeded',
    ]);
    expect(registry.list().map((listed) => listed.name)).toEqual(['watched']);
  });

  it('aborts a running execution', async () => {
    // Prepare
    const { machine, invoked, release } = runnerHeldInSetup();
    const execution = machine.start({ input: { migrationId: 'm-11' } });
    await invoked.promise;

    // Act
    execution.abort();
    const result = await execution.result;
    release.resolve();

    // Assess
    expect(result).toEqual({ status: 'ABORTED' });
    expect(execution.events.at(-1)?.type).toBe('ExecutionAborted');
    expect(registry.describe(execution.executionArn)?.status).toBe('ABORTED');
    expect(entered(execution)).toEqual(['Setup']);
  });

  it('does not call an execution running when its process is gone', () => {
    // Prepare: a RUNNING record left by a process that has exited
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const executionArn = 'arn:aws:states:eu-west-1:111122223333:execution:svm-migrate-local:crashed';
    registry.create({
      executionArn,
      stateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:svm-migrate-local',
      name: 'crashed',
      input: {},
      startTime: new Date().toISOString(),
      pid: deadPid,
    });

    // Act + Assess
    expect(registry.describe(executionArn)?.status).toBe('RUNNING');
    expect(registry.isRunning(executionArn)).toBe(false);
  });

  it('refuses a name the state machine has already used', async () => {
    const machine = runner({ setup: ok, transfer: ok, undoSetup: ok });
    await machine.start({ name: 'once', input: { migrationId: 'm-12' } }).result;

    expect(() => machine.start({ name: 'once' })).toThrow(ExecutionAlreadyExistsError);
  });

  it('skips a torn last line, as a reader racing the writer sees it', () => {
    const executionArn = 'arn:aws:states:eu-west-1:111122223333:execution:svm-migrate-local:torn';
    registry.create({
      executionArn,
      stateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:svm-migrate-local',
      name: 'torn',
      input: {},
      startTime: new Date().toISOString(),
      pid: process.pid,
    });
    fs.appendFileSync(path.join(registry.dir, 'svm-migrate-local', 'torn.jsonl'), '{"record":"ev');

    expect(registry.describe(executionArn)?.status).toBe('RUNNING');
    expect(registry.history(executionArn)).toEqual([]);
  });
});

describe('definitions the library would not run faithfully', () => {
  const base = { Type: 'Task' as const, Resource: arnOf('setup'), End: true };
  it.each<[string, Record<string, unknown>]>([
    ['JSONata', { QueryLanguage: 'JSONata' }],
    ['HeartbeatSeconds', { HeartbeatSeconds: 60 }],
    ['Assign', { Assign: { phase: 'setup' } }],
    ['TimeoutSecondsPath', { TimeoutSecondsPath: '$.timeout' }],
    ['a task token', { Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken' }],
  ])('refuses %s', (_case, fields) => {
    const definition = {
      StartAt: 'Setup',
      States: { Setup: { ...base, ...fields } },
    } as unknown as AslDefinition;

    expect(
      () =>
        new LocalStateMachine({
          definition,
          functions: { [arnOf('setup')]: 'setup' },
          handlers: { setup: ok },
          registry,
        }),
    ).toThrow(UnsupportedDefinitionError);
  });

  it('refuses a task without a handler', () => {
    expect(() => runner({ setup: ok, transfer: ok })).toThrow(/No handler for task undoSetup/);
  });
});
