// One chaos scenario: a migration of the lab's SVM under a fault schedule, with the client
// workload and the serving prober beside it, checked against the invariants when it ends.
// A migration that ends rolled back (or failed) must leave the source serving every
// acknowledged write, and a fresh migration is then started and must complete.
import type { TaskHooks } from './interceptor';
import { interceptTasks } from './interceptor';
import { FaultInjector, type InjectionLog } from './injector';
import { checkAfter, endingOf, ServingProber, type ClusterEndpoint, type Ending, type Violation } from './invariants';
import { LAB_SVM, type ChaosLab } from './lab';
import { seededRandom } from './random';
import { formatSchedule, type Fault } from './schedule';
import { ClientWorkload, type WorkloadRecord } from './workload';
import type { Execution } from '../local/runner';
import type { ExecutionEvent } from '../local/executions';
import type { MigrationRecord } from '../lambdas/state/records';

export interface ScenarioOptions {
  faults: readonly Fault[];
  seed: number;
  /** Test doubles for task handlers (the checker's own test breaks an undo with one). */
  replace?: TaskHooks['replace'];
  /** After a rollback, start a fresh migration and require it to complete (default true). */
  remigrate?: boolean;
  /** A migration that has not ended by then is a violation. */
  deadlineMs?: number;
}

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

export interface ScenarioResult {
  schedule: string;
  seed: number;
  passed: boolean;
  run: MigrationRun;
  /** The fresh migration after a rollback. */
  remigration?: MigrationRun;
  violations: Violation[];
  writesAcknowledged: number;
  writesLost: number;
  longestUnavailableMs: number;
  log: InjectionLog[];
  durationMs: number;
}

/** Operator reruns after an end that asks for one (SourceCleanupFailed, CommitIncomplete). */
const MAX_OPERATOR_RERUNS = 3;
const DEFAULT_DEADLINE_MS = 60_000;
/** After the end, the client keeps going until it has found the SVM again (or this long). */
const SETTLE_MS = 2_000;

export async function runScenario(lab: ChaosLab, options: ScenarioOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const schedule = formatSchedule(options.faults);
  const placement = await lab.prepare();
  const env = lab.environment;
  const random = seededRandom(options.seed);
  const clusters = [placement.from, placement.to];
  const workload = new ClientWorkload({ svm: LAB_SVM, volumes: lab.volumes, clusters, seed: options.seed, run: `scenario ${options.seed} "${schedule}"` }).start();
  const prober = new ServingProber(LAB_SVM, clusters).start();
  const runner = new MigrationDriver(lab, placement.from, placement.to, options.deadlineMs ?? DEFAULT_DEADLINE_MS);
  const injector = new FaultInjector({
    faults: options.faults,
    source: placement.from,
    destination: placement.to,
    svm: LAB_SVM,
    store: env.store,
    random,
    orchestrator: runner,
  });
  const violations: Violation[] = [];
  let records: WorkloadRecord[] = [];
  let run: MigrationRun = { ending: 'unfinished', executions: 0, timeline: [], retries: 0, relocations: 0, restarts: 0 };
  let remigration: MigrationRun | undefined;
  let expected = new Map<string, string>();
  let clean = false;
  const uninstall = interceptTasks({
    before: async (call) => {
      if (call.migrationId) runner.migrationId ??= call.migrationId;
      await injector.before(call);
    },
    after: (call, outcome) => injector.after(call, outcome),
    replace: options.replace,
  });
  try {
    try {
      violations.push(...(await runner.run(!injector.needsManualCutover)));
    } finally {
      await injector.healAll();
      uninstall();
    }
    await settle(workload);
    const first = await workload.stop();
    records = [first];
    expected = workload.expected();
    run = await runner.summary();
    violations.push(...(await runner.check(first, expected)));

    if ((run.ending === 'rolled_back' || run.ending === 'failed') && run.endState !== 'UndoFailed' && options.remigrate !== false) {
      // Must-show 4: from the source that serves again, a fresh migration completes.
      const again = new ClientWorkload({ svm: LAB_SVM, volumes: lab.volumes, clusters, seed: options.seed + 1, run: `remigration ${options.seed} "${schedule}"` }).start();
      const driver = new MigrationDriver(lab, placement.from, placement.to, options.deadlineMs ?? DEFAULT_DEADLINE_MS);
      violations.push(...(await driver.run(true)));
      await settle(again);
      const second = await again.stop();
      records.push(second);
      expected = new Map([...expected, ...again.expected()]);
      remigration = await driver.summary();
      violations.push(...(await driver.check(second, expected)));
      if (remigration.ending !== 'migrated') {
        violations.push({ invariant: 4, message: `the fresh migration after the rollback ended ${remigration.ending} (${remigration.endState ?? 'no end state'}), not migrated` });
      }
    }
    clean = true;
  } finally {
    if (!clean) await workload.stop();
    const probed = await prober.stop();
    violations.push(...probed.violations);
    // A scenario that broke something leaves a lab nobody should trust.
    if (!clean || violations.length > 0) await lab.stop();
  }

  const writesLost = violations.filter((v) => v.writeLost).length;
  return {
    schedule,
    seed: options.seed,
    passed: violations.length === 0,
    run,
    ...(remigration && { remigration }),
    violations,
    writesAcknowledged: records.reduce((n, r) => n + r.writes.length, 0),
    writesLost,
    longestUnavailableMs: Math.max(0, ...records.map((r) => r.longestUnavailableMs)),
    log: injector.log,
    durationMs: Date.now() - started,
  };
}

