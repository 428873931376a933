// The chaos report: what `npm run chaos` prints, summed over every scenario it ran.
import type { Ending } from './invariants';
import type { ScenarioResult } from './scenario';

export interface ChaosReport {
  scenarios: number;
  passed: number;
  invariantViolations: number;
  writesAcknowledged: number;
  writesLost: number;
  longestUnavailableMs: number;
  retries: number;
  relocations: number;
  restarts: number;
  /** How the scenarios' migrations ended (before any fresh migration after a rollback). */
  endings: Record<Ending, number>;
  /** Fresh migrations started after a rollback, and how many completed. */
  remigrations: { started: number; completed: number };
  /** Scenarios that failed: their schedule, seed and violations. */
  failures: { schedule: string; seed: number; violations: string[] }[];
}

export function emptyReport(): ChaosReport {
  return {
    scenarios: 0,
    passed: 0,
    invariantViolations: 0,
    writesAcknowledged: 0,
    writesLost: 0,
    longestUnavailableMs: 0,
    retries: 0,
    relocations: 0,
    restarts: 0,
    endings: { migrated: 0, rolled_back: 0, failed: 0, unfinished: 0 },
    remigrations: { started: 0, completed: 0 },
    failures: [],
  };
}

export function addScenario(report: ChaosReport, result: ScenarioResult): void {
  report.scenarios++;
  if (result.passed) report.passed++;
  report.invariantViolations += result.violations.length;
  report.writesAcknowledged += result.writesAcknowledged;
  report.writesLost += result.writesLost;
  report.longestUnavailableMs = Math.max(report.longestUnavailableMs, result.longestUnavailableMs);
  for (const run of [result.run, ...(result.remigration ? [result.remigration] : [])]) {
    report.retries += run.retries;
    report.relocations += run.relocations;
    report.restarts += run.restarts;
  }
  report.endings[result.run.ending]++;
  if (result.remigration) {
    report.remigrations.started++;
    if (result.remigration.ending === 'migrated') report.remigrations.completed++;
  }
  if (!result.passed) {
    report.failures.push({
      schedule: result.schedule,
      seed: result.seed,
      violations: result.violations.map((v) => `invariant ${v.invariant}: ${v.message}`),
    });
  }
}

export function renderReport(report: ChaosReport): string {
  const e = report.endings;
  return [
    `scenarios run          ${report.scenarios}`,
    `passed                 ${report.passed}`,
    `invariant violations   ${report.invariantViolations}`,
    `writes acknowledged    ${report.writesAcknowledged}`,
    `writes lost            ${report.writesLost}`,
    `longest unavailability ${report.longestUnavailableMs} ms`,
    `retries                ${report.retries}`,
    `relocations            ${report.relocations}`,
    `restarts               ${report.restarts}`,
    `migrations ended       migrated ${e.migrated}, rolled back to the source ${e.rolled_back}, failed ${e.failed}${e.unfinished ? `, unfinished ${e.unfinished}` : ''}`,
    `after a rollback       ${report.remigrations.started} fresh migration(s) started, ${report.remigrations.completed} completed`,
    ...report.failures.flatMap((f) => [
      `FAILED "${f.schedule}" (seed ${f.seed})`,
      ...f.violations.map((v) => `  ${v}`),
    ]),
  ].join('\n');
}
