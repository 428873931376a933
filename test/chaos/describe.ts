// What a failing chaos test prints: the schedule and seed that rerun it, the violations, what the
// injector did, and the states each execution entered.
import type { ScenarioResult } from '../../chaos/scenario';

export function describeScenario(result: ScenarioResult): string {
  return [
    `schedule "${result.schedule}" seed ${result.seed}`,
    `ended ${result.run.ending} (${result.run.endState ?? '-'})${result.remigration ? `, fresh migration ${result.remigration.ending}` : ''}`,
    ...result.violations.map((v) => `  invariant ${v.invariant}: ${v.message}`),
    ...result.log.map((l) => `  ${l.at} ${l.what}`),
    ...result.run.timeline.map((t) => `  ${t}`),
    ...(result.remigration?.timeline ?? []).map((t) => `  fresh: ${t}`),
  ].join('\n');
}

/** No violation, no write lost, and a rollback followed by a fresh migration that completed. */
export function expectKept(result: ScenarioResult): void {
  const problems = [
    ...(result.violations.length > 0 ? [`${result.violations.length} invariant violation(s)`] : []),
    ...(result.writesLost > 0 ? [`${result.writesLost} write(s) lost`] : []),
    ...(result.run.ending !== 'migrated' && result.remigration?.ending !== 'migrated'
      ? ['no completed migration after the rollback']
      : []),
    ...(result.writesAcknowledged === 0 ? ['the client saw no write acknowledged'] : []),
  ];
  if (problems.length > 0) throw new Error(`${problems.join('; ')}\n${describeScenario(result)}`);
}
