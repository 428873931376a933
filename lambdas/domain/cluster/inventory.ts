// What the migration moves, read from the clusters: the source SVM and its data volumes,
// and the destination SVM the migration created (recognised by its ownership tag).

import { ClusterStateError, NotFoundError } from '../../errors';
import type { OntapClient } from '../../ontap/client';
import type { Svm, Volume } from '../../ontap/types';
import { destinationSvmName, type MigrationPlan, ownershipTag } from './context';

export async function sourceSvm(client: OntapClient, plan: MigrationPlan): Promise<Svm> {
  const svm = await client.svms.findByName(plan.sourceSvm);
  if (!svm)
    throw new NotFoundError(`source SVM ${plan.sourceSvm} does not exist`, {
      side: 'source',
      field: 'source.svm',
    });
  return svm;
}

/** The SVM's data volumes; its root volume (`is_svm_root`) belongs to the SVM itself and is never copied. */
export async function dataVolumes(client: OntapClient, svmName: string): Promise<Volume[]> {
  const volumes = await client.volumes.list({ svmName });
  return volumes.filter((v) => v.is_svm_root !== true).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Refuses, naming them, the volumes this transport cannot migrate yet: a FlexGroup needs a
 * FlexGroup destination (its constituents spread over aggregates), which setup does not create.
 */
export function refuseUnsupported(volumes: Volume[]): void {
  const flexGroups = volumes.filter((v) => v.style === 'flexgroup' || v.style === 'flexgroup_constituent');
  if (flexGroups.length === 0) return;
  const names = flexGroups.map((v) => v.name).join(', ');
  throw new ClusterStateError(
    `source volume${flexGroups.length > 1 ? 's' : ''} ${names}: FlexGroup volumes cannot be migrated yet (FlexVol only)`,
    {
      side: 'source',
      field: 'source.svm',
    },
  );
}

/** Deletes a volume, unmounting it first (ONTAP refuses to delete a mounted volume). */
export async function deleteVolume(client: OntapClient, volume: Volume): Promise<void> {
  if (volume.nas?.path) await client.volumes.unmount(volume.uuid);
  await client.volumes.delete(volume.uuid);
}

/** The destination SVM when this migration created it; undefined when absent or someone else's. */
export async function ownedDestinationSvm(
  client: OntapClient,
  plan: MigrationPlan,
): Promise<Svm | undefined> {
  const svm = await client.svms.findByName(destinationSvmName(plan));
  return svm && svm.comment === ownershipTag(plan) ? svm : undefined;
}

/** The destination SVM this migration created; a NotFoundError when setup has not run (or was undone). */
export async function requireDestinationSvm(client: OntapClient, plan: MigrationPlan): Promise<Svm> {
  const svm = await ownedDestinationSvm(client, plan);
  if (!svm) {
    throw new NotFoundError(
      `destination SVM ${destinationSvmName(plan)} created by migration ${plan.migrationId} does not exist; setup has not run`,
      {
        side: 'destination',
        field: 'source.svm',
      },
    );
  }
  return svm;
}
