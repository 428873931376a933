// Runs one migration to its end as an operator would: it starts an execution, starts a fresh one
// after a crash (the injector's) or a pause, and reruns an end that asks for a rerun
// (SourceCleanupFailed, CommitIncomplete). It knows every execution, for the checker.

import type { MigrationRecord } from '../lambdas/state/records';
import type { LocalEnvironment } from '../local/environment';
import type { ExecutionEvent } from '../local/executions';
import type { Execution, ExecutionResult } from '../local/runner';
import { fenceTasks, killProcess } from './crash';
import type { Orchestrator } from './injector';
import { tasksSettled } from './interceptor';
import { type ClusterEndpoint, checkAfter, type Ending, endingOf, type Violation } from './invariants';
import { MAX_COUNT } from './schedule';
import type { WorkloadRecord } from './workload';

export interface MigrationRun {
  migrationId?: string;
  ending: Ending;
  /** The last state the last execution entered (Migrated, Aborted, MigrationFailed...). */
  endState?: string;
  executions: number;
  /** Each execution's states as entered, with the milliseconds since the run began. */
  timeline: string[];
  retries: number;
  relocations: number;
  restarts: number;
}

/** Operator reruns after an end that asks for one: more than a schedule can make fail in a row. */
const MAX_OPERATOR_RERUNS = MAX_COUNT + 5;
const QUIESCE_MS = 10_000;

