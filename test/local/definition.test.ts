// The synthesized definition, resolved for the local runner: plain JSON, every task wired to
// a task name, a connected graph, and a run under aws-local-stepfunctions (through the local
// runner) whose happy path takes the same states whatever the number of volumes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NodeUnhealthyError } from '../../lambdas/errors';
import { TASK_NAMES, type TaskName } from '../../lambdas/tasks';
import {
  type AslDefinition,
  type AslState,
  type ResolvedDefinition,
  synthesizeDefinition,
} from '../../local/definition';
import { ExecutionRegistry } from '../../local/executions';
import type { TaskHandler } from '../../local/lambda-context';
import { type Execution, LocalStateMachine } from '../../local/runner';

/** Every state another state can go to, by field. */
function targets(state: AslState): string[] {
  const choices = (state.Choices as { Next: string }[] | undefined) ?? [];
  const catches = (state.Catch as { Next: string }[] | undefined) ?? [];
  return [state.Next, state.Default, ...choices.map((c) => c.Next), ...catches.map((c) => c.Next)].filter(
    (t): t is string => typeof t === 'string',
  );
}

/** The task a state runs, by its name: Relocate<Step> runs relocate, the rest their own task. */
function expectedTask(stateName: string): TaskName {
  if (stateName.startsWith('Relocate')) return 'relocate';
  if (stateName.startsWith('RecordFailureOf')) return 'recordTaskFailure';
  return (stateName.charAt(0).toLowerCase() + stateName.slice(1)) as TaskName;
}

