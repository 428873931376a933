// One chaos scenario: a migration of the lab's SVM under a fault schedule, with the client
// workload and the serving prober beside it, checked against the invariants when it ends.
// A migration that ends rolled back (or failed) must leave the source serving every
// acknowledged write, and a fresh migration is then started and must complete.

import { MigrationDriver, type MigrationRun } from './driver';
import { FaultInjector, type InjectionLog } from './injector';
import type { TaskHooks } from './interceptor';
import { interceptTasks, tasksSettled } from './interceptor';
import { ServingProber, type Violation } from './invariants';
import { type ChaosLab, LAB_SVM } from './lab';
import { seededRandom } from './random';
import { type Fault, formatSchedule } from './schedule';
import { ClientWorkload, type WorkloadRecord } from './workload';

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

export type { MigrationRun };

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

const DEFAULT_DEADLINE_MS = 60_000;
/** How long a stale task may run on after its migration ended. */
const STALE_TASK_MS = 10_000;
/** After the end, the client keeps going until it has found the SVM again (or this long). */
const SETTLE_MS = 2_000;

export async function runScenario(lab: ChaosLab, options: ScenarioOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const schedule = formatSchedule(options.faults);
  const placement = await lab.prepare();
  const env = lab.environment;
  const random = seededRandom(options.seed);
  const clusters = [placement.from, placement.to];
  const workload = new ClientWorkload({
    svm: LAB_SVM,
    volumes: lab.volumes,
    clusters,
    seed: options.seed,
    run: `scenario ${options.seed} "${schedule}"`,
  }).start();
  const prober = new ServingProber(LAB_SVM, clusters).start();
  const runner = new MigrationDriver(
    env,
    LAB_SVM,
    placement.from,
    placement.to,
    options.deadlineMs ?? DEFAULT_DEADLINE_MS,
  );
  const injector = new FaultInjector({
    faults: options.faults,
    source: placement.from,
    destination: placement.to,
    svm: LAB_SVM,
    store: env.store,
    connect: env.dependencies.connect,
    tasksDb: lab.tasksDb,
    clients: workload,
    random,
    orchestrator: runner,
  });
  const violations: Violation[] = [];
  let records: WorkloadRecord[] = [];
  let run: MigrationRun = {
    ending: 'unfinished',
    executions: 0,
    timeline: [],
    retries: 0,
    relocations: 0,
    restarts: 0,
  };
  let remigration: MigrationRun | undefined;
  let expected = new Map<string, string>();
  let clean = false;
  let driver: MigrationDriver | undefined;
  const uninstall = interceptTasks(env, {
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
      // A stale task (of a crashed execution) may still be at work: the checks come after it.
      if (!(await tasksSettled(STALE_TASK_MS)))
        violations.push({
          invariant: 4,
          message: `a task was still running ${STALE_TASK_MS} ms after the migration ended`,
        });
      uninstall();
    }
    await settle(workload);
    const first = await workload.stop();
    records = [first];
    expected = workload.expected();
    run = await runner.summary();
    violations.push(...(await runner.check(first, expected)));

    if (
      (run.ending === 'rolled_back' || run.ending === 'failed') &&
      run.endState !== 'UndoFailed' &&
      options.remigrate !== false
    ) {
      // Must-show 4: from the source that serves again, a fresh migration completes.
      const again = new ClientWorkload({
        svm: LAB_SVM,
        volumes: lab.volumes,
        clusters,
        seed: options.seed + 1,
        run: `remigration ${options.seed} "${schedule}"`,
      }).start();
      driver = new MigrationDriver(
        env,
        LAB_SVM,
        placement.from,
        placement.to,
        options.deadlineMs ?? DEFAULT_DEADLINE_MS,
      );
      violations.push(...(await driver.run(true)));
      await settle(again);
      const second = await again.stop();
      records.push(second);
      expected = new Map([...expected, ...again.expected()]);
      remigration = await driver.summary();
      violations.push(...(await driver.check(second, expected)));
      if (remigration.ending !== 'migrated') {
        violations.push({
          invariant: 4,
          message: `the fresh migration after the rollback ended ${remigration.ending} (${remigration.endState ?? 'no end state'}), not migrated`,
        });
      }
    }
    clean = true;
  } finally {
    if (!clean) await workload.stop();
    const probed = await prober.stop();
    violations.push(...probed.violations);
    // A scenario that broke something leaves a lab nobody should trust; its executions end first.
    // One whose source SVM changed shape no longer holds the demo SVM the next scenario expects.
    if (!clean || violations.length > 0 || injector.changedSource) {
      await runner.quiesce();
      await driver?.quiesce();
      await lab.stop();
    }
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
  while (workload.successes < target && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 5));
}
