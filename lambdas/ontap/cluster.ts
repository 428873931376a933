// The cluster's inventory, read only: identity and version, nodes, peers, aggregates.
// The migration reads these in precheck and when it picks a healthy node.

import type { OntapTransport } from './transport';
import type { Aggregate, ClusterInfo, ClusterNode, ClusterPeer } from './types';

export class ClusterApi {
  constructor(private readonly http: OntapTransport) {}

  /** `GET /api/cluster`: name, uuid and ONTAP version. */
  get(): Promise<ClusterInfo> {
    return this.http.get<ClusterInfo>('/api/cluster', { fields: 'name,uuid,version' });
  }
}

export class NodesApi {
  constructor(private readonly http: OntapTransport) {}

  /** `GET /api/cluster/nodes`: state, membership and HA partner/takeover of every node. */
  list(): Promise<ClusterNode[]> {
    return this.http.list<ClusterNode>('/api/cluster/nodes', { fields: 'uuid,name,state,membership,ha' });
  }
}

export class PeersApi {
  constructor(private readonly http: OntapTransport) {}

  /** `GET /api/cluster/peers`: the clusters this one is peered with, and whether each is reachable. */
  list(): Promise<ClusterPeer[]> {
    return this.http.list<ClusterPeer>('/api/cluster/peers', { fields: 'uuid,name,status,remote' });
  }
}

export class AggregatesApi {
  constructor(private readonly http: OntapTransport) {}

  /** `GET /api/storage/aggregates`: owning node, state and free space. */
  list(): Promise<Aggregate[]> {
    return this.http.list<Aggregate>('/api/storage/aggregates', {
      fields: 'uuid,name,node,state,space.block_storage',
    });
  }
}
