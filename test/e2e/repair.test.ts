// Issue 13, "undo_failed has a way out": setup fails, then its undo fails too (ONTAP refuses a
// volume delete), so the migration ends undo_failed holding the SVM's lock and every start is
// refused. An execution started with `repair: retryUndo` (what `svm-migrate repair --retry-undo`
// sends) runs the undo chain again, ends the migration rolled back and releases the lock; a
// fresh migration then completes.
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
  INPUT,
  SOURCE,
  statesEntered,
} from './harness';

const INVALID = { status: 400, code: '262185', count: 1 };

describe('the way out of undo_failed', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness?.stop();
  });

  it('retryUndo runs the undo chain again and releases the lock; a fresh migration then completes', async () => {
    // Prepare: setup fails once, then its undo's first volume delete is refused.
    harness = await Harness.start({ tunables: { restartLimit: 2, volumeConcurrency: 1 } });
    const before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));
    await harness.destination.injectError({
      method: 'POST',
      path: '/api/snapmirror/relationships',
      ...INVALID,
      message: 'injected: setup fails',
    });
    await harness.destination.injectError({
      method: 'DELETE',
      path: '/api/storage/volumes/*',
      ...INVALID,
      message: 'injected: undo fails',
    });
    const failed = await harness.finish(harness.start());
    await explained(
      () => describeRun(failed),
      async () => {
        expect(failed.result).toMatchObject({ status: 'FAILED', error: 'UndoFailed' });
        expect(failed.migration.status).toBe('undo_failed');
      },
    );
    const id = failed.migration.id;
    const refused = await harness.env.start(INPUT).result;
    expect(refused).toMatchObject({ status: 'FAILED', error: 'ConflictError' });
    expect(JSON.parse(refused.cause ?? '{}').errorMessage).toContain(`svm-migrate repair ${id} --retry-undo`);

    // Act
    const repair = harness.env.start({
      ...INPUT,
      migrationId: id,
      repair: { action: 'retryUndo', reason: 'the refused delete was a one-off' },
    });
    const repaired = await harness.outcome(repair, await repair.result);

    // Assess
    await explained(
      () => describeRun(repaired),
      async () => {
        expect(repaired.result.status).toBe('SUCCEEDED');
        expect(repaired.states).toEqual([
          'CheckState',
          'ResumePoint',
          'UndoSetup',
          'DecideRestart',
          'RestartDecision',
          'Aborted',
        ]);
        expect(repaired.migration).toMatchObject({ id, status: 'rolled_back', restarts: 0 });
        expect(repaired.migration.messages).toContain(
          'undo retried by the operator (the refused delete was a one-off)',
        );
        expect(repaired.events.map((e) => e.type)).toEqual(
          expect.arrayContaining(['undo_failed', 'undo_retried', 'setup_undone', 'migration_rolled_back']),
        );
        expect(await harness.env.store.findActiveForSvm(SOURCE.cluster, SOURCE.svm)).toBeUndefined();
        await expectDestinationEmpty(harness);
        await expectSourceServing(harness, before);
      },
    );

    // Act: a fresh migration of the same SVM.
    const fresh = harness.env.start(INPUT);
    const result = await fresh.result;
    const migration = (await harness.env.store.list({ limit: 10 })).items.find((m) => m.id !== id);
    expect(migration).toBeDefined();

    // Assess
    const outcome = {
      result,
      states: statesEntered(fresh.events),
      history: fresh.events,
      migration: migration!,
      volumes: await harness.env.store.listVolumes(migration!.id),
      events: await harness.env.store.listEvents(migration!.id, { limit: 1000 }),
    };
    await explained(
      () => describeRun(outcome),
      async () => {
        expectOrder(outcome.states, HAPPY_PATH);
        await expectMigrated(harness, outcome, before);
      },
    );
  });

  it('markRepaired releases the lock without touching the clusters; a start then still meets what is left there', async () => {
    // Prepare: the same undo_failed migration.
    harness = await Harness.start({ tunables: { restartLimit: 2, volumeConcurrency: 1 } });
    await harness.destination.injectError({
      method: 'POST',
      path: '/api/snapmirror/relationships',
      ...INVALID,
      message: 'injected: setup fails',
    });
    await harness.destination.injectError({
      method: 'DELETE',
      path: '/api/storage/volumes/*',
      ...INVALID,
      message: 'injected: undo fails',
    });
    const failed = await harness.finish(harness.start());
    expect(failed.migration.status).toBe('undo_failed');
    const left = await harness.destination.state();

    // Act: the operator says it is repaired (here without having removed anything).
    const repair = harness.env.start({
      ...INPUT,
      migrationId: failed.migration.id,
      repair: { action: 'markRepaired', reason: 'checked by hand' },
    });
    const repaired = await harness.outcome(repair, await repair.result);
    const next = await harness.env.start(INPUT).result;

    // Assess
    await explained(
      () => describeRun(repaired),
      async () => {
        expect(repaired.states).toEqual(['CheckState', 'ResumePoint', 'AlreadyComplete']);
        expect(repaired.migration).toMatchObject({ status: 'rolled_back' });
        expect(repaired.migration.messages).toContain(
          "marked repaired by the operator (checked by hand); the SVM's lock is released",
        );
        expect(repaired.events.map((e) => e.type)).toContain('undo_repaired');
        expect(await harness.env.store.findActiveForSvm(SOURCE.cluster, SOURCE.svm)).toBeUndefined();
        // Nothing deleted that nobody asked to delete.
        const now = await harness.destination.state();
        expect(now.volumes.map((v) => v.uuid).sort()).toEqual(left.volumes.map((v) => v.uuid).sort());
        expect(now.svms.map((v) => v.uuid)).toEqual(left.svms.map((v) => v.uuid));
        // The leftover SVM is foreign to a new migration: refused before anything is created.
        expect(next).toMatchObject({ status: 'FAILED', error: 'ConflictError' });
        expect(JSON.parse(next.cause ?? '{}').errorMessage).toBe(
          `source.svm: destination cluster ${harness.env.clusters.destination.name} already has an SVM named ${DEMO_SVM}`,
        );
      },
    );
  });
});
