// Setup and its undo. Setup creates the destination SVM (a `default` SVM from the start, as
// per-volume relationships need and since ONTAP never patches `subtype`; stopped, tagged with
// the migration id), peers it with the source SVM, copies its configuration, creates a `dp`
// volume of the same size for every source volume, and a SnapMirror relationship for each
// (its source path names the source SVM by its alias on the destination). Re-running skips what
// exists. undoSetup deletes exactly what carries this migration's tag, nothing else.

import { ConflictError, TransientError } from '../../errors';
import type { OntapClient } from '../../ontap/client';
import { unlessNotFound } from '../../ontap/client';
import type { Svm, Volume } from '../../ontap/types';
import { forEachLimited } from './concurrency';
import { copyConfiguration } from './configuration';
import {
  DEFAULT_CONCURRENCY,
  destinationSvmName,
  type OperationContext,
  ownershipTag,
  report,
  snapmirrorPath,
} from './context';
import { dataVolumes, deleteVolume, ownedDestinationSvm, refuseUnsupported, sourceSvm } from './inventory';
import { candidateAggregates, placeVolumes } from './placement';
import { abortActiveTransfer, relationshipsInto, volumeOf } from './relationships';
import { ensureSvmPeering, removeSvmPeering } from './svm-peering';

/** The SnapMirror policy of a migration's relationships: all snapshots, not only labelled ones. */
export const MIGRATION_POLICY = 'MirrorAllSnapshots';

export interface SetupResult {
  svm: { name: string; uuid: string };
  volumes: {
    name: string;
    sourceUuid: string;
    destinationUuid: string;
    aggregate: string;
    relationshipUuid: string;
  }[];
}

export async function setup(ctx: OperationContext): Promise<SetupResult> {
  const { source, destination } = ctx.clusters;
  const from = await sourceSvm(source, ctx.plan);
  // What cannot be migrated is refused before anything is created.
  const volumes = await dataVolumes(source, from.name);
  refuseUnsupported(volumes);
  const to = await destinationSvm(destination, ctx, from);
  const sourceCluster = (await source.cluster.get()).name;
  const sourceAlias = await ensureSvmPeering(source, destination, {
    from: { svm: from, cluster: sourceCluster },
    to: { svm: to },
  });
  await copyConfiguration(source, destination, from, to);

  const existing = new Map((await destination.volumes.list({ svmName: to.name })).map((v) => [v.name, v]));
  const [aggregates, nodes] = await Promise.all([destination.aggregates.list(), destination.nodes.list()]);
  // Only volumes not created yet need a place; the aggregates' free space already counts the others.
  const placement = placeVolumes(
    volumes.filter((v) => !existing.has(v.name)),
    candidateAggregates(aggregates, nodes, ctx.plan.aggregates),
  );
  const nodeOf = new Map(aggregates.map((a) => [a.name, a.node.name]));

  const created = await forEachLimited(volumes, ctx.concurrency ?? DEFAULT_CONCURRENCY, async (volume) => {
    const target =
      existing.get(volume.name) ??
      (await createVolume(destination, to, volume, placement.get(volume.name) as string));
    const aggregate = target.aggregates[0]?.name ?? '';
    // The data the baseline will move (logical used space), so progress can show a fraction.
    const totalBytes = volume.space?.used;
    await report(
      ctx,
      volume.name,
      {
        sourceUuid: volume.uuid,
        destinationUuid: target.uuid,
        node: nodeOf.get(aggregate),
        ...(totalBytes !== undefined && { totalBytes }),
      },
      'volume_created',
    );
    const relationship = await ensureRelationship(
      ctx,
      { cluster: sourceCluster, svm: sourceAlias },
      to.name,
      volume.name,
    );
    await report(
      ctx,
      volume.name,
      { relationshipUuid: relationship.uuid, transferState: relationship.transfer?.state },
      'relationship_created',
    );
    return {
      name: volume.name,
      sourceUuid: volume.uuid,
      destinationUuid: target.uuid,
      aggregate,
      relationshipUuid: relationship.uuid,
    };
  });
  return { svm: { name: to.name, uuid: to.uuid }, volumes: created };
}

/** The tagged destination SVM, a `default` one, stopped once created (ONTAP starts it on creation). */
async function destinationSvm(destination: OntapClient, ctx: OperationContext, from: Svm): Promise<Svm> {
  const name = destinationSvmName(ctx.plan);
  let svm = await destination.svms.findByName(name);
  if (svm && svm.comment !== ownershipTag(ctx.plan)) {
    throw new ConflictError(
      `destination already has an SVM named ${name} that this migration did not create`,
      { side: 'destination', field: 'source.svm' },
    );
  }
  svm ??= await destination.svms.create({
    name,
    subtype: 'default',
    language: from.language,
    comment: ownershipTag(ctx.plan),
  });
  if (svm.state === 'running' || svm.state === 'starting') {
    await destination.svms.stop(svm.uuid);
    svm = await destination.svms.get(svm.uuid);
  }
  return svm;
}

