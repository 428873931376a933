// A bookkeeping task (Complete, ContinueAsNew, DecideRestart, RecordCommitFailure) failed past
// its retries: write that on the migration before the execution ends, so `status` and the event
// log say why it stopped. The phase is left as it was: a fresh execution resumes from it.
import type { Dependencies } from './dependencies';
import { MigrationStep, type TaskPayload } from './step';

export async function recordTaskFailure(
  payload: TaskPayload,
  deps: Dependencies,
): Promise<{ recorded: true }> {
  const step = await MigrationStep.open(deps, payload);
  const error = payload.error?.Error ?? 'unknown error';
  await step.save({
    message: `${payload.step ?? 'a task'} failed: ${error}; start the migration again to continue from ${step.record.phase}`,
  });
  await step.event('task_failed', { step: payload.step, error });
  return { recorded: true };
}
