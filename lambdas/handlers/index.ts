// The single bundle entry for every task function: each Lambda function's handler is
// `index.<taskName>` (lambdas/tasks.ts). Each is the shared middy wrapper over one plain
// domain function, which tests call without Lambda.
import { checkState as checkStateStep } from '../domain/migration/check-state';
import * as phases from '../domain/migration/phases';
import * as recovery from '../domain/migration/recovery';
import { recordTaskFailure as recordTaskFailureStep } from '../domain/migration/task-failure';
import type { TaskName } from '../tasks';
import { parseCheckStateEvent, parsePollPayload, parsePrecheckEvent, parseTaskPayload } from './payloads';
import { taskHandler, type TaskHandler } from './task';

export const checkState = taskHandler('checkState', parseCheckStateEvent, checkStateStep);
export const precheck = taskHandler('precheck', parsePrecheckEvent, phases.precheck);
export const setup = taskHandler('setup', parseTaskPayload, phases.setup);
export const undoSetup = taskHandler('undoSetup', parseTaskPayload, phases.undoSetup);
export const startTransfer = taskHandler('startTransfer', parseTaskPayload, phases.startTransfer);
export const pollTransfer = taskHandler('pollTransfer', parsePollPayload, phases.pollTransfer);
export const undoTransfer = taskHandler('undoTransfer', parseTaskPayload, phases.undoTransfer);
export const pollCutoverTrigger = taskHandler('pollCutoverTrigger', parsePollPayload, phases.pollCutoverTrigger);
export const preCommit = taskHandler('preCommit', parseTaskPayload, phases.preCommit);
export const undoPreCommit = taskHandler('undoPreCommit', parseTaskPayload, phases.undoPreCommit);
export const commit = taskHandler('commit', parseTaskPayload, phases.commit);
export const recordCommitFailure = taskHandler('recordCommitFailure', parseTaskPayload, phases.recordCommitFailure);
export const restartSourceVserver = taskHandler('restartSourceVserver', parseTaskPayload, phases.restartSourceVserver);
export const sourceCleanup = taskHandler('sourceCleanup', parseTaskPayload, phases.sourceCleanup);
export const complete = taskHandler('complete', parseTaskPayload, phases.complete);
export const relocate = taskHandler('relocate', parseTaskPayload, recovery.relocate);
export const decideRestart = taskHandler('decideRestart', parseTaskPayload, recovery.decideRestart);
export const recordUndoFailed = taskHandler('recordUndoFailed', parseTaskPayload, recovery.recordUndoFailed);
export const continueAsNew = taskHandler('continueAsNew', parseTaskPayload, recovery.continueAsNew);
export const recordTaskFailure = taskHandler('recordTaskFailure', parseTaskPayload, recordTaskFailureStep);

/** Every handler by task name: the local runner maps each function to its handler with it. */
export const handlers: Record<TaskName, TaskHandler<unknown, unknown>> = {
  checkState,
  precheck,
  setup,
  undoSetup,
  startTransfer,
  pollTransfer,
  undoTransfer,
  pollCutoverTrigger,
  preCommit,
  undoPreCommit,
  commit,
  recordCommitFailure,
  restartSourceVserver,
  sourceCleanup,
  complete,
  relocate,
  decideRestart,
  recordUndoFailed,
  continueAsNew,
  recordTaskFailure,
};
