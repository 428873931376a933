// What a command needs of where migrations run: start and describe executions, read their
// history, and the migrate state in DynamoDB. The local runner and AWS Step Functions each
// implement it (cli/targets/), so every command is written once.
import type { ExecutionInput } from '../lambdas/input';
import type { MigrationStore } from '../lambdas/state/migration-store';
import type { MigrationRecord } from '../lambdas/state/records';
import { refused } from './errors';

export type ExecutionStatus =
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'ABORTED'
  | 'TIMED_OUT'
  | 'PENDING_REDRIVE';

export interface ExecutionSummary {
  executionArn: string;
  name: string;
  status: ExecutionStatus;
  /** Whether it can still act: on the local target a RUNNING execution whose process died cannot. */
  running: boolean;
  startDate: string;
  stopDate?: string;
  input?: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  /** Step Functions' redriveStatus says a RedriveExecution would be accepted. */
  redrivable?: boolean;
}

/** One entry of an execution's history, as both targets can tell it. */
export interface HistoryEntry {
  id: number;
  timestamp: string;
  type: string;
  state?: string;
  /** The error and cause, a retry, where a Catch went, a task's function... */
  detail?: string;
}

export interface StartedExecution {
  executionArn: string;
  name: string;
  startDate: string;
}

export interface MigrationTarget {
  readonly kind: 'local' | 'aws';
  readonly store: MigrationStore;
  /** How often to look again when following an execution: Step Functions' API is throttled, a local file is not. */
  readonly pollMs: number;
  /** Starts an execution; ExecutionAlreadyExists (a CliError, exit 4) when the name is taken. */
  startExecution(input: ExecutionInput, name: string): Promise<StartedExecution>;
  /** RedriveExecution where the target has it (AWS); undefined when it does not apply. */
  redrive(execution: ExecutionSummary): Promise<StartedExecution | undefined>;
  describeExecution(executionArn: string): Promise<ExecutionSummary | undefined>;
  executionHistory(executionArn: string): Promise<HistoryEntry[]>;
  /**
   * Bytes used by each source volume, where the CLI can reach the clusters (the local target):
   * the tasks do not record volume totals, and a progress bar needs one.
   */
  sourceVolumeBytes?(m: MigrationRecord): Promise<Map<string, number>>;
  /**
   * Refuses an input that cannot work (a cluster that is not configured, an SVM or aggregate
   * that does not exist...), where the CLI can reach the clusters (the local target); first, an
   * execution `name` that is taken (exit 4, as startExecution would).
   */
  checkRequest?(input: ExecutionInput, name: string): Promise<void>;
  close(): Promise<void>;
}

/** The same words on both targets for a start whose execution name is taken. */
export function existingExecutionError(executionArn: string, existing: ExecutionSummary | undefined): Error {
  if (existing?.running) return refused(`already running: ${executionArn} (started ${existing.startDate})`);
  const how = existing ? `ended ${existing.status} at ${existing.stopDate ?? existing.startDate}` : 'exists';
  return refused(
    `an execution of this input already ran: ${executionArn} (${how}); to start this SVM again, give a new --name`,
  );
}
