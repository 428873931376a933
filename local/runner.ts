// Runs the synthesized state machine in-process with aws-local-stepfunctions: each Lambda task
// goes to its handler, invoked as Lambda would invoke it, and each execution is recorded on disk.

import './polyfill';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { assertName, type ExecutionEvent, ExecutionRegistry, type ExecutionStatus } from './executions';
import {
  createLambdaContext,
  functionNameOf,
  invokeFunction,
  invokeResponse,
  LambdaFunctionError,
  type TaskHandler,
} from './lambda-context';

/** A definition as the library types it, for writing one by hand. */
export type AslDefinition = StateMachineDefinition;
/** Any ASL JSON document: the library validates it when the runner is built. */
export interface AslDocument {
  StartAt: string;
  States: Record<string, object>;
}
type JsonValue = Parameters<StateMachine['run']>[0];
type LibraryRun = ReturnType<StateMachine['run']>;
type LibraryEvent = LibraryRun['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
type State = AslDefinition['States'][string];

export interface RunnerOverrides {
  /** Seconds every Wait state waits, or per Wait state (others keep their definition). */
  waitSeconds?: number | Record<string, number>;
  /** Milliseconds before every retry, or per state (one per retrier, by index, or one for all). */
  retryIntervalMs?: number | Record<string, number | number[]>;
}

export interface LocalStateMachineOptions {
  /** The resolved definition (plain ASL JSON, JSONPath). */
  definition: AslDocument;
  /** Function ARN -> task name, as the synthesized stack wires them. */
  functions: Record<string, string>;
  /** Task name -> the handler that Lambda would run. */
  handlers: Record<string, TaskHandler>;
  overrides?: RunnerOverrides;
  /** Defaults to a state machine named `svm-migrate-local` in the functions' region and account. */
  stateMachineArn?: string;
  /** Where executions are recorded; `.svm-migrate/executions/` under the working directory by default. */
  registry?: ExecutionRegistry;
  /** What the Lambda context reports; Lambda's default unless set. */
  memoryLimitInMB?: number;
}

export interface StartExecutionOptions {
  /** Unique within the state machine; a UUID by default. */
  name?: string;
  input?: unknown;
}

export interface ExecutionResult {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface Execution {
  readonly executionArn: string;
  readonly name: string;
  /** The execution whose task started this one (continue-as-new). */
  readonly startedBy?: string;
  /** Settles once the execution has ended and its whole history is recorded; never rejects for a failed run. */
  readonly result: Promise<ExecutionResult>;
  /** The history so far, in order. */
  readonly events: readonly ExecutionEvent[];
  /** Stops the execution as StopExecution does (ABORTED); a task already running finishes in the background. */
  abort(): void;
}

export interface ChainLink {
  executionArn: string;
  name: string;
  result: ExecutionResult;
}

/** The definition uses something aws-local-stepfunctions would ignore or cannot run. */
export class UnsupportedDefinitionError extends Error {
  override readonly name = 'UnsupportedDefinitionError';
}

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
/** aws-local-stepfunctions times a Task out after this when the state sets no TimeoutSeconds. */
const LIBRARY_TASK_TIMEOUT_SECONDS = 60;
const LAMBDA_DEFAULT_MEMORY_MB = 128;

interface LambdaFunction {
  arn: string;
  task: string;
}

export class LocalStateMachine {
  readonly stateMachineArn: string;
  private readonly definition: AslDefinition;
  private readonly states: Array<[string, State]>;
  private readonly functions: FunctionDirectory;
  private handlers: Record<string, TaskHandler>;
  private readonly waitTimeOverrides?: Record<string, number>;
  private readonly retryIntervalOverrides?: Record<string, number | number[]>;
  private readonly registry: ExecutionRegistry;
  private readonly memoryLimitInMB: number;
  private readonly executions = new Map<string, ExecutionRecord>();
  /** Which execution a running handler belongs to, so that its start() calls are linked to it. */
  private readonly invocation = new AsyncLocalStorage<string>();

  constructor(options: LocalStateMachineOptions) {
    const definition = options.definition as AslDefinition;
    // Constructed with validation on, the library checks the document (and throws with reasons).
    new StateMachine(definition);
    assertRunnable(definition, statesOf(definition));
    this.definition = withinNodeTimers(definition);
    this.states = statesOf(this.definition);
    this.functions = new FunctionDirectory(options.functions);
    this.handlers = options.handlers;
    this.assertEveryTaskHasAHandler();
    this.waitTimeOverrides = this.waitOverrides(options.overrides?.waitSeconds);
    this.retryIntervalOverrides = this.retryOverrides(options.overrides?.retryIntervalMs);
    this.stateMachineArn = options.stateMachineArn ?? this.defaultStateMachineArn();
    assertName(this.stateMachineName);
    this.registry = options.registry ?? new ExecutionRegistry();
    this.memoryLimitInMB = options.memoryLimitInMB ?? LAMBDA_DEFAULT_MEMORY_MB;
  }

  get stateMachineName(): string {
    return this.stateMachineArn.split(':')[6] ?? '';
  }

  /**
   * Starts an execution, as StartExecution does. Called from inside a task's handler, the new
   * execution is linked to the handler's execution (see waitForChain).
   */
  start(options: StartExecutionOptions = {}): Execution {
    const name = options.name ?? randomUUID();
    assertName(name);
    const [, , , region, account] = this.stateMachineArn.split(':');
    const executionArn = `arn:aws:states:${region}:${account}:execution:${this.stateMachineName}:${name}`;
    // Step Functions takes the input as a JSON string: the caller's object is not shared.
    const input = JSON.parse(JSON.stringify(options.input ?? {})) as JsonValue;
    const startedBy = this.invocation.getStore();
    this.registry.create({
      executionArn,
      stateMachineArn: this.stateMachineArn,
      name,
      input,
      startTime: new Date().toISOString(),
      pid: process.pid,
      ...(startedBy && { startedBy }),
    });

    const state = new CurrentState();
    const machine = new StateMachine(this.definition, { validationOptions: { noValidate: true } });
    onEverySyncEvent(machine, (event) => state.observe(event));
    const run = machine.run(input, {
      overrides: {
        taskResourceLocalHandlers: this.taskHandlers(executionArn),
        waitTimeOverrides: this.waitTimeOverrides,
        retryIntervalOverrides: this.retryIntervalOverrides,
      },
      // The library adds Execution.Input and Execution.StartTime; the rest of `$$` is ours.
      context: {
        Execution: { Id: executionArn, Name: name },
        StateMachine: { Id: this.stateMachineArn, Name: this.stateMachineName },
        State: state.contextObject(),
      },
    });

    const events: ExecutionEvent[] = [];
    const recorded = (async () => {
      for await (const libraryEvent of run.eventLogs) {
        const event = toExecutionEvent(libraryEvent, events.length + 1);
        events.push(event);
        this.registry.appendEvent(executionArn, event);
      }
    })();
    // The history is complete before the result settles: the library closes its log as it ends.
    const result = Promise.all([outcomeOf(run.result), recorded]).then(([outcome]) => {
      this.registry.finish(executionArn, { ...outcome, stopTime: new Date().toISOString() });
      return outcome;
    });

    const execution: ExecutionRecord = {
      executionArn,
      name,
      ...(startedBy && { startedBy }),
      result,
      events,
      abort: run.abort,
      children: [],
    };
    if (startedBy) this.executions.get(startedBy)?.children.push(executionArn);
    this.executions.set(executionArn, execution);
    return execution;
  }

  /** An execution started by this runner. */
  execution(executionArn: string): Execution | undefined {
    return this.executions.get(executionArn);
  }

  /**
   * Waits for an execution and for every execution started from it, recursively (continue-as-new),
   * and returns their results in the order they were started.
   */
  async waitForChain(executionArn: string): Promise<ChainLink[]> {
    const execution = this.executions.get(executionArn);
    if (!execution) throw new Error(`Not an execution of this runner: ${executionArn}`);
    const result = await execution.result;
    // A child is started by a task of its parent, so once the parent has ended its list is complete.
    const descendants: ChainLink[] = [];
    for (const child of execution.children) descendants.push(...(await this.waitForChain(child)));
    return [{ executionArn, name: execution.name, result }, ...descendants];
  }

  private taskHandlers(executionArn: string): Record<string, (input: JsonValue) => Promise<JsonValue>> {
    const handlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
    for (const [stateName, state] of this.states) {
      if (state.Type !== 'Task') continue;
      const timeoutMs = (state.TimeoutSeconds ?? LIBRARY_TASK_TIMEOUT_SECONDS) * 1000;
      const invoke = async (functionRef: string, event: unknown) => {
        const context = createLambdaContext({
          invokedFunctionArn: this.functions.invokedArn(functionRef),
          memoryLimitInMB: this.memoryLimitInMB,
          // Taken before the library starts its timer (it calls us first), so the handler is never
          // told it has more time than it has.
          deadline: Date.now() + timeoutMs,
        });
        const handler = this.handlerOf(functionRef);
        const payload = await this.invocation.run(executionArn, () =>
          invokeFunction(handler, event, context),
        );
        return { payload, context };
      };
      handlers[stateName] =
        state.Resource === LAMBDA_INVOKE
          ? async (input) => {
              // Parameters have been applied: FunctionName and Payload are resolved values here.
              const request = input as { FunctionName?: unknown; Payload?: unknown };
              const { payload, context } = await invoke(String(request.FunctionName), request.Payload ?? {});
              return invokeResponse(payload, context) as JsonValue;
            }
          : async (input) => (await invoke(state.Resource, input)).payload as JsonValue;
    }
    return handlers;
  }

  private handlerOf(functionRef: string): TaskHandler {
    const { task } = this.functions.resolve(functionRef);
    const handler = this.handlers[task];
    if (typeof handler !== 'function')
      throw new Error(`No handler for task ${task} (function ${functionRef})`);
    return handler;
  }

  /**
   * Runs the tasks on these handlers from their next invocation on (a task already running
   * finishes on its own); the returned function puts the previous ones back.
   */
  useHandlers(handlers: Record<string, TaskHandler>): () => void {
    const previous = this.handlers;
    this.handlers = handlers;
    try {
      this.assertEveryTaskHasAHandler();
    } catch (err) {
      this.handlers = previous;
      throw err;
    }
    return () => {
      this.handlers = previous;
    };
  }

  private assertEveryTaskHasAHandler(): void {
    for (const [, state] of this.states) {
      if (state.Type !== 'Task') continue;
      const ref =
        state.Resource === LAMBDA_INVOKE
          ? (state.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName
          : state.Resource;
      // A FunctionName given by a path (`FunctionName.$`) is only known at run time.
      if (typeof ref === 'string') this.handlerOf(ref);
    }
  }

  private waitOverrides(waitSeconds: RunnerOverrides['waitSeconds']): Record<string, number> | undefined {
    if (waitSeconds === undefined) return undefined;
    const waits = this.stateNames('Wait');
    const seconds =
      typeof waitSeconds === 'number'
        ? Object.fromEntries(waits.map((name) => [name, waitSeconds]))
        : waitSeconds;
    assertKnown(Object.keys(seconds), waits, 'Wait');
    return Object.fromEntries(Object.entries(seconds).map(([name, value]) => [name, value * 1000]));
  }

  private retryOverrides(
    retryIntervalMs: RunnerOverrides['retryIntervalMs'],
  ): Record<string, number | number[]> | undefined {
    if (retryIntervalMs === undefined) return undefined;
    const retrying = this.states.filter(([, state]) => 'Retry' in state && state.Retry).map(([name]) => name);
    if (typeof retryIntervalMs === 'number') {
      return Object.fromEntries(retrying.map((name) => [name, retryIntervalMs]));
    }
    assertKnown(Object.keys(retryIntervalMs), retrying, 'retrying');
    return retryIntervalMs;
  }

  private stateNames(type: State['Type']): string[] {
    return this.states.filter(([, state]) => state.Type === type).map(([name]) => name);
  }

  private defaultStateMachineArn(): string {
    const [, , , region = 'us-east-1', account = '123456789012'] = this.functions.arns()[0]?.split(':') ?? [];
    return `arn:aws:states:${region}:${account}:stateMachine:svm-migrate-local`;
  }
}

interface ExecutionRecord extends Execution {
  /** Executions started by this one's tasks, in start order. */
  children: string[];
}

/** Finds the function (and its task) that a Resource or a lambda:invoke FunctionName names. */
class FunctionDirectory {
  private readonly byArn = new Map<string, LambdaFunction>();
  private readonly byName = new Map<string, LambdaFunction>();

  constructor(functions: Record<string, string>) {
    for (const [arn, task] of Object.entries(functions)) {
      const entry = { arn: unqualified(arn), task };
      this.byArn.set(entry.arn, entry);
      this.byName.set(functionNameOf(entry.arn), entry);
    }
  }

  arns(): string[] {
    return [...this.byArn.keys()];
  }

  /** A function ARN (qualified or not) or, as lambda:invoke allows, a function name. */
  resolve(ref: string): LambdaFunction {
    const found = ref.startsWith('arn:')
      ? this.byArn.get(unqualified(ref))
      : this.byName.get(ref.split(':')[0]);
    if (!found) {
      // What Lambda answers for a function that does not exist.
      throw new LambdaFunctionError({
        errorType: 'Lambda.ResourceNotFoundException',
        errorMessage: `Function not found: ${ref}`,
        trace: [],
      });
    }
    return found;
  }

  /** The ARN the context reports: as invoked (with its qualifier) when invoked by ARN. */
  invokedArn(ref: string): string {
    return ref.startsWith('arn:') ? ref : this.resolve(ref).arn;
  }
}

/**
 * `$$.State` as Step Functions fills it. The library builds the context object once per run
 * and keeps no state fields, so this object's getters follow the library's own events.
 */
class CurrentState {
  private name?: string;
  private enteredTime?: string;
  private retryCount = 0;

  observe(event: LibraryEvent): void {
    if (event.type === 'StateEntered') {
      this.name = event.state.name;
      this.enteredTime = new Date(event.timestamp).toISOString();
      this.retryCount = 0;
    } else if (event.type === 'StateRetried') {
      this.retryCount += 1;
    }
  }

  contextObject(): Record<string, unknown> {
    // Plain enumerable getters: the library's JSONPath reads own properties.
    const current = this;
    return {
      get Name() {
        return current.name;
      },
      get EnteredTime() {
        return current.enteredTime;
      },
      get RetryCount() {
        return current.retryCount;
      },
    };
  }
}

/**
 * Calls `listener` for each event at the moment the library dispatches it. The public event log
 * is an async generator, which runs too late: `$$.State` is read right after StateEntered and
 * StateRetried, in the same tick. This reaches into the library (its private `execute` and its
 * event logger's `dispatch`), so it checks that both are still there.
 */
function onEverySyncEvent(machine: StateMachine, listener: (event: LibraryEvent) => void): void {
  type EventLogger = { dispatch(event: LibraryEvent): void };
  type Internals = {
    execute(input: JsonValue, options: { eventLogger: EventLogger }, cleanup: () => void): Promise<JsonValue>;
  };
  const internals = machine as unknown as Internals;
  const execute = internals.execute;
  if (typeof execute !== 'function')
    throw new Error('aws-local-stepfunctions has no StateMachine.execute: $$.State cannot be provided');
  internals.execute = function (this: Internals, input, options, cleanup) {
    const logger = options.eventLogger;
    if (typeof logger?.dispatch !== 'function')
      throw new Error('aws-local-stepfunctions has no EventLogger.dispatch: $$.State cannot be provided');
    const dispatch = logger.dispatch.bind(logger);
    logger.dispatch = (event) => {
      listener(event);
      dispatch(event);
    };
    return execute.call(this, input, options, cleanup);
  };
}

async function outcomeOf(result: Promise<JsonValue>): Promise<ExecutionResult> {
  try {
    return { status: 'SUCCEEDED', output: await result };
  } catch (err) {
    if (err instanceof ExecutionAbortedError) return { status: 'ABORTED' };
    if (err instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: 'States.Timeout' };
    if (err instanceof ExecutionError && err.cause instanceof Error) {
      // As the library's ExecutionFailed event reports it.
      return {
        status: 'FAILED',
        error: err.cause.name,
        cause: causeText(err.cause.cause ?? err.cause.message),
      };
    }
    throw err;
  }
}

function toExecutionEvent(event: LibraryEvent, id: number): ExecutionEvent {
  const base = { id, timestamp: new Date(event.timestamp).toISOString(), type: event.type };
  switch (event.type) {
    case 'StateEntered':
    case 'StateExited':
      return { ...base, state: event.state.name, stateType: event.state.type };
    case 'StateFailed':
      return {
        ...base,
        state: event.state.name,
        stateType: event.state.type,
        error: event.Error,
        cause: causeText(event.Cause),
      };
    case 'StateRetried':
      return {
        ...base,
        state: event.state.name,
        stateType: event.state.type,
        retry: { errorEquals: event.retry.retrier.ErrorEquals, attempt: event.retry.attempt },
      };
    case 'StateCaught':
      return {
        ...base,
        state: event.state.name,
        stateType: event.state.type,
        caught: { errorEquals: event.catch.catcher.ErrorEquals, next: event.catch.catcher.Next },
      };
    case 'ExecutionFailed':
      return { ...base, error: event.Error, cause: causeText(event.Cause) };
    case 'MapIterationFailed':
    case 'ParallelBranchFailed':
      return { ...base, state: event.parentState.name, error: event.Error, cause: causeText(event.Cause) };
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'ParallelBranchStarted':
    case 'ParallelBranchSucceeded':
      return { ...base, state: event.parentState.name };
    default:
      return base;
  }
}

function causeText(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  return typeof cause === 'string' ? cause : JSON.stringify(cause);
}

/** Node's timers hold at most 2^31-1 ms (24.8 days); a longer one fires at once. */
const NODE_TIMER_MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/**
 * A copy of the definition whose timeouts and waits fit in a Node timer: the library sets them
 * as they are, so a 30-day state machine timeout would end every execution at once. Clamping
 * them changes nothing a local run can observe.
 */
function withinNodeTimers(definition: AslDefinition): AslDefinition {
  const copy = JSON.parse(JSON.stringify(definition)) as AslDefinition;
  const clamp = (seconds: number | undefined) =>
    seconds === undefined ? undefined : Math.min(seconds, NODE_TIMER_MAX_SECONDS);
  if (copy.TimeoutSeconds !== undefined) copy.TimeoutSeconds = clamp(copy.TimeoutSeconds);
  for (const [, state] of statesOf(copy)) {
    if (state.Type === 'Task' && state.TimeoutSeconds !== undefined)
      state.TimeoutSeconds = clamp(state.TimeoutSeconds);
    if (state.Type === 'Wait' && state.Seconds !== undefined) state.Seconds = clamp(state.Seconds);
  }
  return copy;
}

/** Every state, including those inside Parallel branches and Map iterators. */
function statesOf(definition: Pick<AslDefinition, 'States'>): Array<[string, State]> {
  return Object.entries(definition.States).flatMap(([name, state]): Array<[string, State]> => {
    const nested =
      state.Type === 'Parallel'
        ? state.Branches.flatMap(statesOf)
        : state.Type === 'Map'
          ? [state.ItemProcessor, state.Iterator].flatMap((machine) => (machine ? statesOf(machine) : []))
          : [];
    return [[name, state], ...nested];
  });
}

/**
 * Refuses what aws-local-stepfunctions would silently ignore or cannot run, so that a local run
 * never passes where AWS would behave differently.
 */
function assertRunnable(definition: AslDefinition, states: Array<[string, State]>): void {
  const problems: string[] = [];
  if ((definition as { QueryLanguage?: string }).QueryLanguage === 'JSONata')
    problems.push('QueryLanguage JSONata');
  const ignored = [
    'QueryLanguage',
    'Assign',
    'Arguments',
    'Output',
    'HeartbeatSeconds',
    'HeartbeatSecondsPath',
    'Credentials',
    'ItemReader',
    'ResultWriter',
    'ItemBatcher',
  ];
  for (const [name, state] of states) {
    const fields = state as unknown as Record<string, unknown>;
    for (const field of ignored) {
      if (field in fields && !(field === 'QueryLanguage' && fields[field] === 'JSONPath'))
        problems.push(`${name}: ${field}`);
    }
    if (
      state.Type === 'Map' &&
      (state.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined)?.ProcessorConfig?.Mode ===
        'DISTRIBUTED'
    ) {
      problems.push(`${name}: Distributed Map`);
    }
    if (state.Type === 'Task') {
      // The handler's deadline (getRemainingTimeInMillis) must come from a fixed timeout.
      if ('TimeoutSecondsPath' in state) problems.push(`${name}: TimeoutSecondsPath`);
      if (
        state.Resource !== LAMBDA_INVOKE &&
        !/^arn:[^:]+:lambda:[^:]+:[^:]+:function:/.test(state.Resource)
      ) {
        problems.push(`${name}: Resource ${state.Resource} (only Lambda functions run locally)`);
      }
    }
  }
  if (problems.length > 0) {
    throw new UnsupportedDefinitionError(
      `The local runner cannot run this definition faithfully: ${problems.join('; ')}`,
    );
  }
}

function assertKnown(names: string[], known: string[], kind: string): void {
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0)
    throw new Error(`Overrides name states that are not ${kind} states: ${unknown.join(', ')}`);
}

/** A function ARN without its version or alias qualifier. */
function unqualified(arn: string): string {
  return arn.split(':').slice(0, 7).join(':');
}
