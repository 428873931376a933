// The SVM peering a migration's SnapMirror relationships need: created from the destination
// (the SVMs keep the same name, so the source SVM gets a local alias there, and the destination
// SVM one on the source), accepted on the source, and waited for until `peered`. The alias is
// what the relationships' source paths name. Removed by the undo of setup and before source
// cleanup deletes the source SVM; only peering of this migration's destination SVM is touched.

import { ClusterStateError, TransientError } from '../../errors';
import type { OntapClient } from '../../ontap/client';
import { unlessNotFound } from '../../ontap/client';
import type { Svm, SvmPeer } from '../../ontap/types';

/** The local name of a peer SVM whose name is also a local SVM's (ONTAP then requires one). */
export const peerAlias = (svm: string, side: 'source' | 'destination'): string =>
  `${svm}_${side === 'source' ? 'src' : 'dst'}`;

export interface PeeringEnds {
  /** The source SVM and its cluster's name. */
  from: { svm: Svm; cluster: string };
  /** The destination SVM. */
  to: { svm: Svm };
}

/** Peers the destination SVM with the source SVM (idempotent); returns the source SVM's name on the destination. */
export async function ensureSvmPeering(
  source: OntapClient,
  destination: OntapClient,
  { from, to }: PeeringEnds,
): Promise<string> {
  const sameName = from.svm.name === to.svm.name;
  const [existing] = await destination.svmPeers.list({
    svmName: to.svm.name,
    peerSvmName: from.svm.name,
    peerClusterName: from.cluster,
  });
  const peer =
    existing ??
    (await destination.svmPeers.create({
      svm: { name: to.svm.name },
      peer: { svm: { name: from.svm.name }, cluster: { name: from.cluster } },
      applications: ['snapmirror'],
      ...(sameName && { name: peerAlias(from.svm.name, 'source') }),
    }));
  if (peer.state === 'peered') return peer.name;
  if (peer.state !== 'initiated' && peer.state !== 'initializing') {
    throw new ClusterStateError(
      `SVM peering of ${to.svm.name} with ${from.cluster}:${from.svm.name} is ${peer.state}; resume or delete it`,
      {
        side: 'destination',
        field: 'source.svm',
      },
    );
  }
  const request = await unlessNotFound(source.svmPeers.get(peer.uuid));
  if (request?.state === 'pending')
    await source.svmPeers.accept(peer.uuid, sameName ? peerAlias(to.svm.name, 'destination') : undefined);
  return (await peeredOnDestination(destination, peer)).name;
}

/** The destination's side once it shows `peered` (ONTAP updates it after the accept). */
function peeredOnDestination(destination: OntapClient, peer: SvmPeer): Promise<SvmPeer> {
  return destination.poll(
    async () => {
      const now = await destination.svmPeers.get(peer.uuid);
      return now.state === 'peered' ? now : undefined;
    },
    () =>
      new TransientError(`destination cluster: SVM peering ${peer.uuid} not accepted in time`, {
        side: 'destination',
      }),
  );
}

/** Deletes the peering of the destination SVM with the source SVM (both sides); returns how many. */
export async function removeSvmPeering(
  destination: OntapClient,
  toSvm: string,
  fromSvm: string,
): Promise<number> {
  const peers = await destination.svmPeers.list({ svmName: toSvm, peerSvmName: fromSvm });
  for (const peer of peers) await unlessNotFound(destination.svmPeers.delete(peer.uuid));
  return peers.length;
}
