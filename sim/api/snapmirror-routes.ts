// /api/snapmirror/relationships and their transfers, managed on the destination cluster as
// in ONTAP. PATCH state: snapmirrored = initialize/resync/resume, paused = quiesce,
// broken_off = break. POST .../transfers = update; PATCH a transfer's state = abort.
import * as crypto from 'node:crypto';
import type { SimContext } from '../context';
import { breakWhileTransferring, duplicate, invalid, notFound, readJson, sendJson } from '../http';
import { answerWithJob } from '../jobs';
import type { RelationshipRecord } from '../model';
import { collection, returnTimeout, wantsRecords } from '../query';
import type { Router } from '../router';
import { int, obj, oneOf, parse, ref, required, str } from '../schema';
import { peeredSource } from './svm-peer-routes';
import { relationshipView, transferView } from './views';

const endpoint = obj({ path: required(str()), cluster: ref(), svm: ref() });
const createSchema = obj({
  source: required(endpoint),
  destination: required(endpoint),
  policy: ref(),
  state: oneOf(['snapmirrored', 'uninitialized']),
  throttle: int(0),
});
const modifySchema = obj({ state: oneOf(['snapmirrored', 'paused', 'broken_off']), throttle: int(0) });
const transferCreateSchema = obj({});
const transferModifySchema = obj({ state: required(oneOf(['aborted', 'hard_aborted'])) });

type Endpoint = { path: string; cluster?: { name?: string }; svm?: { name?: string } };
interface CreateBody {
  source: Endpoint;
  destination: Endpoint;
  policy?: { name?: string };
  state?: 'snapmirrored' | 'uninitialized';
  throttle?: number;
}

/**
 * ONTAP's built-in cluster-scoped SnapMirror policies (netapp_ontap SnapmirrorPolicy: name, type
 * async|sync|continuous, sync_type, scope, throttle in KB/s). `Asynchronous` is the default of a
 * new relationship and replicates labelled snapshots only; `MirrorAllSnapshots` every snapshot.
 */
const POLICIES = [
  {
    name: 'Asynchronous',
    type: 'async',
    comment:
      'A unified Asynchronous SnapMirror and SnapVault policy for mirroring the latest active file system and daily and weekly Snapshot copies',
  },
  {
    name: 'MirrorAllSnapshots',
    type: 'async',
    comment:
      'Asynchronous SnapMirror policy for mirroring all Snapshot copies and the latest active file system.',
  },
  {
    name: 'MirrorAllSnapshotsDiscardNetwork',
    type: 'async',
    comment:
      'Asynchronous SnapMirror policy for mirroring all Snapshot copies and the latest active file system excluding the network configurations.',
  },
  {
    name: 'MirrorAndVault',
    type: 'async',
    comment:
      'A unified Asynchronous SnapMirror and SnapVault policy for mirroring the latest active file system and daily and weekly Snapshot copies.',
  },
  {
    name: 'MirrorLatest',
    type: 'async',
    comment: 'Asynchronous SnapMirror policy for mirroring the latest active file system.',
  },
  {
    name: 'Sync',
    type: 'sync',
    sync_type: 'sync',
    comment: 'Policy for SnapMirror Synchronous for Business Continuity.',
  },
  {
    name: 'StrictSync',
    type: 'sync',
    sync_type: 'strict_sync',
    comment: 'Policy for SnapMirror Synchronous with zero RPO guarantee.',
  },
] as const;
export const DEFAULT_POLICY = 'Asynchronous';

function policyViews(clusterUuid: string) {
  return POLICIES.map((p) => {
    // A stable uuid per cluster and policy, as a real cluster's built-in policies keep theirs.
    const h = crypto.createHash('sha256').update(`${clusterUuid}/${p.name}`).digest('hex');
    const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
    return {
      uuid,
      ...p,
      scope: 'cluster',
      throttle: 0,
      _links: { self: { href: `/api/snapmirror/policies/${uuid}` } },
    };
  });
}