/** The client has reached the SVM at its final place (or given up waiting for it). */
async function settle(workload: ClientWorkload): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  const target = workload.successes + 3;
  while (workload.successes < target && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

/**
 * Runs one migration to its end as an operator would: it starts an execution, starts a fresh
 * one after a crash or a pause, and reruns an end that asks for a rerun.
 */
class MigrationDriver {
  migrationId?: string;
  private readonly executions: Execution[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly seen = new Map<string, Execution>();
  private endState?: string;
  private startedAt?: number;

  constructor(
    private readonly lab: ChaosLab,
    private readonly from: ClusterEndpoint,
    private readonly to: ClusterEndpoint,
    private readonly deadlineMs: number,
  ) {}

  crash(executionId: string, afterMs: number): void {
    const execution = this.lab.environment.machine.execution(executionId);
    if (!execution) return;
    const restart = (async () => {
      await new Promise((resolve) => setTimeout(resolve, afterMs));
      execution.abort();
      await execution.result;
      this.start(true);
    })();
    this.pending.add(restart);
    void restart.finally(() => this.pending.delete(restart));
  }

  /** Returns violations of its own: a migration that did not end in time. */
  async run(autoCutover: boolean): Promise<Violation[]> {
    this.autoCutover = autoCutover;
    this.start(false);
    const deadline = Date.now() + this.deadlineMs;
    let reruns = 0;
    for (;;) {
      const current = this.executions[this.executions.length - 1];
      const ended = await Promise.race([this.lab.environment.machine.waitForChain(current.executionArn), timeout(deadline)]);
      if (!ended) return this.giveUp();
      for (const link of ended) this.remember(link.executionArn);
      while (this.pending.size > 0) await Promise.race([...this.pending]);
      if (this.executions[this.executions.length - 1] !== current) continue;
      const last = ended[ended.length - 1];
      const lastExecution = this.seen.get(last.executionArn);
      this.endState = lastExecution && [...lastExecution.events].reverse().find((e) => e.type === 'StateEntered')?.state;
      const record = await this.record();
      if (record?.status === 'migrate_paused') {
        this.start(true);
        continue;
      }
      if (last.result.status === 'FAILED' && (last.result.error === 'SourceCleanupFailed' || last.result.error === 'CommitIncomplete') && reruns < MAX_OPERATOR_RERUNS) {
        reruns++;
        this.start(true);
        continue;
      }
      return [];
    }
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
    if (!record) return [{ invariant: 4, message: `no migration began (end state ${this.endState ?? 'unknown'})` }];
    const env = this.lab.environment;
    return checkAfter({
      svm: LAB_SVM,
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
    const store = this.lab.environment.store;
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
          .map((e) => (e.type === 'StateFailed' ? `(${e.error}: ${causeMessage(e.cause)})` : `${e.state}@${at(e)}`))
          .join(' ')}`,
    );
  }

  private start(resume: boolean): void {
    const env = this.lab.environment;
    this.startedAt ??= Date.now();
    const input = {
      source: { cluster: this.from.name, svm: LAB_SVM },
      destination: { cluster: this.to.name },
      autoCutover: this.autoCutover,
      ...(resume && this.migrationId && { migrationId: this.migrationId }),
    };
    const execution = env.start(input);
    this.executions.push(execution);
    this.seen.set(execution.executionArn, execution);
  }

  private remember(executionArn: string): void {
    const execution = this.lab.environment.machine.execution(executionArn);
    if (execution) this.seen.set(executionArn, execution);
  }

  private giveUp(): Violation[] {
    for (const e of this.seen.values()) e.abort();
    return [{ invariant: 4, message: `the migration did not end within ${this.deadlineMs} ms (last state entered: ${this.lastStateEntered() ?? 'none'})` }];
  }

  private lastStateEntered(): string | undefined {
    const current = this.executions[this.executions.length - 1];
    return current && [...current.events].reverse().find((e) => e.type === 'StateEntered')?.state;
  }
}

function timeout(deadline: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now())).unref());
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
