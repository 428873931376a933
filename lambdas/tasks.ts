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
] as const;

export type TaskName = (typeof TASK_NAMES)[number];

/** The environment variable that tells a bundled function which task it runs. */
export const TASK_ENV = 'SVM_MIGRATE_TASK';
