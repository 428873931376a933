// Claim 1: a step that hits an unhealthy node is relocated to a healthy node of the same
// cluster and run again. A destination node goes down under StartTransfer's initialize calls
// (held by injected latency, so the node is down when the cluster handles them): the step fails
// with NodeUnhealthyError, RelocateStartTransfer waits for the HA partner's takeover
// (TransientError, retried), moves the node's volumes to the partner's aggregate, and the
// transfer starts again and finishes. The test takes the node over itself, once the relocation
// has been retried, so the order does not depend on how fast the machine is.
import {
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

const DOWN = 'cluster-dst-01';
const PARTNER = 'cluster-dst-02';
/** Holds each initialize this long, so the node is down when the cluster handles it. */
const HOLD_MS = 300;

describe('relocation (claim 1)', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness?.stop();
  });

  it('relocates the transfer off a destination node that went down, then finishes with the same data', async () => {
    // Retries enough that the relocation is still waiting when the test takes the node over,
    // however slow the machine.
    harness = await Harness.start({ retryIntervalMs: 200, context: { retryMaxAttempts: 50 } });
    const before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));
    await harness.destination.addLatency(HOLD_MS, '/api/snapmirror/relationships/*');

    const execution = harness.start();
    await waitFor('StartTransfer', () => entered(execution, 'StartTransfer'));
    const placed = await waitFor('the volumes placed by setup', async () => {
      const m = await harness.env.store.findActiveForSvm(harness.env.clusters.source.name, DEMO_SVM);
      return m && (await harness.env.store.listVolumes(m.id));
    });
    await harness.destination.nodeDown(DOWN, { manualTakeover: true });
    await waitFor(
      'the relocation to wait for the takeover',
      () => retriesOf(execution.events, 'RelocateStartTransfer').length > 0,
    );
    await harness.destination.takeover(DOWN);
    const outcome = await harness.finish(execution);

    await explained(
      () => describeRun(outcome),
      async () => {
        const onDownNode = placed.filter((v) => v.node === DOWN).map((v) => v.name);
        expect(onDownNode.length).toBeGreaterThan(0);
        const at = outcome.states.indexOf('StartTransfer');
        expect(outcome.states.slice(at, at + 3)).toEqual([
          'StartTransfer',
          'RelocateStartTransfer',
          'StartTransfer',
        ]);
        expectOrder(outcome.states, HAPPY_PATH);
        expect(
          outcome.history.find((e) => e.type === 'StateCaught' && e.state === 'StartTransfer')?.caught,
        ).toEqual({
          errorEquals: ['NodeUnhealthyError'],
          next: 'RelocateStartTransfer',
        });
        // The relocation waited for the takeover: retried, not failed over to the undo chain.
        expect(retriesOf(outcome.history, 'RelocateStartTransfer').length).toBeGreaterThan(0);
        expect(outcome.states.filter((s) => s.startsWith('Undo'))).toEqual([]);
        expect(outcome.migration).toMatchObject({ relocations: 1, restarts: 0, generation: 1 });
        const relocated = outcome.events.find((e) => e.type === 'step_relocated')?.detail;
        expect(relocated).toEqual({
          step: 'startTransfer',
          relocated: [{ side: 'destination', from: DOWN, to: PARTNER, volumes: onDownNode }],
        });
        // Every volume now lives on a healthy node, in DynamoDB and on the cluster.
        expect(outcome.volumes.map((v) => v.node)).toEqual(outcome.volumes.map(() => PARTNER));
        const svm = (await harness.snapshot()).destination.svm(DEMO_SVM);
        expect(svm?.volumes.map((v) => v.node)).toEqual(svm?.volumes.map(() => PARTNER));
        await expectMigrated(harness, outcome, before);
      },
    );
  });
});
