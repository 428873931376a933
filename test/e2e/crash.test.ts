// Claim 1, "on each (re)start check the state and continue or restart": the orchestrator's
// process is killed -9 in the middle of the transfer. A fresh execution reads the migration
// from DynamoDB, takes it over from the dead execution and continues at the transfer: setup is
// not run again, nothing is created twice, and the migration finishes with the same data.
import {
  DEMO_SVM,
  describeRun,
  expectMigrated,
  expectOrder,
  explained,
  filesByVolume,
  HAPPY_PATH,
  Harness,
  waitFor,
} from './harness';

/** Slow enough that the baseline is still crossing the link when the process dies. */
const SLOW_LINK_BYTES_PER_SEC = 256 * 1024;

describe('the orchestrator killed mid-phase', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness?.stop();
  });

  it('continues from DynamoDB at the transfer in a fresh execution, without running setup again', async () => {
    harness = await Harness.start();
    const before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));
    await harness.destination.settings({ linkBandwidthBytesPerSec: SLOW_LINK_BYTES_PER_SEC });

    const child = harness.startInChild();
    const store = harness.env.store;
    const transferring = await waitFor(
      'the transfer to start in the child',
      async () => {
        const m = await store.findActiveForSvm(harness.env.clusters.source.name, DEMO_SVM);
        const events = m ? await store.listEvents(m.id, { limit: 1000 }) : [];
        return events.some((e) => e.type === 'transfer_started') ? m : undefined;
      },
      60_000,
      20,
    );
    await child.kill9();
    const killedWith = await harness.destination.state();
    const inFlight = killedWith.relationships.filter((r) =>
      r.transfers.some((t) => t.state === 'transferring'),
    ).length;
    await harness.destination.settings({ linkBandwidthBytesPerSec: 0 });

    const execution = harness.start();
    const outcome = await harness.finish(execution);

    await explained(
      () => `child: ${JSON.stringify(child.reports)} ${child.stderr()}\n${describeRun(outcome)}`,
      async () => {
        // Killed mid-transfer: the child's execution never ended, and baselines were crossing the link.
        expect(child.reports).toEqual([{ started: { executionArn: expect.any(String) } }]);
        expect(transferring.phase).toBe('transferring');
        expect(inFlight).toBeGreaterThan(0);

        expect(outcome.states.slice(0, 3)).toEqual(['CheckState', 'ResumePoint', 'StartTransfer']);
        expect(outcome.states).not.toContain('Setup');
        expectOrder(
          outcome.states,
          HAPPY_PATH.filter((s) => s !== 'Setup'),
        );
        const resumed = outcome.events.filter((e) => e.type === 'migration_resumed');
        expect(resumed.map((e) => e.detail)).toEqual([
          { executionId: execution.executionArn, previousOwner: child.executionArn(), resumeAt: 'transfer' },
        ]);
        const types = outcome.events.map((e) => e.type);
        expect(types.filter((t) => t === 'migration_started' || t === 'setup_complete')).toEqual([
          'migration_started',
          'setup_complete',
        ]);
        expect(outcome.migration).toMatchObject({
          id: transferring.id,
          owner: execution.executionArn,
          generation: 1,
          restarts: 0,
        });
        // Nothing created twice on the destination: one SVM, one volume and one relationship each.
        const dump = await harness.destination.state();
        const creations = (kind: string) => dump.jobs.filter((j) => j.action.kind === kind).length;
        expect([
          creations('svm_create'),
          creations('volume_create'),
          creations('relationship_create'),
        ]).toEqual([1, 8, 8]);
        await expectMigrated(harness, outcome, before);
      },
    );
  });
});
