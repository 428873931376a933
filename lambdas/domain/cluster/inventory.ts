// What the migration moves, read from the clusters: the source SVM and its data volumes,
// and the destination SVM the migration created (recognised by its ownership tag).

import { NotFoundError } from '../../errors';
import type { OntapClient } from '../../ontap/client';
import type { Svm, Volume } from '../../ontap/types';
import { MigrationPlan, destinationSvmName, ownershipTag } from './context';

export async function sourceSvm(client: OntapClient, plan: MigrationPlan): Promise<Svm> {
  const svm = await client.svms.findByName(plan.sourceSvm);
  if (!svm) throw new NotFoundError(`source SVM ${plan.sourceSvm} does not exist`, { side: 'source', field: 'source.svm' });
  return svm;
}

/** The SVM's data volumes; its root volume (mounted at `/`) belongs to the SVM itself and is never copied. */
export async function dataVolumes(client: OntapClient, svmName: string): Promise<Volume[]> {
  const volumes = await client.volumes.list({ svmName });
  return volumes.filter((v) => v.nas?.path !== '/').sort((a, b) => a.name.localeCompare(b.name));
}

/** The destination SVM when this migration created it; undefined when absent or someone else's. */
export async function ownedDestinationSvm(client: OntapClient, plan: MigrationPlan): Promise<Svm | undefined> {
  const svm = await client.svms.findByName(destinationSvmName(plan));
  return svm && svm.comment === ownershipTag(plan) ? svm : undefined;
}

/** The destination SVM this migration created; a NotFoundError when setup has not run (or was undone). */
export async function requireDestinationSvm(client: OntapClient, plan: MigrationPlan): Promise<Svm> {
  const svm = await ownedDestinationSvm(client, plan);
  if (!svm) {
    throw new NotFoundError(`destination SVM ${destinationSvmName(plan)} created by migration ${plan.migrationId} does not exist; setup has not run`, {
      side: 'destination',
      field: 'source.svm',
    });
  }
  return svm;
}
