// Each undo leaves the destination holding nothing the operations created (invariant 3),
// the source serving again where pre-commit had stopped it, and never touches what is not its own.

import {
  commit,
  isDestinationServing,
  pickHealthyNode,
  preCommit,
  precheck,
  relocateDestinationVolumes,
  restartSourceVserver,
  setup,
  undoPreCommit,
  undoSetup,
  undoTransfer,
} from '../../lambdas/domain/cluster';
import { ONTAP_ERROR } from '../../lambdas/ontap/error-codes';
import { migrationFailure } from '../support/failure';
import { DEMO_SVM, type Harness, inventory, startHarness, transferUntilReady } from './cluster-harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

/** Runs the undo chain from `from`, in the state machine's order. */
async function undoFrom(from: 'precommit' | 'transfer' | 'setup'): Promise<void> {
  if (from === 'precommit') await undoPreCommit(h.ctx);
  if (from !== 'setup') await undoTransfer(h.ctx);
  await undoSetup(h.ctx);
}

describe('undo', () => {
  it.each([
    ['setup', async () => setup(h.ctx)],
    [
      'transfer',
      async () => {
        await setup(h.ctx);
        await transferUntilReady(h.ctx);
      },
    ],
    [
      'precommit',
      async () => {
        await setup(h.ctx);
        await transferUntilReady(h.ctx);
        await preCommit(h.ctx);
      },
    ],
  ] as const)('after %s, the undo chain restores both clusters as they were', async (from, forward) => {
    // Prepare
    const { source, destination } = h.ctx.clusters;
    const [srcBefore, dstBefore] = await Promise.all([inventory(source), inventory(destination)]);

    // Act
    await forward();
    await undoFrom(from);

    // Assess: nothing left on the destination, the source as it was and serving its clients
    expect(await inventory(destination)).toEqual(dstBefore);
    expect(await inventory(source)).toEqual(srcBefore);
    await h.srcSim.writeFile(DEMO_SVM, 'vol01', 'after-undo.txt', 'the source serves again');
  });

  it('undoes a setup that failed halfway', async () => {
    const destination = h.ctx.clusters.destination;
    const before = await inventory(destination);
    await h.dstSim.injectError({
      method: 'POST',
      path: '/api/storage/volumes',
      status: 503,
      code: ONTAP_ERROR.INTERNAL,
      count: 1,
    });
    const err = await migrationFailure(setup({ ...h.ctx, concurrency: 2 }));
    expect(err.name).toBe('TransientError');
    expect((await destination.volumes.list({ svmName: DEMO_SVM })).length).toBeGreaterThan(0);

    await undoSetup(h.ctx);
    await undoSetup(h.ctx); // an undo retried after it succeeded changes nothing

    expect(await inventory(destination)).toEqual(before);
  });

  it('never deletes a destination SVM it did not create', async () => {
    const destination = h.ctx.clusters.destination;
    await destination.svms.create({ name: DEMO_SVM, comment: 'someone else' });
    const before = await inventory(destination);

    expect((await migrationFailure(precheck(h.ctx))).name).toBe('ConflictError');
    expect((await migrationFailure(setup(h.ctx))).name).toBe('ConflictError');
    await undoSetup(h.ctx);
    await undoTransfer(h.ctx);
    await undoPreCommit(h.ctx);

    expect(await inventory(destination)).toEqual(before);
  });

  it('a failed commit before the destination serves: the source restarts, then the undo chain cleans up', async () => {
    const { source, destination } = h.ctx.clusters;
    const [srcBefore, dstBefore] = await Promise.all([inventory(source), inventory(destination)]);
    await setup(h.ctx);
    await transferUntilReady(h.ctx);
    await preCommit(h.ctx);
    // The destination cannot start its SVM: commit fails after the break, before serving.
    await h.dstSim.injectError({
      method: 'PATCH',
      path: '/api/svm/svms/*',
      status: 503,
      code: ONTAP_ERROR.INTERNAL,
      count: 1,
    });
    await h.srcSim.injectError({
      method: 'PATCH',
      path: '/api/svm/svms/*',
      status: 503,
      code: ONTAP_ERROR.INTERNAL,
      count: 1,
    });

    expect((await migrationFailure(commit(h.ctx))).name).toBe('TransientError');
    expect(await isDestinationServing(h.ctx)).toBe(false);

    const restarted = await restartSourceVserver(h.ctx);
    expect(restarted.restored).toEqual(['lif_demo_01', 'lif_demo_02']);
    await h.srcSim.writeFile(DEMO_SVM, 'vol02', 'after-restart.txt', 'served by the source again');
    await undoFrom('precommit');

    expect(await inventory(destination)).toEqual(dstBefore);
    expect(await inventory(source)).toEqual(srcBefore);
  });
});

describe('checks and relocation', () => {
  it('precheck reports an unavailable peer as InterClusterLinkError and both clusters down as NetworkError on both', async () => {
    await h.dstSim.linkDown();
    expect((await migrationFailure(precheck(h.ctx))).name).toBe('InterClusterLinkError');
    await h.dstSim.clearFaults();

    await Promise.all([h.srcSim.unreachable('refuse'), h.dstSim.unreachable('refuse')]);
    const err = await migrationFailure(precheck(h.ctx));
    expect(err).toMatchObject({ name: 'NetworkError', side: 'both' });
  });

  it('precheck refuses a source SVM that does not exist', async () => {
    const err = await migrationFailure(
      precheck({ ...h.ctx, plan: { ...h.ctx.plan, sourceSvm: 'svm_missing' } }),
    );
    expect(err).toMatchObject({ name: 'NotFoundError', field: 'source.svm' });
  });

  it('a down node surfaces as NodeUnhealthyError with the node; relocation moves its volumes to the HA partner', async () => {
    const destination = h.ctx.clusters.destination;
    await setup(h.ctx);
    const nodes = await destination.nodes.list();
    const [down, partner] = [nodes[0].name, nodes[0].ha.partners[0].name];
    await h.dstSim.nodeDown(down, { takeoverDelayMs: 60_000 });

    const err = await migrationFailure(undoSetup(h.ctx));
    expect(err).toMatchObject({ name: 'NodeUnhealthyError', node: down, side: 'destination' });
    expect((await pickHealthyNode(destination, down)).name).toBe(partner);

    // Now let the partner take over at once, as ONTAP does after its takeover delay.
    await h.dstSim.nodeUp(down);
    await h.dstSim.nodeDown(down, { takeoverDelayMs: 0 });
    await destination.poll(
      async () =>
        (await destination.nodes.list()).find((n) => n.name === down)?.state === 'taken_over'
          ? true
          : undefined,
      () => new Error('no takeover'),
    );
    const relocated = await relocateDestinationVolumes(h.ctx, down);
    expect(relocated.node).toBe(partner);
    expect(relocated.moved.length).toBeGreaterThan(0);
    const aggregates = await destination.aggregates.list();
    const onDown = new Set(aggregates.filter((a) => a.node.name === down).map((a) => a.name));
    expect(
      (await destination.volumes.list({ svmName: DEMO_SVM })).some((v) => onDown.has(v.aggregates[0].name)),
    ).toBe(false);
  });
});
