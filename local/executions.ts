// The local executions, recorded on disk as they run so that another process (the CLI's
// status and watch, a liveness check) can follow them: one append-only JSON-lines file each.

import fs from 'node:fs';
import path from 'node:path';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export type ExecutionEventType =
  | 'ExecutionStarted'
  | 'ExecutionSucceeded'
  | 'ExecutionFailed'
  | 'ExecutionAborted'
  | 'ExecutionTimeout'
  | 'StateEntered'
  | 'StateExited'
  | 'StateFailed'
  | 'StateRetried'
  | 'StateCaught'
  | 'MapIterationStarted'
  | 'MapIterationSucceeded'
  | 'MapIterationFailed'
  | 'ParallelBranchStarted'
  | 'ParallelBranchSucceeded'
  | 'ParallelBranchFailed';

/** One entry of an execution's history (without state payloads, which can be large). */
export interface ExecutionEvent {
  /** 1-based position in the history, as in Step Functions' GetExecutionHistory. */
  id: number;
  timestamp: string;
  type: ExecutionEventType;
  /** The state the event is about (for Map and Parallel events, the Map or Parallel state). */
  state?: string;
  stateType?: string;
  error?: string;
  cause?: string;
  /** StateRetried: the retrier that matched and how many times it has now retried. */
  retry?: { errorEquals: string[]; attempt: number };
  /** StateCaught: the catcher that matched and where it goes. */
  caught?: { errorEquals: string[]; next: string };
}

export interface ExecutionStart {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: unknown;
  startTime: string;
  /** The process that runs the execution; whether it is alive tells a crash from a run. */
  pid: number;
  /** The execution whose task started this one (continue-as-new). */
  startedBy?: string;
}

export interface ExecutionStop {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  stopTime: string;
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface ExecutionDescription extends ExecutionStart {
  status: ExecutionStatus;
  stopTime?: string;
  output?: unknown;
  error?: string;
  cause?: string;
}

/** The Step Functions API's error for a name already used in this state machine. */
export class ExecutionAlreadyExistsError extends Error {
  override readonly name = 'ExecutionAlreadyExists';
}

/** The Step Functions API's error for an execution name it would refuse. */
export class InvalidNameError extends Error {
  override readonly name = 'InvalidName';
}

type Line =
  | ({ record: 'start' } & ExecutionStart)
  | ({ record: 'event' } & ExecutionEvent)
  | ({ record: 'stop' } & ExecutionStop);

export interface ExecutionRegistryOptions {
  /** The folder under which `.svm-migrate/executions/` lives; the working directory by default. */
  root?: string;
}

export class ExecutionRegistry {
  readonly dir: string;

  constructor(options: ExecutionRegistryOptions = {}) {
    this.dir = path.join(options.root ?? process.cwd(), '.svm-migrate', 'executions');
  }

  /** Records a new execution as RUNNING; fails if the state machine already has one by that name. */
  create(start: ExecutionStart): void {
    const file = this.fileOf(start.executionArn);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    let fd: number;
    try {
      // Exclusive create, so two processes cannot both claim a name.
      fd = fs.openSync(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new ExecutionAlreadyExistsError(`Execution already exists: ${start.executionArn}`);
      }
      throw err;
    }
    try {
      fs.writeSync(fd, toLine({ record: 'start', ...start }));
    } finally {
      fs.closeSync(fd);
    }
  }

  appendEvent(executionArn: string, event: ExecutionEvent): void {
    this.append(executionArn, { record: 'event', ...event });
  }

  finish(executionArn: string, stop: ExecutionStop): void {
    this.append(executionArn, { record: 'stop', ...stop });
  }

  describe(executionArn: string): ExecutionDescription | undefined {
    const lines = this.read(executionArn);
    return lines && describeLines(lines);
  }

