// What the operations do with volumes as ONTAP requires: FlexGroup sources refused by name
// before anything is created, destination volumes created with the source's language, nested
// junctions mounted parents first, and the source volumes unmounted before they are deleted.

import { commit, preCommit, precheck, setup, sourceCleanup } from '../../lambdas/domain/cluster';
import { migrationFailure } from '../support/failure';
import { DEMO_SVM, type Harness, startHarness, transferUntilReady } from './cluster-harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

it('refuses a FlexGroup source volume by name, in precheck and in setup, before creating anything', async () => {
  const { source, destination } = h.ctx.clusters;
  const [aggregate] = await source.aggregates.list();
  await source.request('POST', '/api/storage/volumes', {
    body: {
      name: 'vol_fg',
      svm: { name: DEMO_SVM },
      style: 'flexgroup',
      aggregates: [{ name: aggregate.name }],
    },
  });

  for (const run of [precheck, setup]) {
    const err = await migrationFailure(run(h.ctx));
    expect(err.name).toBe('ClusterStateError');
    expect(err.message).toMatch(/vol_fg: FlexGroup volumes cannot be migrated yet/);
  }
  expect(await destination.svms.findByName(DEMO_SVM)).toBeUndefined();
});

it('creates destination volumes with the source language, mounts nested junctions parents first, and unmounts sources before deleting them', async () => {
  const { source, destination } = h.ctx.clusters;
  const [aggregate] = await source.aggregates.list();
  // `/vol01/deep/er` inside `/vol01/deep` inside `/vol01`: the simulator refuses a junction whose parent is not mounted
  await source.volumes.create({
    name: 'vol_deep',
    svm: { name: DEMO_SVM },
    size: 1 << 30,
    type: 'rw',
    aggregates: [{ name: aggregate.name }],
    language: 'en_us',
    nas: { path: '/vol01/deep' },
  });
  await source.volumes.create({
    name: 'vol_deeper',
    svm: { name: DEMO_SVM },
    size: 1 << 30,
    type: 'rw',
    aggregates: [{ name: aggregate.name }],
    nas: { path: '/vol01/deep/er' },
  });
  const refused = await migrationFailure(
    source.volumes.create({
      name: 'vol_orphan',
      svm: { name: DEMO_SVM },
      size: 1 << 30,
      type: 'rw',
      aggregates: [{ name: aggregate.name }],
      nas: { path: '/nowhere/x' },
    }),
  );
  expect(refused).toMatchObject({ name: 'ValidationError', field: 'nas.path' });

  await setup(h.ctx);
  const created = await destination.volumes.findByName(DEMO_SVM, 'vol_deep');
  expect(created?.language).toBe('en_us');
  expect((await destination.volumes.findByName(DEMO_SVM, 'vol01'))?.language).toBe(
    (await source.volumes.findByName(DEMO_SVM, 'vol01'))?.language,
  );

  await transferUntilReady(h.ctx);
  await preCommit(h.ctx);
  await commit(h.ctx);
  const mounted = new Map(
    (await destination.volumes.list({ svmName: DEMO_SVM })).map((v) => [v.name, v.nas?.path]),
  );
  expect([mounted.get('vol01'), mounted.get('vol_deep'), mounted.get('vol_deeper')]).toEqual([
    '/vol01',
    '/vol01/deep',
    '/vol01/deep/er',
  ]);

  // The source volumes are mounted: cleanup unmounts each before its delete (the simulator refuses otherwise)
  const { deletedVolumes } = await sourceCleanup(h.ctx);
  expect(deletedVolumes).toContain('vol_deeper');
  expect(await source.svms.findByName(DEMO_SVM)).toBeUndefined();
});