function createVolume(destination: OntapClient, to: Svm, volume: Volume, aggregate: string): Promise<Volume> {
  return destination.volumes.create({
    name: volume.name,
    svm: { name: to.name, uuid: to.uuid },
    size: volume.size,
    type: 'dp',
    aggregates: [{ name: aggregate }],
    ...(volume.language && { language: volume.language }),
  });
}

/** `from.svm` is the source SVM's local name on the destination (the peering alias). */
async function ensureRelationship(
  ctx: OperationContext,
  from: { cluster: string; svm: string },
  toSvm: string,
  volume: string,
) {
  const snapmirror = ctx.clusters.destination.snapmirror;
  const destinationPath = snapmirrorPath(toSvm, volume);
  return (
    (await snapmirror.findByDestination(destinationPath)) ??
    (await snapmirror.createRelationship({
      source: { path: snapmirrorPath(from.svm, volume), cluster: { name: from.cluster } },
      destination: { path: destinationPath },
      // Every volume's history, not only labelled snapshots (the default policy, Asynchronous).
      policy: { name: MIGRATION_POLICY },
      ...(ctx.plan.throttleKBps ? { throttle: ctx.plan.throttleKBps } : {}),
    }))
  );
}

/**
 * Deletes the tagged destination SVM and everything in it: relationships, its SVM peering,
 * interfaces, volumes, export policies, NFS and DNS configuration. Tolerates any part already gone; touches nothing
 * when the SVM is absent or not this migration's.
 */
export async function undoSetup(ctx: OperationContext): Promise<{ deleted: boolean }> {
  const destination = ctx.clusters.destination;
  const svm = await ownedDestinationSvm(destination, ctx.plan);
  if (!svm) return { deleted: false };
  const limit = ctx.concurrency ?? DEFAULT_CONCURRENCY;

  await deleteRelationshipsInto(ctx, svm.name);
  await removeSvmPeering(destination, svm.name, ctx.plan.sourceSvm);
  const lifs = await destination.interfaces.list({ svmName: svm.name });
  await forEachLimited(lifs, limit, (lif) => unlessNotFound(destination.interfaces.delete(lif.uuid)));
  const volumes = await dataVolumes(destination, svm.name);
  await forEachLimited(volumes, limit, async (volume) => {
    await unlessNotFound(deleteVolume(destination, volume));
    await report(ctx, volume.name, {}, 'volume_deleted');
  });
  for (const policy of await destination.exportPolicies.list({ uuid: svm.uuid })) {
    // ONTAP creates `default` with the SVM and deletes it with the SVM only.
    if (policy.name !== 'default') await unlessNotFound(destination.exportPolicies.delete(policy.id));
  }
  if (await destination.nfs.get(svm.uuid)) await unlessNotFound(destination.nfs.delete(svm.uuid));
  if (await destination.dns.get(svm.uuid)) await unlessNotFound(destination.dns.delete(svm.uuid));
  await deleteSvmUnlessRefilled(ctx, svm);
  return { deleted: true };
}

/**
 * A task of a stopped execution may still be creating volumes in the SVM (a Lambda outlives
 * StopExecution, and its cluster calls are not fenced, only its DynamoDB writes): when the SVM
 * delete is refused because volumes appeared meanwhile, the undo is retried (TransientError) and
 * its next pass deletes them. Anything else is the failure it is.
 */
async function deleteSvmUnlessRefilled(ctx: OperationContext, svm: Svm): Promise<void> {
  const destination = ctx.clusters.destination;
  try {
    await unlessNotFound(destination.svms.delete(svm.uuid));
  } catch (err) {
    const appeared = await dataVolumes(destination, svm.name);
    if (appeared.length === 0) throw err;
    throw new TransientError(
      `destination SVM ${svm.name} gained ${appeared.map((v) => v.name).join(', ')} while it was being undone; undoing again`,
      {
        side: 'destination',
        cause: err,
      },
    );
  }
}

/** Deletes every relationship whose destination is in `svmName` (the destination cluster owns them). */
export async function deleteRelationshipsInto(ctx: OperationContext, svmName: string): Promise<void> {
  const snapmirror = ctx.clusters.destination.snapmirror;
  const relationships = await relationshipsInto(ctx.clusters.destination, svmName);
  await forEachLimited(relationships, ctx.concurrency ?? DEFAULT_CONCURRENCY, async (rel) => {
    await abortActiveTransfer(ctx.clusters.destination, rel);
    await unlessNotFound(snapmirror.deleteRelationship(rel.uuid));
    await report(ctx, volumeOf(rel), {}, 'relationship_deleted');
  });
}