describe('resolved definition', () => {
  let resolved: ResolvedDefinition;
  let definition: AslDefinition;
  beforeAll(() => {
    resolved = synthesizeDefinition();
    definition = resolved.definition;
  });

  it('is plain JSON: no CloudFormation intrinsic or reference is left', () => {
    const text = JSON.stringify(definition);
    expect(text).not.toMatch(/Fn::|"Ref"|\$\{Token/);
    expect(JSON.parse(text)).toEqual(definition);
  });

  it("maps every Task's resource to the task its state runs, and every task name to one function", () => {
    const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');
    for (const [name, state] of tasks) {
      expect(state.Resource).toMatch(/^arn:aws:lambda:us-east-1:123456789012:function:[\w-]+$/);
      expect({ name, task: resolved.functions[state.Resource as string] }).toEqual({
        name,
        task: expectedTask(name),
      });
    }
    expect(Object.values(resolved.functions).sort()).toEqual([...TASK_NAMES].sort());
  });

  it('is connected: every target exists, every state is reachable from StartAt, and only Succeed/Fail end', () => {
    const names = new Set(Object.keys(definition.States));
    const reached = new Set<string>();
    const queue = [definition.StartAt];
    while (queue.length > 0) {
      const name = queue.pop()!;
      if (reached.has(name)) continue;
      reached.add(name);
      const state = definition.States[name];
      for (const target of targets(state)) {
        expect({ from: name, target, exists: names.has(target) }).toEqual({
          from: name,
          target,
          exists: true,
        });
        queue.push(target);
      }
      if (state.Type !== 'Succeed' && state.Type !== 'Fail')
        expect({ name, exits: targets(state).length > 0 }).toEqual({ name, exits: true });
    }
    expect([...names].filter((n) => !reached.has(n))).toEqual([]);
  });

  it('returns the tunables and applies context overrides', () => {
    const overridden = synthesizeDefinition({ context: { retryMaxAttempts: 1, pollIntervalSeconds: 5 } });
    expect(overridden.tunables).toMatchObject({ retryMaxAttempts: 1, pollIntervalSeconds: 5 });
    const transient = (
      overridden.definition.States.Setup.Retry as { ErrorEquals: string[]; MaxAttempts: number }[]
    ).find((r) => r.ErrorEquals.includes('TransientError'));
    expect(transient?.MaxAttempts).toBe(1);
    expect(resolved.tunables.retryMaxAttempts).toBe(4);
  });
});

describe('resolved definition run by the local runner', () => {
  let resolved: ResolvedDefinition;
  let root: string;
  beforeAll(() => {
    // Node's timers hold at most 24.8 days: the library would time a 30-day execution out at once.
    resolved = synthesizeDefinition({ context: { stateMachineTimeoutDays: 1 } });
  });
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'svm-'));
    iterations = [];
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  const INPUT = { source: { cluster: 'source', svm: 'svm_demo' }, destination: { cluster: 'destination' } };
  const migration = {
    id: 'mig-1',
    generation: 1,
    resumeAt: 'setup',
    autoCutover: true,
    autoSourceCleanup: true,
    pollSeconds: 0,
    checkOnly: false,
  };

  /** Fake handlers for every task; `volumes` is how many volumes each phase works through inside its one task. */
  let iterations: number[] = [];

  function handlers(
    volumes: number,
    overrides: Partial<Record<TaskName, TaskHandler>> = {},
  ): Record<string, TaskHandler> {
    const work = async () => {
      for (let i = 0; i < volumes; i++) await Promise.resolve();
      return {};
    };
    let polls = 0;
    const base: Record<string, TaskHandler> = Object.fromEntries(TASK_NAMES.map((task) => [task, work]));
    return {
      ...base,
      checkState: async () => migration,
      // Not ready at the first poll: the loop runs once.
      pollTransfer: async (event: never) => {
        iterations.push((event as { iteration: number }).iteration);
        return {
          action: ++polls > 1 ? 'ready' : 'wait',
          iteration: (event as { iteration: number }).iteration + 1,
        };
      },
      preCommit: async () => ({ action: 'continue' }),
      decideRestart: async () => ({ action: 'aborted' }),
      ...overrides,
    };
  }

  async function run(
    taskHandlers: Record<string, TaskHandler>,
  ): Promise<{ execution: Execution; states: string[] }> {
    const machine = new LocalStateMachine({
      definition: resolved.definition as never,
      functions: resolved.functions,
      handlers: taskHandlers,
      overrides: { waitSeconds: 0, retryIntervalMs: 0 },
      registry: new ExecutionRegistry({ root }),
    });
    const execution = machine.start({ input: INPUT });
    await execution.result;
    return {
      execution,
      states: execution.events.filter((e) => e.type === 'StateEntered').map((e) => e.state!),
    };
  }

  const HAPPY_PATH = [
    'CheckState',
    'ResumePoint',
    'Setup',
    'StartTransfer',
    'WaitForTransfer',
    'PollTransfer',
    'TransferStatus',
    'WaitForTransfer',
    'PollTransfer',
    'TransferStatus',
    'CutoverMode',
    'PreCommit',
    'PreCommitStatus',
    'Commit',
    'SourceCleanupMode',
    'SourceCleanup',
    'Complete',
    'CompletionMode',
    'Migrated',
  ];

  it('takes the same states for 4 and for 200 volumes on the happy path (no Map: volumes live in DynamoDB)', async () => {
    const four = await run(handlers(4));
    const twoHundred = await run(handlers(200));
    expect(await four.execution.result).toMatchObject({ status: 'SUCCEEDED' });
    expect(four.states).toEqual(HAPPY_PATH);
    expect(twoHundred.states).toEqual(four.states);
    expect(twoHundred.execution.events.length).toBe(four.execution.events.length);
    // Each poll is told the previous poll's iteration (0 before the first).
    expect(iterations).toEqual([0, 1, 0, 1]);
  });

  it("runs a check-only execution as Precheck on the execution's input", async () => {
    const prechecks: unknown[] = [];
    const { execution, states } = await run(
      handlers(4, {
        checkState: async () => ({ ...migration, id: 'precheck', resumeAt: 'precheck', checkOnly: true }),
        precheck: async (event: never) => {
          prechecks.push(event);
          return { ok: true };
        },
      }),
    );
    expect(await execution.result).toMatchObject({ status: 'SUCCEEDED', output: { precheck: { ok: true } } });
    expect(states).toEqual(['CheckState', 'ResumePoint', 'Precheck', 'PrecheckPassed']);
    expect(prechecks).toEqual([{ input: INPUT, executionId: execution.executionArn }]);
  });

  it('starts the undo chain of an abort with a null error (not from a Catch) and ends Aborted', async () => {
    const undoEvents: unknown[] = [];
    const { execution, states } = await run(
      handlers(4, {
        pollTransfer: async () => ({ action: 'aborted' }),
        undoTransfer: async (event: never) => {
          undoEvents.push(event);
          return {};
        },
      }),
    );
    expect(await execution.result).toMatchObject({ status: 'SUCCEEDED' });
    expect(states.slice(-5)).toEqual([
      'UndoTransfer',
      'UndoSetup',
      'DecideRestart',
      'RestartDecision',
      'Aborted',
    ]);
    expect(undoEvents).toEqual([
      expect.objectContaining({
        migrationId: 'mig-1',
        stateName: 'UndoTransfer',
        retryCount: 0,
        error: null,
      }),
    ]);
  });

  it('relocates a step whose node is unhealthy and runs the step again', async () => {
    let setups = 0;
    const relocations: unknown[] = [];
    const { states } = await run(
      handlers(4, {
        setup: async () => {
          if (++setups === 1) throw new NodeUnhealthyError('node source-01 is down', { node: 'source-01' });
          return {};
        },
        relocate: async (event: never) => {
          relocations.push(event);
          return {};
        },
      }),
    );
    expect(states.slice(2, 5)).toEqual(['Setup', 'RelocateSetup', 'Setup']);
    expect(relocations).toEqual([
      expect.objectContaining({
        step: 'setup',
        error: expect.objectContaining({ Error: 'NodeUnhealthyError' }),
      }),
    ]);
  });
});