function splitPath(path: string, target: string): { svm: string; volume: string } {
  const m = /^([^:/]+):([^:/]+)$/.exec(path);
  if (!m) throw invalid(`"${path}" is not a volume path of the form svm:volume`, target);
  return { svm: m[1], volume: m[2] };
}

export function registerSnapmirrorRoutes(router: Router, { cluster, jobs, replicator }: SimContext): void {
  const relationship = (uuid: string): RelationshipRecord => {
    const rel = cluster.state.relationships.find((r) => r.uuid === uuid);
    if (!rel) throw notFound(`SnapMirror relationship ${uuid}`, 'uuid');
    return rel;
  };
  const destinationVolume = (rel: RelationshipRecord) => cluster.volume(rel.destination.volumeUuid);

  router.on('GET', '/api/snapmirror/policies', ({ res, query }) =>
    sendJson(res, 200, collection(policyViews(cluster.state.cluster.uuid), query)),
  );
  router.on('GET', '/api/snapmirror/policies/:uuid', ({ res, params }) => {
    const policy = policyViews(cluster.state.cluster.uuid).find((p) => p.uuid === params.uuid);
    if (!policy) throw notFound(`SnapMirror policy ${params.uuid}`, 'uuid');
    sendJson(res, 200, policy);
  });

  router.on('GET', '/api/snapmirror/relationships', ({ res, query }) =>
    sendJson(
      res,
      200,
      collection(
        cluster.state.relationships.map((r) => relationshipView(cluster, r)),
        query,
      ),
    ),
  );
  router.on('GET', '/api/snapmirror/relationships/:uuid', ({ res, params }) =>
    sendJson(res, 200, relationshipView(cluster, relationship(params.uuid))),
  );

  router.on('POST', '/api/snapmirror/relationships', async ({ req, res, query }) => {
    const body = parse<CreateBody>(await readJson(req), createSchema);
    const src = splitPath(body.source.path, 'source.path');
    const dst = splitPath(body.destination.path, 'destination.path');
    const dest = cluster.volumeByName(dst.svm, dst.volume, 'destination.path');
    if (dest.type !== 'dp')
      throw invalid(`destination volume ${body.destination.path} must be of type dp`, 'destination.path');
    if (cluster.state.relationships.some((r) => r.destination.volumeUuid === dest.uuid))
      throw duplicate(`relationship to ${body.destination.path}`, 'destination.path');
    cluster.requireServed(dest);
    const policy = body.policy?.name ?? DEFAULT_POLICY;
    if (!POLICIES.some((p) => p.name === policy))
      throw notFound(`SnapMirror policy "${policy}"`, 'policy.name');
    if (POLICIES.some((p) => p.name === policy && p.type !== 'async'))
      throw invalid(
        `policy "${policy}" is synchronous; this cluster replicates asynchronously only`,
        'policy.name',
      );
    const peer = cluster.peer(body.source.cluster?.name);
    // The source path names the source SVM by its local name on this cluster: SVM peering first.
    const peering = peeredSource(cluster, src.svm, peer.name);
    if (!peering || peering.svmUuid !== dest.svmUuid) {
      throw notFound(
        `Vserver peer relationship does not exist between "${dst.svm}" and "${src.svm}" on cluster ${peer.name}`,
        'source.path',
      );
    }
    const rel: RelationshipRecord = {
      uuid: cluster.newUuid(),
      source: { path: body.source.path, svm: peering.peerSvm, volume: src.volume, cluster: peer.name },
      destination: { path: body.destination.path, svmUuid: dest.svmUuid, volumeUuid: dest.uuid },
      policy,
      state: 'uninitialized',
      healthy: true,
      throttle: body.throttle ?? 0,
      transferSeq: 0,
      transfers: [],
    };
    const svm = cluster.svmByUuid(dest.svmUuid);
    const job = jobs.submit(
      `POST /api/snapmirror/relationships/${rel.uuid}`,
      { kind: 'relationship_create', relationship: rel, initialize: body.state === 'snapmirrored' },
      { name: svm.name, uuid: svm.uuid },
    );
    await answerWithJob(res, jobs, job, {
      returnTimeout: returnTimeout(query),
      doneStatus: 201,
      records: wantsRecords(query) ? [{ uuid: rel.uuid }] : undefined,
    });
  });

  router.on('PATCH', '/api/snapmirror/relationships/:uuid', async ({ req, res, params, query }) => {
    const rel = relationship(params.uuid);
    const body = parse<{ state?: 'snapmirrored' | 'paused' | 'broken_off'; throttle?: number }>(
      await readJson(req),
      modifySchema,
    );
    if (body.state === 'broken_off' && replicator.current(rel))
      throw breakWhileTransferring(`another transfer is in progress on relationship ${rel.uuid}`);
    if (body.state === 'snapmirrored' || body.state === 'broken_off')
      cluster.requireServed(destinationVolume(rel));
    const svm = cluster.svmByUuid(rel.destination.svmUuid);
    const job = jobs.submit(
      `PATCH /api/snapmirror/relationships/${rel.uuid}`,
      { kind: 'relationship_modify', uuid: rel.uuid, ...body },
      { name: svm.name, uuid: svm.uuid },
    );
    await answerWithJob(res, jobs, job, { returnTimeout: returnTimeout(query), doneStatus: 200 });
  });

  router.on('DELETE', '/api/snapmirror/relationships/:uuid', async ({ res, params, query }) => {
    const rel = relationship(params.uuid);
    const svm = cluster.svmByUuid(rel.destination.svmUuid);
    const job = jobs.submit(
      `DELETE /api/snapmirror/relationships/${rel.uuid}`,
      { kind: 'relationship_delete', uuid: rel.uuid },
      { name: svm.name, uuid: svm.uuid },
    );
    await answerWithJob(res, jobs, job, { returnTimeout: returnTimeout(query), doneStatus: 200 });
  });

  // ---- transfers ----
  const transferOf = (rel: RelationshipRecord, uuid: string) => {
    const t = rel.transfers.find((x) => x.uuid === uuid);
    if (!t) throw notFound(`transfer ${uuid}`, 'uuid');
    return t;
  };
  router.on('GET', '/api/snapmirror/relationships/:uuid/transfers', ({ res, params, query }) =>
    sendJson(res, 200, collection(relationship(params.uuid).transfers.map(transferView), query)),
  );
  router.on('GET', '/api/snapmirror/relationships/:uuid/transfers/:transfer', ({ res, params }) =>
    sendJson(res, 200, transferView(transferOf(relationship(params.uuid), params.transfer))),
  );

  router.on('POST', '/api/snapmirror/relationships/:uuid/transfers', async ({ req, res, params, query }) => {
    const rel = relationship(params.uuid);
    parse(await readJson(req), transferCreateSchema);
    if (rel.state === 'paused' || rel.quiescing)
      throw invalid(`relationship ${rel.uuid} is quiesced; resume it first`, 'state');
    if (rel.state === 'broken_off')
      throw invalid(`relationship ${rel.uuid} is broken off; resync it first`, 'state');
    cluster.requireServed(destinationVolume(rel));
    const t = replicator.start(rel);
    const location = `/api/snapmirror/relationships/${rel.uuid}/transfers/${t.uuid}`;
    sendJson(res, 201, wantsRecords(query) ? { num_records: 1, records: [transferView(t)] } : {}, {
      location,
    });
  });

  router.on(
    'PATCH',
    '/api/snapmirror/relationships/:uuid/transfers/:transfer',
    async ({ req, res, params }) => {
      const rel = relationship(params.uuid);
      const t = transferOf(rel, params.transfer);
      const body = parse<{ state: 'aborted' | 'hard_aborted' }>(await readJson(req), transferModifySchema);
      replicator.abort(t.uuid, body.state === 'hard_aborted');
      sendJson(res, 200, {});
    },
  );
}
