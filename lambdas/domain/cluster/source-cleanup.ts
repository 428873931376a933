// Source cleanup, after the destination serves (roll forward only): the SVM peering the
// migration created, the source SVM's volumes, interfaces and the SVM itself are deleted. It refuses to run while the destination does not serve.

import { ClusterStateError } from '../../errors';
import type { OntapClient } from '../../ontap/client';
import type { Svm } from '../../ontap/types';
import { isDestinationServing } from './commit';
import { forEachLimited } from './concurrency';
import { DEFAULT_CONCURRENCY, type OperationContext, report } from './context';
import { dataVolumes, deleteVolume, ownedDestinationSvm } from './inventory';
import { removeSvmPeering } from './svm-peering';

/** Deletes the source SVM's volumes, interfaces and the SVM itself, once the destination serves. */
export async function sourceCleanup(ctx: OperationContext): Promise<{ deletedVolumes: string[] }> {
  const source = ctx.clusters.source;
  const from = await source.svms.findByName(ctx.plan.sourceSvm);
  if (!from) return { deletedVolumes: [] };
  if (!(await isDestinationServing(ctx))) {
    throw new ClusterStateError(
      `refusing to delete source SVM ${from.name}: the destination does not serve its clients`,
      { side: 'destination' },
    );
  }
  const to = await ownedDestinationSvm(ctx.clusters.destination, ctx.plan);
  if (to) await removeSvmPeering(ctx.clusters.destination, to.name, from.name);
  const volumes = await dataVolumes(source, from.name);
  await forEachLimited(volumes, ctx.concurrency ?? DEFAULT_CONCURRENCY, async (volume) => {
    await deleteVolume(source, volume);
    await report(ctx, volume.name, {}, 'source_deleted');
  });
  for (const lif of await source.interfaces.list({ svmName: from.name }))
    await source.interfaces.delete(lif.uuid);
  await deleteSvm(source, from);
  return { deletedVolumes: volumes.map((v) => v.name) };
}

async function deleteSvm(client: OntapClient, svm: Svm): Promise<void> {
  // ONTAP deletes a stopped SVM's remaining configuration (DNS, NFS, export policies) with it.
  if (svm.state !== 'stopped') await client.svms.stop(svm.uuid);
  await client.svms.delete(svm.uuid);
}
