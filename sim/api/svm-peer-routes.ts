// /api/svm/peers: SVM peering between this cluster and a peer cluster, as ONTAP does it. The
// initiating cluster POSTs (its record `initiated`, the peer's `pending`); the peer cluster
// accepts by PATCH state `peered`, which both records then show. `name` is the local name of
// the peer SVM: mandatory when a local SVM already has that name (then SnapMirror paths on this
// cluster use it). Both sides share the relationship's uuid. The two clusters talk over the
// inter-cluster link (/sim/replication/svm-peers), so peering fails while the link is down.

import { SVM_PEER_APPLICATIONS } from '../../lambdas/ontap/types';
import type { Cluster } from '../cluster';
import type { SimContext } from '../context';
import { duplicate, invalid, notFound, readJson, sendJson } from '../http';
import { answerWithJob } from '../jobs';
import type { JobAction, PeerRecord, SvmPeerRecord } from '../model';
import { collection, returnTimeout, wantsRecords } from '../query';
import { peerJson } from '../replication/peer-link';
import type { RouteContext, Router } from '../router';
import { bool, list, obj, oneOf, parse, ref, required, str } from '../schema';

const applications = list(oneOf(SVM_PEER_APPLICATIONS));
const createSchema = obj({
  svm: required(ref()),
  peer: required(obj({ svm: required(ref()), cluster: ref() })),
  applications: required(applications),
  name: str(),
  force: bool(),
});
const modifySchema = obj({
  state: oneOf(['peered', 'rejected', 'suspended']),
  name: str(),
  applications,
  force: bool(),
});
const deleteSchema = obj({ force: bool() });
const remoteCreateSchema = obj({
  uuid: required(str()),
  svm: required(str()),
  peerSvm: required(str()),
  peerCluster: required(str()),
  applications: required(list(str())),
});
const remoteStateSchema = obj({ state: required(oneOf(['peered', 'rejected'])) });

interface CreateBody {
  svm: { name?: string; uuid?: string };
  peer: { svm: { name?: string; uuid?: string }; cluster?: { name?: string; uuid?: string } };
  applications: string[];
  name?: string;
  force?: boolean;
}
type ModifyBody = Omit<Extract<JobAction, { kind: 'svm_peer_modify' }>, 'kind' | 'uuid'> & {
  force?: boolean;
};

/** Whether `name` is taken on this cluster by an SVM or by another peer SVM's local name. */
function nameTaken(cluster: Cluster, name: string, except?: string): boolean {
  return (
    cluster.state.svms.some((s) => s.name === name) ||
    cluster.state.svmPeers.some((p) => p.uuid !== except && p.name === name)
  );
}

function clusterPeer(cluster: Cluster, ref: { name?: string; uuid?: string } | undefined): PeerRecord {
  const peer = cluster.state.peers.find((p) => (ref?.uuid ? p.uuid === ref.uuid : p.name === ref?.name));
  if (!peer) throw notFound(`cluster peer ${ref?.name ?? ref?.uuid ?? ''}`.trim(), 'peer.cluster');
  return peer;
}

export function svmPeerView(cluster: Cluster, rec: SvmPeerRecord) {
  const svm = cluster.svmByUuid(rec.svmUuid);
  return {
    uuid: rec.uuid,
    svm: { name: svm.name, uuid: svm.uuid },
    peer: { svm: { name: rec.peerSvm }, cluster: { name: rec.peerCluster } },
    name: rec.name,
    state: rec.state,
    applications: rec.applications,
    _links: { self: { href: `/api/svm/peers/${rec.uuid}` } },
  };
}

/**
 * The peered SVM a SnapMirror source path names on this cluster (by its local name), on
 * `peerCluster` when given; undefined when there is no such peering in state `peered`.
 */
export function peeredSource(
  cluster: Cluster,
  localName: string,
  peerCluster?: string,
): SvmPeerRecord | undefined {
  return cluster.state.svmPeers.find(
    (p) =>
      p.name === localName &&
      p.state === 'peered' &&
      p.applications.includes('snapmirror') &&
      (!peerCluster || p.peerCluster === peerCluster),
  );
}

