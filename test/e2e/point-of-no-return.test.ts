// Claim 2: the inter-cluster link goes down at the point of no return, while the destination
// does not serve yet. Commit fails with InterClusterLinkError, the destination cluster is asked
// whether it takes clients (RecordCommitFailure: no), the source SVM is restarted on
// the source cluster (RestartSourceVserver), the undo chain runs and the migration restarts;
// the link is back by the time the restart's Setup checks it, and the migration finishes.
import {
  type ClusterView,
  DEMO_SVM,
  describeRun,
  entered,
  expectMigrated,
  expectOrder,
  explained,
  filesByVolume,
  HAPPY_PATH,
  Harness,
  retriesOf,
  waitFor,
} from './harness';

/** Holds Commit's look at the peer long enough for the link to go down under it. */
const HOLD_MS = 400;

describe('the link down at the point of no return (claim 2)', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness?.stop();
  });

  it('restarts the source SVM, undoes, restarts the migration and finishes once the link is back', async () => {
    harness = await Harness.start();
    const before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));
    await harness.destination.addLatency(HOLD_MS, '/api/cluster/peers');

    const execution = harness.start();
    await waitFor('Commit', () => entered(execution, 'Commit'), 60_000);
    await Promise.all([harness.destination.linkDown(), harness.source.linkDown()]);
    // The source is back and the restart is on its way: look at both clusters, then heal the link.
    await waitFor('UndoTransfer', () => entered(execution, 'UndoTransfer'), 60_000);
    const meanwhile: { source: ClusterView; destination: ClusterView } = await harness.snapshot();
    await Promise.all([harness.destination.linkUp(), harness.source.linkUp()]);
    const outcome = await harness.finish(execution);

    await explained(
      () => describeRun(outcome),
      async () => {
        const commit = outcome.states.indexOf('Commit');
        expectOrder(
          outcome.states.slice(0, commit + 1),
          HAPPY_PATH.slice(0, HAPPY_PATH.indexOf('Commit') + 1),
        );
        expect(outcome.states.slice(commit, commit + 12)).toEqual([
          'Commit',
          'RecordCommitFailure',
          'DestinationServing',
          'RestartSourceVserver',
          'UndoPreCommit',
          'UndoTransfer',
          'UndoSetup',
          'DecideRestart',
          'RestartDecision',
          'RestartBackoff',
          'Setup',
          'StartTransfer',
        ]);
        expectOrder(outcome.states.slice(commit + 10), HAPPY_PATH.slice(2));
        // The destination was asked whether it takes clients before the source was restarted.
        expect(outcome.history.find((e) => e.type === 'StateCaught' && e.state === 'Commit')?.caught).toEqual(
          { errorEquals: ['States.ALL'], next: 'RecordCommitFailure' },
        );
        expect(outcome.events.find((e) => e.type === 'commit_failed')?.detail).toEqual({
          error: 'InterClusterLinkError',
          destinationServing: false,
        });
        expect(retriesOf(outcome.history, 'Commit')).toEqual([]);

        // While the migration restarted, the source served and the destination did not.
        expect(meanwhile.source.svm(DEMO_SVM)).toMatchObject({ state: 'running', serving: true });
        expect(meanwhile.source.svm(DEMO_SVM)?.interfaces.map((l) => l.up)).toEqual([true, true]);
        expect(meanwhile.destination.svm(DEMO_SVM)?.serving ?? false).toBe(false);

        const types = outcome.events.map((e) => e.type);
        expectOrder(types, [
          'point_of_no_return',
          'source_restarted',
          'precommit_undone',
          'transfer_undone',
          'setup_undone',
          'migration_restarted',
          'point_of_no_return',
          'cutover_complete',
        ]);
        expect(outcome.migration).toMatchObject({ restarts: 1, generation: 2, pointOfNoReturn: true });
        await expectMigrated(harness, outcome, before);
      },
    );
  });
});