  history(executionArn: string): ExecutionEvent[] {
    return (this.read(executionArn) ?? []).flatMap((line) => {
      if (line.record !== 'event') return [];
      const { record: _event, ...event } = line;
      return [event];
    });
  }

  /** Every recorded execution, oldest first. */
  list(): ExecutionDescription[] {
    if (!fs.existsSync(this.dir)) return [];
    const found: ExecutionDescription[] = [];
    for (const machine of fs.readdirSync(this.dir)) {
      const machineDir = path.join(this.dir, machine);
      if (!fs.statSync(machineDir).isDirectory()) continue;
      for (const file of fs.readdirSync(machineDir)) {
        if (!file.endsWith('.jsonl')) continue;
        const description = this.describeFile(path.join(machineDir, file));
        if (description) found.push(description);
      }
    }
    return found.sort((a, b) => a.startTime.localeCompare(b.startTime) || a.name.localeCompare(b.name));
  }

  /** True only while the execution is recorded as RUNNING and the process running it is alive. */
  isRunning(executionArn: string): boolean {
    const description = this.describe(executionArn);
    return description?.status === 'RUNNING' && isProcessAlive(description.pid);
  }

  private describeFile(file: string): ExecutionDescription | undefined {
    return describeLines(parseLines(fs.readFileSync(file, 'utf8')));
  }

  private append(executionArn: string, line: Line): void {
    fs.appendFileSync(this.fileOf(executionArn), toLine(line));
  }

  private read(executionArn: string): Line[] | undefined {
    try {
      return parseLines(fs.readFileSync(this.fileOf(executionArn), 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private fileOf(executionArn: string): string {
    const { stateMachineName, name } = parseExecutionArn(executionArn);
    return path.join(this.dir, stateMachineName, `${name}.jsonl`);
  }
}

/** `arn:aws:states:<region>:<account>:execution:<state machine>:<name>` -> its parts. */
export function parseExecutionArn(executionArn: string): {
  region: string;
  account: string;
  stateMachineName: string;
  name: string;
} {
  const parts = executionArn.split(':');
  const [arn, partition, service, region, account, kind, stateMachineName, name] = parts;
  if (parts.length !== 8 || arn !== 'arn' || !partition || service !== 'states' || kind !== 'execution') {
    throw new InvalidNameError(`Not an execution ARN: ${executionArn}`);
  }
  assertName(stateMachineName);
  assertName(name);
  return { region, account, stateMachineName, name };
}

/**
 * Step Functions' rule for execution and state machine names (1 to 80 characters, no
 * whitespace, brackets, wildcards, control or special characters). It also keeps names safe
 * as file names: no `/`, no `:`, no `\`.
 */
export function assertName(name: string): void {
  // eslint-disable-next-line no-control-regex
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what Step Functions refuses in a name
  const refused = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;
  if (name.length < 1 || name.length > 80 || refused.test(name) || name === '.' || name === '..') {
    throw new InvalidNameError(`Invalid name: ${JSON.stringify(name)}`);
  }
}

/** An execution is its start line, plus its stop line once it has ended. */
function describeLines(lines: Line[]): ExecutionDescription | undefined {
  const start = lines.find((line) => line.record === 'start');
  if (!start) return undefined;
  const { record: _start, ...description } = start;
  const stop = lines.find((line) => line.record === 'stop');
  if (!stop) return { ...description, status: 'RUNNING' };
  const { record: _stop, ...end } = stop;
  return { ...description, ...end };
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function toLine(line: Line): string {
  return `${JSON.stringify(line)}\n`;
}

/** Parses JSON lines; a reader may catch the writer mid-line, so a torn last line is skipped. */
function parseLines(text: string): Line[] {
  const lines = text.split('\n').filter((line) => line.length > 0);
  return lines.flatMap((line, index) => {
    try {
      return [JSON.parse(line) as Line];
    } catch (err) {
      if (index === lines.length - 1 && !text.endsWith('\n')) return [];
      throw err;
    }
  });
}
