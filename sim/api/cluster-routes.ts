// /api/cluster, its nodes, peers and jobs, and /api/storage/aggregates: read-only views.
// Peer status is probed live over the inter-cluster link, as ONTAP's peer health is.
import type { ClusterPeer } from '../../lambdas/ontap/types';
import type { SimContext } from '../context';
import { notFound, sendJson } from '../http';
import { jobView } from '../jobs';
import type { PeerRecord } from '../model';
import { collection } from '../query';
import { peerJson } from '../replication/peer-link';
import type { Router } from '../router';
import { aggregateView, nodeView } from './views';

const ONTAP_VERSION = { full: 'NetApp Release 9.14.1: simulated', generation: 9, major: 14, minor: 1 };

export function registerClusterRoutes(router: Router, { cluster }: SimContext): void {
  router.on('GET', '/api/cluster', ({ res }) =>
    sendJson(res, 200, {
      name: cluster.name,
      uuid: cluster.state.cluster.uuid,
      version: ONTAP_VERSION,
      _links: { self: { href: '/api/cluster' } },
    }),
  );

  router.on('GET', '/api/cluster/nodes', ({ res, query }) =>
    sendJson(
      res,
      200,
      collection(
        cluster.state.nodes.map((n) => nodeView(cluster, n)),
        query,
      ),
    ),
  );
  router.on('GET', '/api/cluster/nodes/:uuid', ({ res, params }) =>
    sendJson(res, 200, nodeView(cluster, cluster.node({ uuid: params.uuid }, 'uuid'))),
  );

  router.on('GET', '/api/storage/aggregates', ({ res, query }) =>
    sendJson(
      res,
      200,
      collection(
        cluster.state.aggregates.map((a) => aggregateView(cluster, a)),
        query,
      ),
    ),
  );
  router.on('GET', '/api/storage/aggregates/:uuid', ({ res, params }) =>
    sendJson(res, 200, aggregateView(cluster, cluster.aggregate({ uuid: params.uuid }, 'uuid'))),
  );

  const peerView = async (peer: PeerRecord): Promise<ClusterPeer> => {
    const reachable = await peerJson(cluster, peer, 'GET', '/sim/replication/ping').then(
      () => true,
      () => false,
    );
    const host = new URL(peer.baseUrl).hostname;
    return {
      uuid: peer.uuid,
      name: peer.name,
      status: { state: reachable ? 'available' : 'unavailable' },
      remote: { name: peer.name, ip_addresses: [host] },
      ...{ _links: { self: { href: `/api/cluster/peers/${peer.uuid}` } } },
    };
  };
  router.on('GET', '/api/cluster/peers', async ({ res, query }) =>
    sendJson(res, 200, collection(await Promise.all(cluster.state.peers.map(peerView)), query)),
  );
  router.on('GET', '/api/cluster/peers/:uuid', async ({ res, params }) => {
    const peer = cluster.state.peers.find((p) => p.uuid === params.uuid);
    if (!peer) throw notFound(`cluster peer ${params.uuid}`, 'uuid');
    sendJson(res, 200, await peerView(peer));
  });

  router.on('GET', '/api/cluster/jobs', ({ res, query }) =>
    sendJson(res, 200, collection(cluster.state.jobs.map(jobView), query)),
  );
  router.on('GET', '/api/cluster/jobs/:uuid', ({ res, params }) => {
    const job = cluster.state.jobs.find((j) => j.uuid === params.uuid);
    if (!job) throw notFound(`job ${params.uuid}`, 'uuid');
    sendJson(res, 200, jobView(job));
  });
}
