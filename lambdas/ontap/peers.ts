// SVM peering (`/api/svm/peers`), which a SnapMirror relationship between two clusters needs
// on top of cluster peering. Created on one cluster (naming the peer cluster and SVM), accepted
// on the other by PATCH `state: peered`; `name` is the local name of the peer SVM, mandatory
// when a local SVM has the same name (SnapMirror paths then use it). Both sides share the uuid.

import { createdButNotListed } from './error-mapping';
import type { OntapTransport } from './transport';
import type { SvmPeer } from './types';

const PEER_FIELDS = 'uuid,name,svm,peer,state,applications';

export interface SvmPeerCreate {
  svm: { name: string };
  peer: { svm: { name: string }; cluster: { name: string } };
  applications: SvmPeer['applications'];
  /** The peer SVM's local name on this cluster. */
  name?: string;
}

export interface SvmPeerQuery {
  svmName?: string;
  peerSvmName?: string;
  peerClusterName?: string;
  uuid?: string;
}

export class SvmPeersApi {
  private static readonly PATH = '/api/svm/peers';
  constructor(private readonly http: OntapTransport) {}

  list(query: SvmPeerQuery = {}): Promise<SvmPeer[]> {
    return this.http.list<SvmPeer>(SvmPeersApi.PATH, {
      'svm.name': query.svmName,
      'peer.svm.name': query.peerSvmName,
      'peer.cluster.name': query.peerClusterName,
      uuid: query.uuid,
      fields: PEER_FIELDS,
    });
  }

  /** Throws a NotFoundError (see isNotFound) when this cluster has no side of that relationship. */
  get(uuid: string): Promise<SvmPeer> {
    return this.http.get<SvmPeer>(this.path(uuid), { fields: PEER_FIELDS });
  }

  /** Asks the peer cluster for peering (`initiated` here, `pending` there) and returns it as listed. */
  async create(peer: SvmPeerCreate): Promise<SvmPeer> {
    await this.http.send('POST', SvmPeersApi.PATH, { body: peer });
    const [created] = await this.list({
      svmName: peer.svm.name,
      peerSvmName: peer.peer.svm.name,
      peerClusterName: peer.peer.cluster.name,
    });
    if (!created)
      throw createdButNotListed(
        this.http.side,
        `SVM peer ${peer.svm.name} -> ${peer.peer.cluster.name}:${peer.peer.svm.name}`,
      );
    return created;
  }

  /** Accepts a pending request on this (the peer) cluster, naming the peer SVM locally when given. */
  async accept(uuid: string, name?: string): Promise<void> {
    await this.http.send('PATCH', this.path(uuid), {
      body: { state: 'peered', ...(name !== undefined && { name }) },
    });
  }

  async delete(uuid: string): Promise<void> {
    await this.http.send('DELETE', this.path(uuid));
  }

  private path(uuid: string): string {
    return `${SvmPeersApi.PATH}/${encodeURIComponent(uuid)}`;
  }
}
