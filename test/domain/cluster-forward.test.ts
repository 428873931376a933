// A whole migration of the demo SVM through the cluster operations, forward only: the
// destination ends serving, with the same files and the same configuration as the source had.

import {
  commit,
  isDestinationServing,
  preCommit,
  precheck,
  setup,
  sourceCleanup,
} from '../../lambdas/domain/cluster';
import {
  DEMO_SVM,
  DEMO_VOLUMES,
  type Harness,
  manifests,
  startHarness,
  transferUntilReady,
} from './cluster-harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('forward run', () => {
  it('moves the demo SVM: files identical, configuration equal, destination serving, source cleaned up', async () => {
    const { source, destination } = h.ctx.clusters;
    // Prepare: what the source holds before, including a write made during the transfer
    const report = await precheck(h.ctx);
    expect(report.volumes.map((v) => v.name)).toEqual(DEMO_VOLUMES);
    const sourceDns = await source.dns.get((await source.svms.findByName(DEMO_SVM))!.uuid);

    // Act: setup (twice: a re-run changes nothing), transfer, a client write, pre-commit, commit
    const first = await setup(h.ctx);
    const again = await setup(h.ctx);
    expect(again).toEqual(first);
    const dstSvm = await destination.svms.get(first.svm.uuid);
    // A `default` SVM from the start: ONTAP never changes a subtype by PATCH.
    expect(dstSvm).toMatchObject({ subtype: 'default', state: 'stopped' });
    expect((await destination.volumes.list({ svmName: DEMO_SVM })).every((v) => v.type === 'dp')).toBe(true);

    await transferUntilReady(h.ctx);
    await h.srcSim.writeFile(
      DEMO_SVM,
      'vol03',
      'late/written-during-transfer.txt',
      'acknowledged before cut-over',
    );

    const pre = await preCommit(h.ctx);
    expect(pre.interfaces).toEqual(['lif_demo_01', 'lif_demo_02']);
    expect((await source.interfaces.list({ svmName: DEMO_SVM })).every((l) => !l.enabled)).toBe(true);
    await expect(h.srcSim.writeFile(DEMO_SVM, 'vol01', 'refused.txt', 'x')).rejects.toThrow(/not serving/);
    const sourceFiles = await manifests(h.srcSim);

    const result = await commit(h.ctx);

    // Assess: the destination serves the same files under the same configuration
    expect(result.serving).toBe(true);
    expect(await isDestinationServing(h.ctx)).toBe(true);
    expect(await manifests(h.dstSim)).toEqual(sourceFiles);
    expect((await h.dstSim.readFile(DEMO_SVM, 'vol03', 'late/written-during-transfer.txt')).toString()).toBe(
      'acknowledged before cut-over',
    );
    const served = await destination.svms.findByName(DEMO_SVM);
    expect(served).toMatchObject({ state: 'running', subtype: 'default' });
    expect(await destination.dns.get(served!.uuid)).toMatchObject({
      domains: sourceDns!.domains,
      servers: sourceDns!.servers,
    });
    const volumes = await destination.volumes.list({ svmName: DEMO_SVM });
    expect(volumes.map((v) => [v.name, v.type, v.nas?.path])).toEqual(
      DEMO_VOLUMES.map((v) => [v, 'rw', `/${v}`]),
    );
    const lifs = await destination.interfaces.list({ svmName: DEMO_SVM });
    expect(lifs.map((l) => [l.name, l.ip.address, l.state])).toEqual([
      ['lif_demo_01', '10.0.0.11', 'up'],
      ['lif_demo_02', '10.0.0.12', 'up'],
    ]);
    expect(await destination.snapmirror.listRelationships()).toEqual([]);
    expect((await source.svms.findByName(DEMO_SVM))?.state).toBe('stopped');
    // Clients now write at the destination.
    await h.dstSim.writeFile(DEMO_SVM, 'vol01', 'after-cutover.txt', 'new home');

    // Act + Assess: source cleanup removes the source SVM with its volumes and interfaces
    const cleaned = await sourceCleanup(h.ctx);
    expect(cleaned.deletedVolumes).toEqual(DEMO_VOLUMES);
    expect(await source.svms.findByName(DEMO_SVM)).toBeUndefined();
    expect(await source.volumes.list({ svmName: DEMO_SVM })).toEqual([]);

    // Each volume's sub-steps were checkpointed.
    const steps = (volume: string) =>
      h.checkpoints.filter((c) => c.volume === volume).flatMap((c) => Object.keys(c.patch.checkpoint ?? {}));
    expect(steps('vol05')).toEqual(
      expect.arrayContaining([
        'volume_created',
        'relationship_created',
        'transfer_initialized',
        'final_update',
        'broken_off',
        'mounted',
        'source_deleted',
      ]),
    );
  });
});