export class MigrationDriver implements Orchestrator {
  migrationId?: string;
  private readonly executions: Execution[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly seen = new Map<string, Execution>();
  private readonly crashed = new Set<string>();
  private endState?: string;
  private startedAt?: number;
  /** How the last execution ended. */
  lastResult?: ExecutionResult;

  constructor(
    private readonly env: LocalEnvironment,
    private readonly svm: string,
    private readonly from: ClusterEndpoint,
    private readonly to: ClusterEndpoint,
    private readonly deadlineMs: number,
  ) {
    fenceTasks(env);
  }

  crash(executionId: string, afterMs: number): boolean {
    const execution = this.env.machine.execution(executionId);
    // A process dies once: two faults of one entry are one crash.
    if (!execution || this.crashed.has(executionId)) return false;
    this.crashed.add(executionId);
    const restart = (async () => {
      await new Promise((resolve) => setTimeout(resolve, afterMs));
      // The process dies: its execution stops and its task dies at its next call.
      killProcess(executionId);
      execution.abort();
      await execution.result;
      await tasksSettled(QUIESCE_MS);
      this.start(true);
    })();
    this.pending.add(restart);
    void restart.finally(() => this.pending.delete(restart));
    return true;
  }

  /** Returns violations of its own: a migration that did not end in time. */
  async run(autoCutover: boolean): Promise<Violation[]> {
    this.autoCutover = autoCutover;
    this.start(false);
    const deadline = Date.now() + this.deadlineMs;
    let reruns = 0;
    for (;;) {
      const current = this.executions[this.executions.length - 1];
      const ended = await Promise.race([
        this.env.machine.waitForChain(current.executionArn),
        timeout(deadline),
      ]);
      if (!ended) return this.giveUp();
      for (const link of ended) this.remember(link.executionArn);
      while (this.pending.size > 0) await Promise.race([...this.pending]);
      if (this.executions[this.executions.length - 1] !== current) continue;
      // Decide on the migration only once no execution of it runs any more.
      if (!(await Promise.race([Promise.all(this.executions.map((e) => e.result)), timeout(deadline)])))
        return this.giveUp();
      const last = ended[ended.length - 1];
      this.lastResult = last.result;
      const lastExecution = this.seen.get(last.executionArn);
      this.endState =
        lastExecution && [...lastExecution.events].reverse().find((e) => e.type === 'StateEntered')?.state;
      const record = await this.record();
      if (record?.status === 'migrate_paused') {
        this.start(true);
        continue;
      }
      if (
        last.result.status === 'FAILED' &&
        (last.result.error === 'SourceCleanupFailed' || last.result.error === 'CommitIncomplete') &&
        reruns < MAX_OPERATOR_RERUNS
      ) {
        reruns++;
        this.start(true);
        continue;
      }
      return [];
    }
  }

  /** Stops every execution still running and waits for each to be recorded as ended (before a lab is thrown away). */
  async quiesce(): Promise<void> {
    while (this.pending.size > 0) await Promise.race([...this.pending]);
    for (const e of this.seen.values()) e.abort();
    await Promise.race([
      Promise.all([...this.seen.values()].map((e) => e.result)),
      timeout(Date.now() + QUIESCE_MS),
    ]);
  }

  async summary(): Promise<MigrationRun> {
    const record = await this.record();
    return {
      ...(record && { migrationId: record.id }),
      ending: endingOf(record),
      ...(this.endState && { endState: this.endState }),
      executions: this.seen.size,
      timeline: this.timeline(),
      retries: record?.retries ?? 0,
      relocations: record?.relocations ?? 0,
      restarts: record?.restarts ?? 0,
    };
  }

  async check(workload: WorkloadRecord, expected: Map<string, string>): Promise<Violation[]> {
    const record = await this.record();
    if (!record)
      return [{ invariant: 4, message: `no migration began (end state ${this.endState ?? 'unknown'})` }];
    const env = this.env;
    return checkAfter({
      svm: this.svm,
      source: this.from,
      destination: this.to,
      store: env.store,
      migrationId: record.id,
      tunables: env.tunables,
      histories: [...this.seen.values()].map((e) => e.events as readonly ExecutionEvent[]),
      workload,
      expected,
    });
  }

  private autoCutover = true;

  /** The migration this driver's executions own (the newest one one of them began or took over). */
  private async record(): Promise<MigrationRecord | undefined> {
    const store = this.env.store;
    if (!this.migrationId) {
      const { items } = await store.list({ limit: 20 });
      this.migrationId = items.find((m) => this.seen.has(m.owner))?.id;
    }
    return this.migrationId ? store.get(this.migrationId) : undefined;
  }

  private timeline(): string[] {
    const at = (e: ExecutionEvent) => Date.parse(e.timestamp) - (this.startedAt ?? 0);
    return [...this.seen.values()].map(
      (execution) =>
        `${execution.name.slice(0, 8)}: ${execution.events
          .filter((e) => e.type === 'StateEntered' || e.type === 'StateFailed')
          .map((e) =>
            e.type === 'StateFailed' ? `(${e.error}: ${causeMessage(e.cause)})` : `${e.state}@${at(e)}`,
          )
          .join(' ')}`,
    );
  }

  private start(resume: boolean): void {
    const env = this.env;
    this.startedAt ??= Date.now();
    const input = {
      source: { cluster: this.from.name, svm: this.svm },
      destination: { cluster: this.to.name },
      autoCutover: this.autoCutover,
      ...(resume && this.migrationId && { migrationId: this.migrationId }),
    };
    const execution = env.start(input);
    this.executions.push(execution);
    this.seen.set(execution.executionArn, execution);
  }

  private remember(executionArn: string): void {
    const execution = this.env.machine.execution(executionArn);
    if (execution) this.seen.set(executionArn, execution);
  }

  private giveUp(): Violation[] {
    for (const e of this.seen.values()) e.abort();
    return [
      {
        invariant: 4,
        message: `the migration did not end within ${this.deadlineMs} ms (last state entered: ${this.lastStateEntered() ?? 'none'})`,
      },
    ];
  }

  private lastStateEntered(): string | undefined {
    const current = this.executions[this.executions.length - 1];
    return current && [...current.events].reverse().find((e) => e.type === 'StateEntered')?.state;
  }
}

function timeout(deadline: number): Promise<undefined> {
  return new Promise((resolve) =>
    setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now())).unref(),
  );
}

/** The error message inside a task failure's Cause, short. */
function causeMessage(cause: string | undefined): string {
  if (!cause) return '';
  try {
    return String((JSON.parse(cause) as { errorMessage?: string }).errorMessage ?? cause).slice(0, 160);
  } catch {
    return cause.slice(0, 160);
  }
}
