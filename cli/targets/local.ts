// The local target: the work dir's services (started on first use), executions run by
// detached runner processes, and what they record on disk (the execution registry) and in
// DynamoDB Local, which every command reads.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExecutionInput } from '../../lambdas/input';
import { OntapClient } from '../../lambdas/ontap/client';
import { MigrationStore } from '../../lambdas/state/migration-store';
import type { MigrationRecord } from '../../lambdas/state/records';
import { documentClient } from '../../local/dynamodb-local';
import { type ExecutionDescription, type ExecutionEvent, ExecutionRegistry } from '../../local/executions';
import {
  ensureLocalServices,
  firstMessage,
  type LocalServices,
  localStateDir,
  type ServicesHostOptions,
} from '../../local/services';
import { unavailable } from '../errors';
import { checkRequest } from '../request-check';
import {
  type ExecutionSummary,
  existingExecutionError,
  type HistoryEntry,
  type MigrationTarget,
  type StartedExecution,
} from '../target';
import type { ExecutionProcessMessage } from './local-execution';

const EXECUTION_ENTRY = path.join(__dirname, 'local-execution.ts');
/** Synthesizing the state machine and connecting take a few seconds. */
const START_TIMEOUT_MS = 60_000;

export interface LocalTargetOptions {
  workDir: string;
  env: NodeJS.ProcessEnv;
  /** How to start the services if none run (`local up`'s flags). */
  services?: ServicesHostOptions;
  /** Notices about the services (a damaged record cleaned up, an orphan stopped). */
  say?: (line: string) => void;
}

export class LocalTarget implements MigrationTarget {
  readonly kind = 'local';
  readonly pollMs = 250;
  readonly store: MigrationStore;
  readonly registry: ExecutionRegistry;
  private readonly client;

  private constructor(
    readonly services: LocalServices,
    readonly servicesStarted: boolean,
    private readonly options: LocalTargetOptions,
  ) {
    this.client = documentClient(services.dynamoDbEndpoint);
    this.store = new MigrationStore(this.client, services.tableName);
    this.registry = new ExecutionRegistry({ root: options.workDir });
  }

  static async open(options: LocalTargetOptions): Promise<LocalTarget> {
    const { services, started } = await ensureLocalServices(options.workDir, options.services, options.say);
    return new LocalTarget(services, started, options);
  }

  async startExecution(input: ExecutionInput, name: string): Promise<StartedExecution> {
    // Known without starting a runner (which takes seconds to synthesize); the runner's
    // exclusive create still settles a race between two starts.
    this.refuseTakenName(name);
    const logDir = path.join(localStateDir(this.options.workDir), 'logs');
    fs.mkdirSync(logDir, { recursive: true });
    const logFile = path.join(logDir, `${name}.log`);
    // Through a file, not the command line: an input of any size fits (argv ends at about 128 KB).
    const inputDir = path.join(localStateDir(this.options.workDir), 'inputs');
    fs.mkdirSync(inputDir, { recursive: true });
    const inputFile = path.join(inputDir, `${name}.json`);
    fs.writeFileSync(inputFile, JSON.stringify(input));
    const log = fs.openSync(logFile, 'a');
    const child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('tsx/cjs'),
        EXECUTION_ENTRY,
        '--work-dir',
        this.options.workDir,
        '--name',
        name,
        '--input-file',
        inputFile,
      ],
      {
        cwd: this.options.workDir,
        detached: true,
        stdio: ['ignore', log, log, 'ipc'],
        env: this.options.env,
      },
    );
    fs.closeSync(log);
    try {
      const message = await firstMessage<ExecutionProcessMessage>(
        child,
        START_TIMEOUT_MS,
        `the local runner (log: ${logFile})`,
      ).catch((err: Error) => {
        throw unavailable(err.message);
      });
      if ('started' in message) return message.started;
      if ('alreadyExists' in message) throw await this.alreadyExists(message.alreadyExists.executionArn);
      throw unavailable(`the local runner could not start ${name}: ${message.failed} (log: ${logFile})`);
    } finally {
      if (child.connected) child.disconnect();
      child.unref();
    }
  }

  async redrive(): Promise<undefined> {
    // aws-local-stepfunctions has no redrive: a resume is always a fresh execution.
    return undefined;
  }

  async describeExecution(executionArn: string): Promise<ExecutionSummary | undefined> {
    const d = this.describeRecorded(executionArn);
    return d && summaryOf(d, this.registry.isRunning(executionArn));
  }

  async executionHistory(executionArn: string): Promise<HistoryEntry[]> {
    return this.registry.history(executionArn).map(historyEntryOf);
  }

  async sourceVolumeBytes(m: MigrationRecord): Promise<Map<string, number>> {
    const cluster = [this.services.clusters.source, this.services.clusters.destination].find(
      (c) => c.name === m.source.cluster,
    );
    if (!cluster) return new Map();
    const client = new OntapClient({
      side: 'source',
      baseUrl: cluster.baseUrl,
      username: cluster.username,
      password: cluster.password,
      ca: cluster.ca,
      timeoutMs: 5000,
    });
    try {
      const volumes = await client.volumes.list({ svmName: m.source.svm });
      return new Map(volumes.map((v) => [v.name, v.space?.used ?? 0]));
    } catch {
      // Only a progress bar depends on it: without totals, watch shows bytes alone.
      return new Map();
    } finally {
      client.close();
    }
  }

  async checkRequest(input: ExecutionInput, name: string): Promise<void> {
    this.refuseTakenName(name);
    await checkRequest(input, [this.services.clusters.source, this.services.clusters.destination]);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private refuseTakenName(name: string): void {
    const taken = this.registry.list().find((d) => d.name === name);
    if (taken)
      throw existingExecutionError(
        taken.executionArn,
        summaryOf(taken, this.registry.isRunning(taken.executionArn)),
      );
  }

  private describeRecorded(executionArn: string): ExecutionDescription | undefined {
    try {
      return this.registry.describe(executionArn);
    } catch (err) {
      // Not an execution ARN at all: nothing by that name.
      if ((err as Error).name === 'InvalidName') return undefined;
      throw err;
    }
  }

  private async alreadyExists(executionArn: string): Promise<Error> {
    const existing = await this.describeExecution(executionArn);
    return existingExecutionError(executionArn, existing);
  }
}

function summaryOf(d: ExecutionDescription, running: boolean): ExecutionSummary {
  return {
    executionArn: d.executionArn,
    name: d.name,
    status: d.status,
    running,
    startDate: d.startTime,
    ...(d.stopTime && { stopDate: d.stopTime }),
    input: d.input,
    ...(d.output !== undefined && { output: d.output }),
    ...(d.error && { error: d.error }),
    ...(d.cause && { cause: d.cause }),
  };
}

function historyEntryOf(e: ExecutionEvent): HistoryEntry {
  const detail = e.error
    ? `${e.error}${e.cause ? `: ${e.cause}` : ''}`
    : e.retry
      ? `retry ${e.retry.attempt} on ${e.retry.errorEquals.join(', ')}`
      : e.caught
        ? `caught ${e.caught.errorEquals.join(', ')} -> ${e.caught.next}`
        : undefined;
  return {
    id: e.id,
    timestamp: e.timestamp,
    type: e.type,
    ...(e.state && { state: e.state }),
    ...(detail && { detail }),
  };
}
