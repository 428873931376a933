// The CloudWatch metrics a migration produces: shared by the tasks that emit them and the
// CDK app's alarms and dashboard, so both name the same metrics; it imports no AWS SDK.

export const METRICS_NAMESPACE = 'SvmMigrate';
/**
 * The metrics' one dimension (`service`, Powertools' default). No migration id: a dimension per
 * migration would make a metric per migration, which neither an alarm nor a graph can use.
 */
export const METRICS_SERVICE = 'svm-migrate';

/** Event type (the event log's) -> the count metric it adds one to. */
export const COUNTED_EVENTS = {
  migration_started: 'MigrationsStarted',
  migration_complete: 'MigrationsCompleted',
  migration_rolled_back: 'MigrationsRolledBack',
  migration_failed: 'MigrationsFailed',
  undo_failed: 'UndoFailures',
  step_retried: 'Retries',
  step_relocated: 'Relocations',
  migration_restarted: 'Restarts',
} as const;

export type CountMetric = (typeof COUNTED_EVENTS)[keyof typeof COUNTED_EVENTS];

/** Seconds from pre-commit stopping the source to the destination serving, on `cutover_complete`. */
export const CUTOVER_WINDOW_METRIC = 'CutoverWindowSeconds';

export function countMetricOf(type: string): CountMetric | undefined {
  return Object.hasOwn(COUNTED_EVENTS, type)
    ? COUNTED_EVENTS[type as keyof typeof COUNTED_EVENTS]
    : undefined;
}