/** What the svm_peer_* jobs do; idempotent, as every job action (a restart runs it again). */
export async function runSvmPeerAction(
  cluster: Cluster,
  action: Extract<JobAction, { kind: `svm_peer_${string}` }>,
): Promise<void> {
  const s = cluster.state;
  switch (action.kind) {
    case 'svm_peer_create': {
      const rec = action.peer;
      if (s.svmPeers.some((p) => p.uuid === rec.uuid)) return;
      const local = cluster.svmByUuid(rec.svmUuid);
      await peerJson(
        cluster,
        clusterPeer(cluster, { name: rec.peerCluster }),
        'POST',
        '/sim/replication/svm-peers',
        {
          uuid: rec.uuid,
          svm: rec.peerSvm,
          peerSvm: local.name,
          peerCluster: cluster.name,
          applications: rec.applications,
        },
      );
      s.svmPeers.push(rec);
      cluster.save();
      return;
    }
    case 'svm_peer_modify': {
      const rec = s.svmPeers.find((p) => p.uuid === action.uuid);
      if (!rec) throw notFound(`SVM peer ${action.uuid}`, 'uuid');
      if ((action.state === 'peered' || action.state === 'rejected') && rec.state === 'pending') {
        await peerJson(
          cluster,
          clusterPeer(cluster, { name: rec.peerCluster }),
          'POST',
          `/sim/replication/svm-peers/${rec.uuid}/state`,
          { state: action.state },
        );
      }
      if (action.state) rec.state = action.state;
      if (action.name !== undefined) rec.name = action.name;
      if (action.applications) rec.applications = action.applications;
      cluster.save();
      return;
    }
    case 'svm_peer_delete': {
      const rec = s.svmPeers.find((p) => p.uuid === action.uuid);
      if (!rec) return;
      const peer = s.peers.find((p) => p.name === rec.peerCluster);
      if (peer) await peerJson(cluster, peer, 'DELETE', `/sim/replication/svm-peers/${rec.uuid}`);
      s.svmPeers = s.svmPeers.filter((p) => p.uuid !== rec.uuid);
      cluster.save();
      return;
    }
  }
}

