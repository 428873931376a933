// Transfer and its undo. startTransfer initializes every relationship (the baseline);
// pollTransfer reports each volume's state, bytes and lag, restarts failed transfers from
// their checkpoint, starts updates for volumes lagging behind, and says when all are ready.
// undoTransfer aborts transfers and deletes the relationships.

import { InterClusterLinkError } from '../../errors';
import type { OntapClient } from '../../ontap/client';
import { errorFromRelationship } from '../../ontap/client';
import { durationSeconds } from '../../ontap/duration';
import type { SnapmirrorRelationship } from '../../ontap/types';
import { forEachLimited } from './concurrency';
import { DEFAULT_CONCURRENCY, destinationSvmName, type OperationContext, report } from './context';
import { ownedDestinationSvm } from './inventory';
import { isTransferring, relationshipsInto, volumeOf } from './relationships';
import { deleteRelationshipsInto } from './setup';

export interface VolumeTransferStatus {
  volume: string;
  relationshipUuid: string;
  state: SnapmirrorRelationship['state'];
  transferState?: string;
  bytesTransferred: number;
  /** Seconds since the last transferred snapshot; undefined before the baseline ends. */
  lagSeconds?: number;
  /** What this poll did about the volume. */
  action?: 'initialized' | 'updated' | 'restarted';
}

export interface TransferProgress {
  /** Every volume is mirrored, idle and within the lag threshold: cut-over may start. */
  ready: boolean;
  volumes: VolumeTransferStatus[];
}

export async function startTransfer(ctx: OperationContext): Promise<TransferProgress> {
  const destination = ctx.clusters.destination;
  const relationships = await relationshipsInto(destination, destinationSvmName(ctx.plan));
  const volumes = await forEachLimited(relationships, ctx.concurrency ?? DEFAULT_CONCURRENCY, async (rel) => {
    const action = rel.state === 'uninitialized' && !isTransferring(rel) ? 'initialized' : undefined;
    if (action) await destination.snapmirror.initialize(rel.uuid);
    const status = statusOf(await destination.snapmirror.getRelationship(rel.uuid), action);
    await reportStatus(ctx, status, action);
    return status;
  });
  return { ready: false, volumes };
}

export async function pollTransfer(
  ctx: OperationContext,
  opts: { lagThresholdSeconds: number },
): Promise<TransferProgress> {
  const destination = ctx.clusters.destination;
  const relationships = await relationshipsInto(destination, destinationSvmName(ctx.plan));
  const volumes = await forEachLimited(relationships, ctx.concurrency ?? DEFAULT_CONCURRENCY, async (rel) => {
    const action = await nudge(ctx, rel, opts.lagThresholdSeconds);
    const status = statusOf(action ? await destination.snapmirror.getRelationship(rel.uuid) : rel, action);
    await reportStatus(ctx, status, action);
    return status;
  });
  const ready =
    volumes.length > 0 &&
    volumes.every(
      (v) =>
        v.state === 'snapmirrored' &&
        !v.action &&
        v.transferState === 'success' &&
        v.lagSeconds !== undefined &&
        v.lagSeconds <= opts.lagThresholdSeconds,
    );
  return { ready, volumes };
}

/** Starts what a volume needs next: its baseline, a restart of a failed transfer, or an update when it lags. */
async function nudge(
  ctx: OperationContext,
  rel: SnapmirrorRelationship,
  lagThresholdSeconds: number,
): Promise<VolumeTransferStatus['action']> {
  const snapmirror = ctx.clusters.destination.snapmirror;
  if (isTransferring(rel) || rel.state === 'paused' || rel.state === 'broken_off') return undefined;
  const failed = rel.transfer !== undefined && rel.transfer.state !== 'success';
  if (failed) await failIfLinkDown(ctx.clusters.destination, rel);
  if (rel.state === 'uninitialized') {
    await snapmirror.initialize(rel.uuid);
    return failed ? 'restarted' : 'initialized';
  }
  const lag = durationSeconds(rel.lag_time);
  if (failed || lag === undefined || lag > lagThresholdSeconds) {
    await snapmirror.startUpdate(rel.uuid);
    return failed ? 'restarted' : 'updated';
  }
  return undefined;
}

/**
 * A transfer failed because the peer is unreachable: restart it only if the peer is available
 * again, otherwise surface InterClusterLinkError (the restart would fail the same way).
 */
async function failIfLinkDown(destination: OntapClient, rel: SnapmirrorRelationship): Promise<void> {
  const cause = errorFromRelationship(destination.side, rel);
  if (!(cause instanceof InterClusterLinkError)) return;
  const peers = await destination.peers.list();
  const sourceCluster = rel.source.cluster?.name;
  const peer = peers.find((p) => p.name === sourceCluster) ?? (peers.length === 1 ? peers[0] : undefined);
  if (peer?.status.state !== 'available') throw cause;
}

function statusOf(rel: SnapmirrorRelationship, action: VolumeTransferStatus['action']): VolumeTransferStatus {
  return {
    volume: volumeOf(rel),
    relationshipUuid: rel.uuid,
    state: rel.state,
    transferState: rel.transfer?.state,
    bytesTransferred: rel.transfer?.bytes_transferred ?? 0,
    lagSeconds: durationSeconds(rel.lag_time),
    ...(action && { action }),
  };
}

async function reportStatus(
  ctx: OperationContext,
  status: VolumeTransferStatus,
  action: VolumeTransferStatus['action'],
): Promise<void> {
  const patch = {
    relationshipUuid: status.relationshipUuid,
    transferState: status.transferState,
    bytesTransferred: status.bytesTransferred,
  };
  await report(ctx, status.volume, patch, action === 'initialized' ? 'transfer_initialized' : undefined);
}

/** Aborts running transfers and deletes the relationships into this migration's destination SVM. */
export async function undoTransfer(ctx: OperationContext): Promise<{ deleted: number }> {
  const svm = await ownedDestinationSvm(ctx.clusters.destination, ctx.plan);
  if (!svm) return { deleted: 0 };
  const before = await relationshipsInto(ctx.clusters.destination, svm.name);
  await deleteRelationshipsInto(ctx, svm.name);
  return { deleted: before.length };
}
