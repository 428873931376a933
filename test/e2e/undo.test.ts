// Claims 4, 5 and 6: a failure that is not retried (ONTAP answers 400, or 409 busy) in setup, in
// transfer or in cut-over pre-commit runs the undo of exactly the phases reached, in reverse
// order, then DecideRestart: with no restart left, or after a failure a restart cannot change
// (a ValidationError), the migration ends MigrationFailed with the destination empty and the
// source serving; after one a restart can change (busy) it starts again from Setup and finishes.
import {
  DEMO_SVM,
  describeRun,
  expectDestinationEmpty,
  expectMigrated,
  expectOrder,
  expectSourceServing,
  explained,
  filesByVolume,
  HAPPY_PATH,
  Harness,
  retriesOf,
} from './harness';

const INVALID = { status: 400, code: '262185', message: 'injected: invalid value' };
const BUSY = { status: 409, code: '13', message: 'injected: object busy' };

// The first call of each path in the run is made by the named step (the final update is the
// first transfer any step starts: the baseline is an initialize).
const FAILURES = [
  {
    phase: 'setup',
    step: 'Setup',
    method: 'POST',
    path: '/api/snapmirror/relationships',
    undo: ['UndoSetup'],
    undone: ['setup_undone'],
  },
  {
    phase: 'transfer',
    step: 'StartTransfer',
    method: 'PATCH',
    path: '/api/snapmirror/relationships/*',
    undo: ['UndoTransfer', 'UndoSetup'],
    undone: ['transfer_undone', 'setup_undone'],
  },
  {
    phase: 'pre-commit',
    step: 'PreCommit',
    method: 'POST',
    path: '/api/snapmirror/relationships/*/transfers',
    undo: ['UndoPreCommit', 'UndoTransfer', 'UndoSetup'],
    undone: ['precommit_undone', 'transfer_undone', 'setup_undone'],
  },
];

describe('undo chains (claims 4, 5, 6)', () => {
  let harness: Harness;
  let before: Record<string, Record<string, string>>;

  afterEach(async () => {
    await harness?.stop();
  });

  async function failOnce(
    restartLimit: number,
    failure: (typeof FAILURES)[number],
    answer: typeof INVALID | typeof BUSY,
  ) {
    harness = await Harness.start({ tunables: { restartLimit } });
    before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));
    await harness.destination.injectError({
      method: failure.method,
      path: failure.path,
      ...answer,
      count: 1,
    });
    return harness.finish(harness.start());
  }

  const CASES = FAILURES.flatMap((failure) => [
    { ...failure, restartLimit: 0, why: 'with no restart left' },
    { ...failure, restartLimit: 2, why: 'after a ValidationError, which a restart cannot change' },
  ]).filter((c) => c.restartLimit === 0 || c.phase === 'transfer');

  it.each(CASES)(
    'undoes $phase in reverse order and, $why, ends MigrationFailed with the destination empty',
    async (failure) => {
      const outcome = await failOnce(failure.restartLimit, failure, INVALID);

      await explained(
        () => describeRun(outcome),
        async () => {
          const failedAt = outcome.states.indexOf(failure.step);
          expect(outcome.states.filter((s) => s === 'Setup')).toHaveLength(1);
          expectOrder(
            outcome.states.slice(0, failedAt + 1),
            HAPPY_PATH.slice(0, HAPPY_PATH.indexOf(failure.step) + 1),
          );
          expect(outcome.states.slice(failedAt)).toEqual([
            failure.step,
            ...failure.undo,
            'DecideRestart',
            'RestartDecision',
            'MigrationFailed',
          ]);
          // Not retried: a ValidationError is not intermittent.
          expect(retriesOf(outcome.history, failure.step)).toEqual([]);
          expect(
            outcome.history.find((e) => e.type === 'StateFailed' && e.state === failure.step)?.error,
          ).toBe('ValidationError');
          expect(outcome.result).toMatchObject({ status: 'FAILED', error: 'MigrationFailed' });
          expect(
            outcome.events
              .map((e) => e.type)
              .filter((t) => t.endsWith('_undone') || t === 'migration_failed'),
          ).toEqual([...failure.undone, 'migration_failed']);
          if (failure.step === 'PreCommit') {
            // Pre-commit had taken the source interfaces down: its undo brought both back.
            expect(outcome.events.find((e) => e.type === 'precommit_undone')?.detail).toEqual({
              restored: ['lif_demo_01', 'lif_demo_02'],
            });
          }
          expect(outcome.migration).toMatchObject({
            status: 'migrate_failed',
            restarts: 0,
            generation: 1,
            pointOfNoReturn: false,
            destinationServing: false,
          });
          expect(
            await harness.env.store.findActiveForSvm(harness.env.clusters.source.name, DEMO_SVM),
          ).toBeUndefined();
          await expectDestinationEmpty(harness);
          await expectSourceServing(harness, before);
        },
      );
    },
  );

  it.each(FAILURES)(
    'undoes $phase in reverse order after a busy object, removes what the failed generation created, restarts and finishes',
    async (failure) => {
      const outcome = await failOnce(2, failure, BUSY);

      await explained(
        () => describeRun(outcome),
        async () => {
          const failedAt = outcome.states.indexOf(failure.step);
          expect(outcome.states.slice(failedAt, failedAt + failure.undo.length + 5)).toEqual([
            failure.step,
            ...failure.undo,
            'DecideRestart',
            'RestartDecision',
            'RestartBackoff',
            'Setup',
          ]);
          expectOrder(outcome.states.slice(failedAt + failure.undo.length + 3), HAPPY_PATH.slice(2));
          expect(
            outcome.history.find((e) => e.type === 'StateFailed' && e.state === failure.step)?.error,
          ).toBe('ConflictError');
          expect(outcome.migration).toMatchObject({ restarts: 1, generation: 2 });
          // What generation 1 created on the destination (its jobs before the restart) is gone.
          const restartedAt = outcome.events.find((e) => e.type === 'migration_restarted')?.at ?? '';
          const dump = await harness.destination.state();
          const created = dump.jobs
            .filter((j) => j.start_time < restartedAt)
            .flatMap((j) =>
              j.action.kind === 'svm_create'
                ? [j.action.svm.uuid]
                : j.action.kind === 'volume_create'
                  ? [j.action.volume.uuid]
                  : j.action.kind === 'relationship_create'
                    ? [j.action.relationship.uuid]
                    : [],
            );
          expect(created.length).toBeGreaterThan(0);
          const present = new Set([
            ...dump.svms.map((s) => s.uuid),
            ...dump.volumes.map((v) => v.uuid),
            ...dump.relationships.map((r) => r.uuid),
          ]);
          expect(created.filter((uuid) => present.has(uuid))).toEqual([]);
          await expectMigrated(harness, outcome, before);
        },
      );
    },
  );
});
