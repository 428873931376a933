// The migration's task names: the keys of the handler registry, the exported names of
// lambdas/handlers/index.ts, and each Lambda function's SVM_MIGRATE_TASK environment value.

export const TASK_NAMES = [
  'checkState',
  'precheck',
  'setup',
  'undoSetup',
  'startTransfer',
  'pollTransfer',
  'undoTransfer',
  'pollCutoverTrigger',
  'preCommit',
  'undoPreCommit',
  'commit',
  'recordCommitFailure',
  'restartSourceVserver',
  'sourceCleanup',
  'complete',
  'relocate',
  'decideRestart',
  'recordUndoFailed',
  'continueAsNew',
  'recordTaskFailure',
] as const;

export type TaskName = (typeof TASK_NAMES)[number];

/** The environment variable that tells a bundled function which task it runs. */
export const TASK_ENV = 'SVM_MIGRATE_TASK';

/**
 * The tasks that only keep the migration's books (CheckState is not one: it checks a new
 * request against both clusters): they never talk to a cluster, so their roles
 * may not read the clusters' SSM parameters nor decrypt with the credentials' key, and they are
 * given no cluster connection at run time either (lambdas/handlers/cluster-access.ts), so a test
 * over the local runner fails where IAM would deny on AWS.
 */
const BOOKKEEPING_TASKS: readonly TaskName[] = [
  'complete',
  'decideRestart',
  'recordUndoFailed',
  'continueAsNew',
  'recordTaskFailure',
];

/** The tasks that talk to the clusters, so read their credentials. */
export const CLUSTER_TASKS: readonly TaskName[] = TASK_NAMES.filter(
  (task) => !BOOKKEEPING_TASKS.includes(task),
);
