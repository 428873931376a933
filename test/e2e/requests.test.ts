// Issue 14, failure 3 (an abort accepted and ignored): operator requests made while the cut-over
// runs, through the store's request (what the CLI writes), at the moments the task hooks pick.
// An abort accepted before the point of no return is acted on (the migration ends Aborted, the
// source serves); a pause before the cut-over begins pauses; a request that no longer applies is
// refused and leaves nothing on the record.
import { interceptTasks, type TaskCall } from '../../chaos/interceptor';
import { ConflictError } from '../../lambdas/errors';
import type { OperatorRequest } from '../../lambdas/state/records';
import {
  DEMO_SVM,
  describeRun,
  expectDestinationEmpty,
  expectMigrated,
  expectSourceServing,
  explained,
  filesByVolume,
  Harness,
  INPUT,
} from './harness';

describe('operator requests during the cut-over', () => {
  let harness: Harness;
  let restore: (() => void) | undefined;

  afterEach(async () => {
    restore?.();
    await harness?.stop();
  });

  /** Makes `kind` once, as the CLI does, when `task` is invoked the first time; returns what the store answered. */
  function requestAt(task: TaskCall['task'], kind: OperatorRequest): { answer?: 'accepted' | ConflictError } {
    const seen: { answer?: 'accepted' | ConflictError } = {};
    restore = interceptTasks(harness.env, {
      before: async (call) => {
        if (call.task !== task || seen.answer || !call.migrationId) return;
        try {
          await harness.env.store.request(call.migrationId, kind, new Date().toISOString());
          seen.answer = 'accepted';
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
          seen.answer = err;
        }
      },
    });
    return seen;
  }

  it('an abort accepted after pre-commit stopped client access, before the point of no return, rolls back and ends Aborted', async () => {
    // Prepare
    harness = await Harness.start();
    const before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));
    const seen = requestAt('commit', 'abort');

    // Act
    const outcome = await harness.finish(harness.start());

    // Assess
    await explained(
      () => describeRun(outcome),
      async () => {
        expect(seen.answer).toBe('accepted');
        expect(outcome.result.status).toBe('SUCCEEDED');
        expect(outcome.states[outcome.states.length - 1]).toBe('Aborted');
        expect(outcome.states).not.toContain('SourceCleanup');
        expect(outcome.migration).toMatchObject({
          status: 'rolled_back',
          pointOfNoReturn: false,
          restarts: 0,
        });
        expect(outcome.events.find((e) => e.type === 'abort_requested')?.detail).toMatchObject({
          phase: 'cutover_started',
          step: 'Commit',
        });
        await expectSourceServing(harness, before);
        await expectDestinationEmpty(harness);
      },
    );
  }, 180_000);

  it('a pause accepted when the transfer is in sync pauses before the cut-over begins; a resume completes', async () => {
    // Prepare
    harness = await Harness.start();
    const before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));
    const seen = requestAt('preCommit', 'pause');

    // Act
    const first = await harness.finish(harness.start());
    const paused = first.migration;
    const resumed = await harness.finish(harness.env.start({ ...INPUT, migrationId: paused.id }));

    // Assess
    await explained(
      () => `${describeRun(first)}\n\n${describeRun(resumed)}`,
      async () => {
        expect(seen.answer).toBe('accepted');
        expect(first.states.slice(-3)).toEqual(['PreCommit', 'PreCommitStatus', 'Paused']);
        expect(paused).toMatchObject({ status: 'migrate_paused', phase: 'ready_for_cutover', requests: {} });
        // The source served all along: pre-commit stopped nothing.
        expect(first.events.map((e) => e.type)).not.toContain('precommit_complete');
        expect(resumed.states.slice(0, 3)).toEqual(['CheckState', 'ResumePoint', 'CutoverMode']);
        await expectMigrated(harness, resumed, before);
      },
    );
  }, 180_000);

  it('a second cutover request during the cut-over is refused and leaves no stale request on the completed record', async () => {
    // Prepare: manual cut-over, triggered once the trigger is awaited; a second request comes in pre-commit.
    harness = await Harness.start();
    const before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));
    const second: { answer?: 'accepted' | ConflictError } = {};
    let triggered = false;
    restore = interceptTasks(harness.env, {
      before: async (call) => {
        if (call.task === 'pollCutoverTrigger' && !triggered && call.migrationId) {
          triggered = true;
          await harness.env.store.request(call.migrationId, 'cutover', new Date().toISOString());
        }
        if (call.task === 'preCommit' && !second.answer && call.migrationId) {
          await harness.env.store.request(call.migrationId, 'cutover', new Date().toISOString()).then(
            () => (second.answer = 'accepted'),
            (err: unknown) => (second.answer = err as ConflictError),
          );
        }
      },
    });

    // Act
    const outcome = await harness.finish(harness.env.start({ ...INPUT, autoCutover: false }));

    // Assess
    await explained(
      () => describeRun(outcome),
      async () => {
        expect(triggered).toBe(true);
        expect(second.answer).toBeInstanceOf(ConflictError);
        expect((second.answer as ConflictError).message).toContain(
          'does not apply in phase cutover_triggered',
        );
        expect(outcome.migration.requests).toEqual({});
        await expectMigrated(harness, outcome, before);
      },
    );
  }, 180_000);
});
