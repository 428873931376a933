// The AWS target: the deployed state machine through the Step Functions API, and the migrate
// state in the stack's DynamoDB table; region, profile and credentials from the SDK's default
// chain unless --region/--profile say otherwise.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ExecutionInput } from '../../lambdas/input';
import { MigrationStore } from '../../lambdas/state/migration-store';
import { notFound, usageError } from '../errors';
import {
  type ExecutionStatus,
  type ExecutionSummary,
  existingExecutionError,
  type HistoryEntry,
  type MigrationTarget,
  type StartedExecution,
} from '../target';

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
    const config = {
      ...(options.region && { region: options.region }),
      ...(options.profile && { profile: options.profile }),
    };
    this.sfn = new SFNClient(config);
    this.dynamodb = new DynamoDBClient(config);
    this.store = new MigrationStore(
      DynamoDBDocumentClient.from(this.dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
      tableName,
    );
  }

  /**
   * The state machine and table from the flags (or their environment variables), else from the
   * stack's outputs StateMachineArn and TableName (CloudFormation DescribeStacks).
   */
  static async open(options: AwsTargetOptions): Promise<AwsTarget> {
    let { stateMachineArn, tableName } = options;
    if (!stateMachineArn || !tableName) {
      const outputs = await stackOutputs(options);
      stateMachineArn ||= outputs.StateMachineArn;
      tableName ||= outputs.TableName;
      const missing = [!stateMachineArn && 'StateMachineArn', !tableName && 'TableName'].filter(Boolean);
      if (missing.length > 0) {
        throw usageError(
          `stack ${options.stack} has no output ${missing.join(' or ')}: is it an svm-migrate stack? (or give --state-machine-arn and --table-name)`,
        );
      }
    }
    if (
      !/^arn:aws[a-z-]*:states:[^:]+:\d{12}:stateMachine:[A-Za-z0-9_.-]+$/.test(stateMachineArn as string)
    ) {
      throw usageError(`--state-machine-arn ${stateMachineArn}: not a state machine ARN`);
    }
    return new AwsTarget(stateMachineArn as string, tableName as string, options);
  }

  executionArnOf(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  async startExecution(input: ExecutionInput, name: string): Promise<StartedExecution> {
    try {
      const out = await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name,
          input: JSON.stringify(input),
        }),
      );
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
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: HISTORY_PAGE,
          includeExecutionData: false,
          ...(nextToken && { nextToken }),
        }),
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
  const details = Object.entries(event).find(
    ([key, value]) => key.endsWith('EventDetails') && value && typeof value === 'object',
  )?.[1] as Record<string, unknown> | undefined;
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

/** The stack's outputs by key; a missing stack is "not found" with the flags that avoid the lookup. */
async function stackOutputs(options: AwsTargetOptions): Promise<Record<string, string>> {
  const config = {
    ...(options.region && { region: options.region }),
    ...(options.profile && { profile: options.profile }),
  };
  const cloudFormation = new CloudFormationClient(config);
  try {
    const out = await cloudFormation.send(new DescribeStacksCommand({ StackName: options.stack }));
    const outputs = out.Stacks?.[0]?.Outputs ?? [];
    return Object.fromEntries(
      outputs
        .filter((o) => o.OutputKey && o.OutputValue)
        .map((o) => [o.OutputKey as string, o.OutputValue as string]),
    );
  } catch (err) {
    // CloudFormation answers a missing stack with a ValidationError "Stack with id X does not exist".
    if ((err as Error).name === 'ValidationError' && /does not exist/.test((err as Error).message)) {
      throw notFound(
        `stack ${options.stack} does not exist in this account and region (deploy it, pass --stack, or give --state-machine-arn and --table-name)`,
      );
    }
    throw err;
  } finally {
    cloudFormation.destroy();
  }
}
