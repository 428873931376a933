// Precheck: everything setup relies on, checked before anything is created. Each failure is
// the typed error the state machine routes on (network -> retry, link, validation, conflict).

import { ClusterStateError, ConflictError, InterClusterLinkError, NetworkError } from '../../errors';
import type { OntapClient } from '../../ontap/client';
import type { ClusterInfo } from '../../ontap/types';
import { destinationSvmName, type OperationContext, ownershipTag } from './context';
import { dataVolumes, refuseUnsupported, sourceSvm } from './inventory';
import { candidateAggregates, placeVolumes } from './placement';

/** SnapMirror and SVM management over REST as used here need ONTAP 9.8 or later. */
export const MINIMUM_VERSION = { generation: 9, major: 8 };

export interface PrecheckReport {
  source: { cluster: string; version: string };
  destination: { cluster: string; version: string };
  volumes: { name: string; size: number; aggregate: string }[];
}

const versionKey = (v: { generation: number; major: number; minor: number }): number =>
  v.generation * 10_000 + v.major * 100 + v.minor;

export async function precheck(ctx: OperationContext): Promise<PrecheckReport> {
  const { source, destination } = ctx.clusters;
  const [src, dst] = await bothClusters(source, destination);

  await checkPeered(destination, src.name);
  await checkPeered(source, dst.name);

  for (const [side, info] of [
    ['source', src],
    ['destination', dst],
  ] as const) {
    if (versionKey(info.version) < versionKey({ ...MINIMUM_VERSION, minor: 0 })) {
      throw new ClusterStateError(
        `${side} cluster ${info.name} runs ${info.version.full}; ONTAP 9.8 or later is required`,
        { side, field: `${side}.cluster` },
      );
    }
  }
  if (versionKey(dst.version) < versionKey(src.version)) {
    throw new ClusterStateError(
      `destination ${dst.name} (${dst.version.full}) is older than source ${src.name} (${src.version.full})`,
      {
        side: 'destination',
        field: 'destination.cluster',
      },
    );
  }

  const svm = await sourceSvm(source, ctx.plan);
  if (svm.state !== 'running') {
    throw new ClusterStateError(`source SVM ${svm.name} is ${svm.state}, not running`, {
      side: 'source',
      field: 'source.svm',
    });
  }
  const clash = await destination.svms.findByName(destinationSvmName(ctx.plan));
  if (clash && clash.comment !== ownershipTag(ctx.plan)) {
    throw new ConflictError(`destination cluster ${dst.name} already has an SVM named ${clash.name}`, {
      side: 'destination',
      field: 'source.svm',
    });
  }

  const volumes = await dataVolumes(source, svm.name);
  refuseUnsupported(volumes);
  const [aggregates, nodes] = await Promise.all([destination.aggregates.list(), destination.nodes.list()]);
  const placement = placeVolumes(volumes, candidateAggregates(aggregates, nodes, ctx.plan.aggregates));
  return {
    source: { cluster: src.name, version: src.version.full },
    destination: { cluster: dst.name, version: dst.version.full },
    volumes: volumes.map((v) => ({ name: v.name, size: v.size, aggregate: placement.get(v.name) as string })),
  };
}

/** Both clusters at once, so an outage of both is reported as one NetworkError on `both`. */
export async function bothClusters(
  source: OntapClient,
  destination: OntapClient,
): Promise<[ClusterInfo, ClusterInfo]> {
  const [src, dst] = await Promise.allSettled([source.cluster.get(), destination.cluster.get()]);
  if (
    src.status === 'rejected' &&
    dst.status === 'rejected' &&
    src.reason instanceof NetworkError &&
    dst.reason instanceof NetworkError
  ) {
    throw new NetworkError(`neither cluster answered: ${src.reason.message}; ${dst.reason.message}`, {
      side: 'both',
      cause: src.reason,
    });
  }
  if (src.status === 'rejected') throw src.reason;
  if (dst.status === 'rejected') throw dst.reason;
  return [src.value, dst.value];
}

async function checkPeered(client: OntapClient, remote: string): Promise<void> {
  const peer = (await client.peers.list()).find((p) => p.name === remote || p.remote?.name === remote);
  if (!peer) {
    throw new ClusterStateError(`${client.side} cluster is not peered with ${remote}`, {
      side: client.side,
      field: `${client.side}.cluster`,
    });
  }
  if (peer.status.state !== 'available') {
    throw new InterClusterLinkError(`${client.side} cluster's peer ${remote} is ${peer.status.state}`, {
      side: client.side,
    });
  }
}