export function registerSvmPeerRoutes(router: Router, { cluster, jobs }: SimContext): void {
  const record = (uuid: string): SvmPeerRecord => {
    const rec = cluster.state.svmPeers.find((p) => p.uuid === uuid);
    if (!rec) throw notFound(`SVM peer ${uuid}`, 'uuid');
    return rec;
  };
  const svmRef = (rec: SvmPeerRecord) => {
    const svm = cluster.svmByUuid(rec.svmUuid);
    return { name: svm.name, uuid: svm.uuid };
  };

  router.on('GET', '/api/svm/peers', ({ res, query }) =>
    sendJson(
      res,
      200,
      collection(
        cluster.state.svmPeers.map((p) => svmPeerView(cluster, p)),
        query,
      ),
    ),
  );
  router.on('GET', '/api/svm/peers/:uuid', ({ res, params }) =>
    sendJson(res, 200, svmPeerView(cluster, record(params.uuid))),
  );

  router.on('POST', '/api/svm/peers', async ({ req, res, query }) => {
    const body = parse<CreateBody>(await readJson(req), createSchema);
    const svm = cluster.svm(body.svm, 'svm');
    const peerCluster = clusterPeer(cluster, body.peer.cluster);
    const peerSvm = body.peer.svm.name;
    if (!peerSvm)
      throw invalid(
        'the peer SVM is named by its name: the local cluster cannot resolve a uuid of the peer cluster',
        'peer.svm.name',
      );
    if (body.applications.length === 0) throw invalid('at least one application is required', 'applications');
    if (
      cluster.state.svmPeers.some(
        (p) => p.svmUuid === svm.uuid && p.peerSvm === peerSvm && p.peerCluster === peerCluster.name,
      )
    ) {
      throw duplicate(
        `SVM peer relationship between ${svm.name} and ${peerCluster.name}:${peerSvm}`,
        'peer.svm.name',
      );
    }
    const name = body.name ?? peerSvm;
    if (nameTaken(cluster, name)) {
      throw invalid(
        `the peer SVM name "${name}" is already used on cluster ${cluster.name}; give the peer SVM a local name`,
        'name',
      );
    }
    const rec: SvmPeerRecord = {
      uuid: cluster.newUuid(),
      svmUuid: svm.uuid,
      peerSvm,
      peerCluster: peerCluster.name,
      name,
      state: 'initiated',
      applications: body.applications,
    };
    const job = jobs.submit(
      `POST /api/svm/peers/${rec.uuid}`,
      { kind: 'svm_peer_create', peer: rec },
      { name: svm.name, uuid: svm.uuid },
    );
    await answerWithJob(res, jobs, job, {
      returnTimeout: returnTimeout(query),
      doneStatus: 201,
      records: wantsRecords(query) ? [{ uuid: rec.uuid }] : undefined,
    });
  });

  router.on('PATCH', '/api/svm/peers/:uuid', async ({ req, res, params, query }) => {
    const rec = record(params.uuid);
    const { force: _force, ...body } = parse<ModifyBody>(await readJson(req), modifySchema);
    if (body.state === 'peered' && rec.state === 'initiated')
      throw invalid(`SVM peer ${rec.uuid} is accepted on the peer cluster ${rec.peerCluster}`, 'state');
    if (body.state === 'rejected' && rec.state !== 'pending')
      throw invalid(`only a pending SVM peer request can be rejected; this one is ${rec.state}`, 'state');
    const name = body.name ?? rec.name;
    if (nameTaken(cluster, name, rec.uuid)) {
      throw invalid(
        `the peer SVM name "${name}" is already used on cluster ${cluster.name}; give the peer SVM a local name`,
        'name',
      );
    }
    const job = jobs.submit(
      `PATCH /api/svm/peers/${rec.uuid}`,
      { kind: 'svm_peer_modify', uuid: rec.uuid, ...body },
      svmRef(rec),
    );
    await answerWithJob(res, jobs, job, { returnTimeout: returnTimeout(query), doneStatus: 200 });
  });

  router.on('DELETE', '/api/svm/peers/:uuid', async ({ req, res, params, query }) => {
    const rec = record(params.uuid);
    parse(await readJson(req), deleteSchema);
    const job = jobs.submit(
      `DELETE /api/svm/peers/${rec.uuid}`,
      { kind: 'svm_peer_delete', uuid: rec.uuid },
      svmRef(rec),
    );
    await answerWithJob(res, jobs, job, { returnTimeout: returnTimeout(query), doneStatus: 200 });
  });

  // ---- the peer cluster's side, over the inter-cluster link ----
  const linkUp = ({ res }: RouteContext): boolean => {
    if (cluster.state.link.up) return true;
    res.socket?.destroy();
    return false;
  };
  router.on('POST', '/sim/replication/svm-peers', async (ctx) => {
    if (!linkUp(ctx)) return;
    const body = parse<{
      uuid: string;
      svm: string;
      peerSvm: string;
      peerCluster: string;
      applications: string[];
    }>(await readJson(ctx.req), remoteCreateSchema);
    const svm = cluster.state.svms.find((s) => s.name === body.svm);
    if (!svm) throw notFound(`SVM ${body.svm} on cluster ${cluster.name}`, 'peer.svm.name');
    if (!cluster.state.svmPeers.some((p) => p.uuid === body.uuid)) {
      // The request waits for acceptance under the initiator's SVM name; accepting may rename it.
      cluster.state.svmPeers.push({
        uuid: body.uuid,
        svmUuid: svm.uuid,
        peerSvm: body.peerSvm,
        peerCluster: body.peerCluster,
        name: body.peerSvm,
        state: 'pending',
        applications: body.applications,
      });
      cluster.save();
    }
    sendJson(ctx.res, 200, {});
  });
  router.on('POST', '/sim/replication/svm-peers/:uuid/state', async (ctx) => {
    if (!linkUp(ctx)) return;
    const body = parse<{ state: 'peered' | 'rejected' }>(await readJson(ctx.req), remoteStateSchema);
    const rec = record(ctx.params.uuid);
    rec.state = body.state;
    cluster.save();
    sendJson(ctx.res, 200, {});
  });
  router.on('DELETE', '/sim/replication/svm-peers/:uuid', (ctx) => {
    if (!linkUp(ctx)) return;
    cluster.state.svmPeers = cluster.state.svmPeers.filter((p) => p.uuid !== ctx.params.uuid);
    cluster.save();
    sendJson(ctx.res, 200, {});
  });
}
