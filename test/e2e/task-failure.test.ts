// What real AWS does that a plain run does not show: Lambda throttles an invocation (retried in
// place, never routed to the undo), and a bookkeeping task fails past its retries (recorded on
// the migration before the execution ends). Handlers are replaced through the chaos interceptor,
// the only way to make a task that touches no cluster fail.
import { interceptTasks } from '../../chaos/interceptor';
import type { TaskHandler } from '../../lambdas/handlers/task';
import {
  DEMO_SVM,
  describeRun,
  expectMigrated,
  expectOrder,
  explained,
  filesByVolume,
  HAPPY_PATH,
  Harness,
  retriesOf,
  UNDO_STATES,
} from './harness';

/** An error as Lambda reports one it raised itself: its name is the errorType Retry and Catch match. */
function lambdaError(name: string): Error {
  const error = new Error(`${name} (injected)`);
  error.name = name;
  return error;
}

/** The task's own handler, after it has thrown `error` `times` times. */
function failing(
  original: TaskHandler<unknown, unknown>,
  times: number,
  error: () => Error,
): TaskHandler<unknown, unknown> {
  let left = times;
  return async (event, context) => {
    if (left > 0) {
      left--;
      throw error();
    }
    return original(event, context);
  };
}

describe('AWS failures of the tasks themselves', () => {
  let harness: Harness;
  let restore: (() => void) | undefined;

  afterEach(async () => {
    restore?.();
    restore = undefined;
    await harness?.stop();
  });

  it('retries a throttled Setup (Lambda.TooManyRequestsException) in place and migrates', async () => {
    // Prepare
    harness = await Harness.start({ volumes: 2 });
    const before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));
    restore = interceptTasks(harness.env, {
      replace: {
        setup: (_context, setup) => failing(setup, 2, () => lambdaError('Lambda.TooManyRequestsException')),
      },
    });
    // Act
    const outcome = await harness.finish(harness.start());
    // Assess
    await explained(
      () => describeRun(outcome),
      async () => {
        expectOrder(outcome.states, HAPPY_PATH);
        expect(outcome.states.filter((s) => UNDO_STATES.includes(s))).toEqual([]);
        expect(retriesOf(outcome.history, 'Setup').map((e) => e.retry?.errorEquals)).toEqual([
          ['Lambda.TooManyRequestsException'],
          ['Lambda.TooManyRequestsException'],
        ]);
        await expectMigrated(harness, outcome, before);
      },
    );
  });

  it('records a Complete that fails past its retries on the migration, and ends TaskFailed with the phase kept', async () => {
    // Prepare: an error no Retry matches (as a Lambda timeout or out-of-memory reaches Step Functions).
    harness = await Harness.start({ volumes: 2 });
    restore = interceptTasks(harness.env, {
      replace: {
        complete: (_context, complete) => failing(complete, Infinity, () => lambdaError('Lambda.Unknown')),
      },
    });
    // Act
    const outcome = await harness.finish(harness.start());
    // Assess
    await explained(
      () => describeRun(outcome),
      async () => {
        expect(outcome.result).toMatchObject({ status: 'FAILED', error: 'TaskFailed' });
        expect(outcome.states.slice(-3)).toEqual(['Complete', 'RecordFailureOfComplete', 'TaskFailed']);
        // Complete never ran: the migration is left in the phase before it, to be finished by a fresh execution.
        expect(outcome.migration.phase).toBe('source_cleanup');
        expect(outcome.migration.messages.at(-1)).toBe(
          'complete failed: Lambda.Unknown; start the migration again to continue from source_cleanup',
        );
        expect(outcome.events.filter((e) => e.type === 'task_failed').map((e) => e.detail)).toEqual([
          { step: 'complete', error: 'Lambda.Unknown' },
        ]);
      },
    );
  });
});
