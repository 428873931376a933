// The AWS target: the deployed state machine through the Step Functions API, and the migrate
// state in the stack's DynamoDB table; region, profile and credentials from the SDK's default
// chain unless --region/--profile say otherwise.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ExecutionInput } from '../../lambdas/input';
import { MigrationStore } from '../../lambdas/state/migration-store';
import { usageError } from '../errors';
import { existingExecutionError, type ExecutionStatus, type ExecutionSummary, type HistoryEntry, type MigrationTarget, type StartedExecution } from '../target';

export interface AwsTargetOptions {
  region?: string;
  profile?: string;
  /** The stack whose outputs name the state machine and the table. */
  stack: string;
  stateMachineArn?: string;
  tableName?: string;
}

/** GetExecutionHistory's largest page. */
const HISTORY_PAGE = 1000;

export class AwsTarget implements MigrationTarget {
  readonly kind = 'aws';
  readonly pollMs = 2000;
  readonly store: MigrationStore;
  private readonly sfn: SFNClient;
  private readonly dynamodb: DynamoDBClient;

  constructor(
    readonly stateMachineArn: string,
    readonly tableName: string,
    options: Pick<AwsTargetOptions, 'region' | 'profile'>,
  ) {
    const config = { ...(options.region && { region: options.region }), ...(options.profile && { profile: options.profile }) };
    this.sfn = new SFNClient(config);
    this.dynamodb = new DynamoDBClient(config);
    this.store = new MigrationStore(DynamoDBDocumentClient.from(this.dynamodb, { marshallOptions: { removeUndefinedValues: true } }), tableName);
  }

  /**
   * The state machine and table from the flags. Reading them from the stack's outputs
   * (DescribeStacks) needs @aws-sdk/client-cloudformation, which this project does not depend on.
   */
  static open(options: AwsTargetOptions): AwsTarget {
    const missing = [!options.stateMachineArn && '--state-machine-arn', !options.tableName && '--table-name'].filter(Boolean);
    if (missing.length > 0) {
      throw usageError(
        `--target aws needs ${missing.join(' and ')} (stack ${options.stack}'s outputs StateMachineArn and TableName; ` +
          'reading them from the stack needs @aws-sdk/client-cloudformation, not installed)',
      );
    }
    if (!/^arn:aws[a-z-]*:states:[^:]+:\d{12}:stateMachine:[A-Za-z0-9_.-]+$/.test(options.stateMachineArn as string)) {
      throw usageError(`--state-machine-arn ${options.stateMachineArn}: not a state machine ARN`);
    }
    return new AwsTarget(options.stateMachineArn as string, options.tableName as string, options);
  }

  executionArnOf(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  async startExecution(input: ExecutionInput, name: string): Promise<StartedExecution> {
    try {
      const out = await this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }));
      return { executionArn: out.executionArn as string, name, startDate: isoOf(out.startDate) };
    } catch (err) {
      if (!(err instanceof ExecutionAlreadyExists)) throw err;
      const executionArn = this.executionArnOf(name);
      throw existingExecutionError(executionArn, await this.describeExecution(executionArn));
    }
  }

  async redrive(execution: ExecutionSummary): Promise<StartedExecution | undefined> {
    if (execution.status !== 'FAILED' || !execution.redrivable) return undefined;
    const out = await this.sfn.send(new RedriveExecutionCommand({ executionArn: execution.executionArn }));
    return { executionArn: execution.executionArn, name: execution.name, startDate: isoOf(out.redriveDate) };
  }

  async describeExecution(executionArn: string): Promise<ExecutionSummary | undefined> {
    let out: DescribeExecutionCommandOutput;
    try {
      out = await this.sfn.send(new DescribeExecutionCommand({ executionArn }));
    } catch (err) {
      if (err instanceof ExecutionDoesNotExist) return undefined;
      throw err;
    }
    const status = out.status as ExecutionStatus;
    return {
      executionArn,
      name: out.name ?? executionArn.split(':').pop() ?? executionArn,
      status,
      running: status === 'RUNNING',
      startDate: isoOf(out.startDate),
      ...(out.stopDate && { stopDate: isoOf(out.stopDate) }),
      ...(out.input !== undefined && { input: parseJson(out.input) }),
      ...(out.output !== undefined && { output: parseJson(out.output) }),
      ...(out.error && { error: out.error }),
      ...(out.cause && { cause: out.cause }),
      redrivable: out.redriveStatus === 'REDRIVABLE',
    };
  }

  async executionHistory(executionArn: string): Promise<HistoryEntry[]> {
    const entries: HistoryEntry[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.sfn.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: HISTORY_PAGE, includeExecutionData: false, ...(nextToken && { nextToken }) }),
      );
      entries.push(...(page.events ?? []).map(historyEntryOf));
      nextToken = page.nextToken;
    } while (nextToken);
    return entries;
  }

  async close(): Promise<void> {
    this.sfn.destroy();
    this.dynamodb.destroy();
  }
}

/** The fields of a history event that a reader wants: the state, and what went wrong or what ran. */
function historyEntryOf(event: HistoryEvent): HistoryEntry {
  const details = Object.entries(event).find(([key, value]) => key.endsWith('EventDetails') && value && typeof value === 'object')?.[1] as
    | Record<string, unknown>
    | undefined;
  const state = (event.stateEnteredEventDetails ?? event.stateExitedEventDetails)?.name;
  return {
    id: event.id ?? 0,
    timestamp: isoOf(event.timestamp),
    type: event.type ?? 'Unknown',
    ...(state && { state }),
    ...(details && detailOf(details) && { detail: detailOf(details) }),
  };
}

function detailOf(details: Record<string, unknown>): string | undefined {
  if (typeof details.error === 'string' || typeof details.cause === 'string') {
    const cause = typeof details.cause === 'string' ? readableCause(details.cause) : undefined;
    return [details.error, cause].filter(Boolean).join(': ');
  }
  if (typeof details.resource === 'string') {
    if (typeof details.resourceType === 'string') return `${details.resourceType}:${details.resource}`;
    // A Lambda function's ARN: its name is what tells the tasks apart.
    return details.resource.replace(/^arn:[^:]+:lambda:[^:]+:\d+:function:/, 'function ');
  }
  if (typeof details.redriveCount === 'number') return `redrive ${details.redriveCount}`;
  return undefined;
}

/**
 * For display only (nothing routes on it): a Lambda error's cause is Lambda's JSON envelope,
 * whose errorMessage is what a person wants to read; anything else is shown as it is.
 */
function readableCause(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: shown as given.
  }
  return cause;
}

function isoOf(date: Date | undefined): string {
  return (date ?? new Date(0)).toISOString();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
