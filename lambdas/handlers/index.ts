// The single bundle entry for every task function: each Lambda function's handler is
// `index.<taskName>` (lambdas/tasks.ts). Each is the shared middy wrapper over one plain
// domain function, which tests call without Lambda; createHandlers builds them all from what
// they run on, the Lambda container once (here), the local runner and the tests their own.
import { checkState as checkStateStep } from '../domain/migration/check-state';
import * as phases from '../domain/migration/phases';
import * as recovery from '../domain/migration/recovery';
import { recordTaskFailure as recordTaskFailureStep } from '../domain/migration/task-failure';
import type { TaskName } from '../tasks';
import { awsDependencies } from './aws-dependencies';
import { metrics } from './metrics';
import { parseCheckStateEvent, parsePollPayload, parsePrecheckEvent, parseTaskPayload } from './payloads';
import { type HandlerContext, type HandlerFactory, type TaskHandler, taskHandler } from './task';

export type TaskHandlers = Record<TaskName, TaskHandler<unknown, unknown>>;

/** Every task's handler, by task name. */
const FACTORIES: Record<TaskName, HandlerFactory> = {
  checkState: taskHandler('checkState', parseCheckStateEvent, checkStateStep),
  precheck: taskHandler('precheck', parsePrecheckEvent, phases.precheck),
  setup: taskHandler('setup', parseTaskPayload, phases.setup),
  undoSetup: taskHandler('undoSetup', parseTaskPayload, phases.undoSetup),
  startTransfer: taskHandler('startTransfer', parseTaskPayload, phases.startTransfer),
  pollTransfer: taskHandler('pollTransfer', parsePollPayload, phases.pollTransfer),
  undoTransfer: taskHandler('undoTransfer', parseTaskPayload, phases.undoTransfer),
  pollCutoverTrigger: taskHandler('pollCutoverTrigger', parsePollPayload, phases.pollCutoverTrigger),
  preCommit: taskHandler('preCommit', parseTaskPayload, phases.preCommit),
  undoPreCommit: taskHandler('undoPreCommit', parseTaskPayload, phases.undoPreCommit),
  commit: taskHandler('commit', parseTaskPayload, phases.commit),
  recordCommitFailure: taskHandler('recordCommitFailure', parseTaskPayload, phases.recordCommitFailure),
  restartSourceVserver: taskHandler('restartSourceVserver', parseTaskPayload, phases.restartSourceVserver),
  sourceCleanup: taskHandler('sourceCleanup', parseTaskPayload, phases.sourceCleanup),
  complete: taskHandler('complete', parseTaskPayload, phases.complete),
  relocate: taskHandler('relocate', parseTaskPayload, recovery.relocate),
  decideRestart: taskHandler('decideRestart', parseTaskPayload, recovery.decideRestart),
  recordUndoFailed: taskHandler('recordUndoFailed', parseTaskPayload, recovery.recordUndoFailed),
  continueAsNew: taskHandler('continueAsNew', parseTaskPayload, recovery.continueAsNew),
  recordTaskFailure: taskHandler('recordTaskFailure', parseTaskPayload, recordTaskFailureStep),
};

/** Every task's handler, built on `context`: the local runner maps each function to its handler with it. */
export function createHandlers(context: HandlerContext): TaskHandlers {
  return Object.fromEntries(
    Object.entries(FACTORIES).map(([task, factory]) => [task, factory(context)]),
  ) as TaskHandlers;
}

// ---- the Lambda entry ------------------------------------------------------------------------

/** Built at the container's first invocation (the stack's environment is read then), kept for its life. */
let container: TaskHandlers | undefined;
const inLambda =
  (task: TaskName): TaskHandler<unknown, unknown> =>
  (event, context) => {
    container ??= createHandlers({ dependencies: awsDependencies(), metrics });
    return container[task](event, context);
  };

export const checkState = inLambda('checkState');
export const precheck = inLambda('precheck');
export const setup = inLambda('setup');
export const undoSetup = inLambda('undoSetup');
export const startTransfer = inLambda('startTransfer');
export const pollTransfer = inLambda('pollTransfer');
export const undoTransfer = inLambda('undoTransfer');
export const pollCutoverTrigger = inLambda('pollCutoverTrigger');
export const preCommit = inLambda('preCommit');
export const undoPreCommit = inLambda('undoPreCommit');
export const commit = inLambda('commit');
export const recordCommitFailure = inLambda('recordCommitFailure');
export const restartSourceVserver = inLambda('restartSourceVserver');
export const sourceCleanup = inLambda('sourceCleanup');
export const complete = inLambda('complete');
export const relocate = inLambda('relocate');
export const decideRestart = inLambda('decideRestart');
export const recordUndoFailed = inLambda('recordUndoFailed');
export const continueAsNew = inLambda('continueAsNew');
export const recordTaskFailure = inLambda('recordTaskFailure');
