// The SVM peering a migration sets up: created from the destination with a local alias (the
// SVMs share their name), accepted on the source, used in every relationship's source path,
// and removed by the undo of setup and by source cleanup, on both clusters.

import { commit, preCommit, setup, sourceCleanup, undoSetup } from '../../lambdas/domain/cluster';
import { peerAlias } from '../../lambdas/domain/cluster/svm-peering';
import { DEMO_SVM, DEMO_VOLUMES, type Harness, startHarness, transferUntilReady } from './cluster-harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const peersOf = async () => {
  const { source, destination } = h.ctx.clusters;
  return { source: await source.svmPeers.list(), destination: await destination.svmPeers.list() };
};

it('setup peers the SVMs (created, accepted, used by every relationship) and its undo removes the peering on both clusters', async () => {
  const { destination } = h.ctx.clusters;
  const before = await peersOf();
  expect(before).toEqual({ source: [], destination: [] });

  await setup(h.ctx);
  await setup(h.ctx); // a re-run reuses the peering

  const after = await peersOf();
  expect([after.source.length, after.destination.length]).toEqual([1, 1]);
  const [onSource, onDestination] = [after.source[0], after.destination[0]];
  expect(onDestination).toMatchObject({
    state: 'peered',
    name: peerAlias(DEMO_SVM, 'source'),
    svm: { name: DEMO_SVM },
    peer: { svm: { name: DEMO_SVM }, cluster: { name: h.pair.source.name } },
    applications: ['snapmirror'],
  });
  expect(onSource).toMatchObject({
    uuid: onDestination.uuid,
    state: 'peered',
    name: peerAlias(DEMO_SVM, 'destination'),
  });
  const relationships = await destination.snapmirror.listRelationships();
  expect(relationships.map((r) => r.source.path).sort()).toEqual(
    DEMO_VOLUMES.map((v) => `${peerAlias(DEMO_SVM, 'source')}:${v}`),
  );
  expect(relationships.every((r) => r.policy?.name === 'MirrorAllSnapshots')).toBe(true);

  await undoSetup(h.ctx);
  expect(await peersOf()).toEqual({ source: [], destination: [] });
});

it('source cleanup removes the peering before it deletes the source SVM', async () => {
  await setup(h.ctx);
  await transferUntilReady(h.ctx);
  await preCommit(h.ctx);
  await commit(h.ctx);
  expect((await peersOf()).destination).toHaveLength(1);

  await sourceCleanup(h.ctx);
  expect(await peersOf()).toEqual({ source: [], destination: [] });
  expect(await h.ctx.clusters.destination.svms.findByName(DEMO_SVM)).toMatchObject({ state: 'running' });
});
