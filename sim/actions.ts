// What asynchronous ONTAP operations do when their job runs. Each action checks again what
// the request checked (the cluster may have changed while the job was queued) and is
// idempotent, because a job interrupted by a restart runs again.
import { setTimeout as delay } from 'node:timers/promises';
import { runSvmPeerAction } from './api/svm-peer-routes';
import type { Cluster } from './cluster';
import { servingNode } from './ha';
import { breakWhileTransferring, busy, duplicate, invalid, mountedVolume, nodeUnhealthy } from './http';
import type { JobAction, NfsRecord, RelationshipRecord } from './model';
import { peerJson } from './replication/peer-link';
import { type Replicator, snapshotPrefix } from './replication/transfer';
import { deepMerge } from './resource';

export function actionRunner(cluster: Cluster, replicator: Replicator) {
  return async (action: JobAction): Promise<void> => {
    switch (action.kind) {
      case 'svm_create':
        return createSvm(cluster, action);
      case 'svm_modify':
        return modifySvm(cluster, action);
      case 'svm_delete':
        return deleteSvm(cluster, action.uuid);
      case 'svm_peer_create':
      case 'svm_peer_modify':
      case 'svm_peer_delete':
        return runSvmPeerAction(cluster, action);
      case 'volume_create': {
        if (cluster.state.volumes.some((v) => v.uuid === action.volume.uuid)) return;
        const { volume } = action;
        if (cluster.state.volumes.some((v) => v.svmUuid === volume.svmUuid && v.name === volume.name))
          throw duplicate(`volume ${volume.name}`, 'name');
        cluster.svmByUuid(volume.svmUuid);
        const aggr = cluster.aggregate({ uuid: volume.aggregateUuid });
        if (!servingNode(cluster.state, aggr.nodeUuid))
          throw nodeUnhealthy(cluster.nodeByUuid(aggr.nodeUuid).name);
        cluster.state.volumes.push(volume);
        cluster.save();
        return;
      }
      case 'volume_modify': {
        const vol = cluster.volume(action.uuid);
        cluster.requireServed(vol);
        if (action.name !== undefined) vol.name = action.name;
        if (action.size !== undefined) vol.size = action.size;
        if (action.state !== undefined) vol.state = action.state;
        if (action.type !== undefined) vol.type = action.type;
        if (action.nas !== undefined) vol.nas = { ...vol.nas, ...action.nas };
        if (action.extra) vol.extra = deepMerge(vol.extra ?? {}, action.extra);
        // `nas.path: ""` unmounts.
        if (vol.nas.path === '') delete vol.nas.path;
        cluster.save();
        return;
      }
      case 'volume_move':
        return moveVolume(cluster, action.uuid, action.aggregateUuid);
      case 'volume_delete': {
        const vol = cluster.state.volumes.find((v) => v.uuid === action.uuid);
        if (!vol) return;
        cluster.requireServed(vol);
        if (vol.nas.path) throw mountedVolume(vol.name);
        if (cluster.state.relationships.some((r) => r.destination.volumeUuid === vol.uuid)) {
          throw busy(
            `volume ${vol.name} is the destination of a SnapMirror relationship; delete the relationship first`,
            'uuid',
          );
        }
        cluster.state.volumes = cluster.state.volumes.filter((v) => v.uuid !== vol.uuid);
        cluster.save();
        return;
      }
      case 'relationship_create':
        await createRelationship(cluster, action.relationship);
        // POST with state snapmirrored creates and initializes in one go, as ONTAP does.
        if (action.initialize) {
          const rel = cluster.state.relationships.find((r) => r.uuid === action.relationship.uuid);
          if (rel && rel.state === 'uninitialized' && !replicator.current(rel) && rel.transfers.length === 0)
            replicator.start(rel);
        }
        return;
      case 'relationship_modify':
        return modifyRelationship(cluster, replicator, action);
      case 'relationship_delete': {
        const rel = cluster.state.relationships.find((r) => r.uuid === action.uuid);
        if (!rel) return;
        const current = replicator.current(rel);
        if (current) replicator.abort(current.uuid, true);
        cluster.state.relationships = cluster.state.relationships.filter((r) => r.uuid !== rel.uuid);
        cluster.save();
        const peer = cluster.state.peers.find((p) => p.name === rel.source.cluster);
        if (peer) {
          await peerJson(cluster, peer, 'POST', '/sim/replication/release', {
            svm: rel.source.svm,
            volume: rel.source.volume,
            prefix: snapshotPrefix(rel),
            keep: '',
          }).catch(() => undefined);
        }
        return;
      }
    }
  };
}

function createSvm(cluster: Cluster, action: Extract<JobAction, { kind: 'svm_create' }>): void {
  const { svm } = action;
  if (cluster.state.svms.some((s) => s.uuid === svm.uuid)) return;
  if (cluster.state.svms.some((s) => s.name === svm.name)) throw duplicate(`SVM ${svm.name}`, 'name');
  cluster.state.svms.push(svm);
  if (action.dns) cluster.state.dns.push({ svmUuid: svm.uuid, ...action.dns });
  if (action.nfsEnabled) cluster.state.nfs.push(newNfsService(svm.uuid, true));
  // Every SVM has a root volume mounted at `/` with the default export policy.
  cluster.state.volumes.push({
    uuid: action.rootVolumeUuid ?? cluster.newUuid(),
    name: `${svm.name.replace(/[^A-Za-z0-9_]/g, '_')}_root`,
    svmUuid: svm.uuid,
    type: 'rw',
    state: 'online',
    size: 1024 ** 3,
    aggregateUuid: cluster.state.aggregates[0].uuid,
    nas: { path: '/', export_policy: { name: 'default' } },
    files: {},
    snapshots: [],
    isSvmRoot: true,
    language: svm.language,
  });
  // ONTAP gives every SVM an export policy named "default".
  cluster.state.exportPolicies.push({
    id: cluster.state.nextPolicyId++,
    name: 'default',
    svmUuid: svm.uuid,
    rules: [],
  });
  cluster.save();
}

function modifySvm(cluster: Cluster, action: Extract<JobAction, { kind: 'svm_modify' }>): void {
  const svm = cluster.svmByUuid(action.uuid);
  if (action.name !== undefined && action.name !== svm.name) {
    if (cluster.state.svms.some((s) => s.name === action.name)) throw duplicate(`SVM ${action.name}`, 'name');
    svm.name = action.name;
  }
  if (action.language !== undefined) svm.language = action.language;
  if (action.comment !== undefined) svm.comment = action.comment;
  if (action.state === 'running') {
    if (svm.subtype === 'dp_destination')
      throw invalid('an SVM of subtype dp_destination cannot be started', 'state');
    svm.state = 'running';
  }
  if (action.state === 'stopped') svm.state = 'stopped';
  cluster.save();
}

function deleteSvm(cluster: Cluster, uuid: string): void {
  const svm = cluster.state.svms.find((s) => s.uuid === uuid);
  if (!svm) return;
  if (cluster.state.volumes.some((v) => v.svmUuid === uuid && !v.isSvmRoot))
    throw busy(`SVM ${svm.name} still has volumes`, 'uuid');
  const s = cluster.state;
  s.svms = s.svms.filter((x) => x.uuid !== uuid);
  s.volumes = s.volumes.filter((x) => x.svmUuid !== uuid);
  s.dns = s.dns.filter((x) => x.svmUuid !== uuid);
  s.nfs = s.nfs.filter((x) => x.svmUuid !== uuid);
  s.exportPolicies = s.exportPolicies.filter((x) => x.svmUuid !== uuid);
  s.interfaces = s.interfaces.filter((x) => x.svmUuid !== uuid);
  if (s.resources) {
    s.resources = Object.fromEntries(
      Object.entries(s.resources).map(([p, rs]) => [
        p,
        rs.filter((r) => (r.svm as { uuid?: string } | undefined)?.uuid !== uuid),
      ]),
    );
  }
  s.svmPeers = s.svmPeers.filter((x) => x.svmUuid !== uuid);
  cluster.save();
}

async function moveVolume(cluster: Cluster, uuid: string, aggregateUuid: string): Promise<void> {
  const vol = cluster.volume(uuid);
  if (vol.aggregateUuid === aggregateUuid) return;
  cluster.requireServed(vol);
  const target = cluster.aggregate({ uuid: aggregateUuid });
  const movement = (state: 'replicating' | 'cutover' | 'success' | 'failed', percent: number) => {
    vol.movement = {
      state,
      percent_complete: percent,
      destination_aggregate: { name: target.name, uuid: target.uuid },
    };
    cluster.save();
  };
  const targetServed = () => {
    if (!servingNode(cluster.state, target.nodeUuid)) {
      movement('failed', vol.movement?.percent_complete ?? 0);
      throw nodeUnhealthy(cluster.nodeByUuid(target.nodeUuid).name);
    }
  };
  targetServed();
  movement('replicating', 0);
  await delay(cluster.settings.movePhaseMs);
  if (!cluster.state.volumes.includes(vol))
    throw invalid(`volume ${vol.name} was deleted during its move`, 'uuid');
  targetServed();
  movement('cutover', 90);
  await delay(cluster.settings.movePhaseMs);
  targetServed();
  vol.aggregateUuid = target.uuid;
  movement('success', 100);
}

async function createRelationship(cluster: Cluster, rel: RelationshipRecord): Promise<void> {
  if (cluster.state.relationships.some((r) => r.uuid === rel.uuid)) return;
  if (cluster.state.relationships.some((r) => r.destination.volumeUuid === rel.destination.volumeUuid)) {
    throw duplicate(`relationship to ${rel.destination.path}`, 'destination.path');
  }
  const peer = cluster.peer(rel.source.cluster);
  // The source volume must exist on the peer: asking it is the inter-cluster link's first use.
  await peerJson(
    cluster,
    peer,
    'GET',
    `/sim/replication/volumes/${encodeURIComponent(rel.source.svm)}/${encodeURIComponent(rel.source.volume)}`,
  );
  cluster.state.relationships.push(rel);
  cluster.save();
}

function modifyRelationship(
  cluster: Cluster,
  replicator: Replicator,
  action: Extract<JobAction, { kind: 'relationship_modify' }>,
): void {
  const rel = cluster.state.relationships.find((r) => r.uuid === action.uuid);
  if (!rel) throw invalid(`relationship ${action.uuid} no longer exists`, 'uuid');
  if (action.throttle !== undefined) {
    rel.throttle = action.throttle;
    replicator.setThrottle(rel);
  }
  const dest = cluster.volume(rel.destination.volumeUuid);
  switch (action.state) {
    case 'snapmirrored':
      delete rel.quiescing;
      if (rel.state === 'paused') {
        // Resume: transfers are allowed again; no transfer starts by itself.
        rel.state = rel.common ? 'snapmirrored' : 'uninitialized';
      } else if (rel.state === 'uninitialized' || rel.state === 'broken_off') {
        // Initialize, or resync: the destination goes back to the last common snapshot.
        cluster.requireServed(dest);
        if (!replicator.current(rel)) {
          dest.type = 'dp';
          replicator.start(rel);
        }
      }
      break;
    case 'paused':
      // Quiesce lets a running transfer end first: the state shows paused only then.
      if (rel.state === 'broken_off') break;
      if (replicator.current(rel)) rel.quiescing = true;
      else rel.state = 'paused';
      break;
    case 'broken_off':
      if (replicator.current(rel))
        throw breakWhileTransferring(`another transfer is in progress on relationship ${rel.uuid}`);
      cluster.requireServed(dest);
      rel.state = 'broken_off';
      dest.type = 'rw';
      break;
  }
  cluster.save();
}

/** ONTAP's defaults for a new NFS service, with the body's fields over them. */
export function newNfsService(
  svmUuid: string,
  enabled: boolean,
  settings: Record<string, unknown> = {},
): NfsRecord {
  const defaults = {
    protocol: {
      v3_enabled: true,
      v40_enabled: false,
      v41_enabled: false,
      v4_id_domain: 'defaultv4iddomain.com',
      v3_64bit_identifiers_enabled: false,
      v4_64bit_identifiers_enabled: true,
      v40_features: { acl_enabled: false, read_delegation_enabled: false, write_delegation_enabled: false },
      v41_features: {
        acl_enabled: false,
        read_delegation_enabled: false,
        write_delegation_enabled: false,
        pnfs_enabled: false,
      },
    },
    transport: { tcp_enabled: true, udp_enabled: true, rdma_enabled: false, tcp_max_transfer_size: 65536 },
    vstorage_enabled: false,
    rquota_enabled: false,
    showmount_enabled: true,
    auth_sys_extended_groups_enabled: false,
    extended_groups_limit: 32,
    root: { ignore_nt_acl: false, skip_write_permission_check: false },
    security: {
      chown_mode: 'use_export_policy',
      nt_acl_display_permission: false,
      ntfs_unix_security: 'use_export_policy',
      permitted_encryption_types: ['des', 'des3', 'aes_128', 'aes_256'],
      rpcsec_context_idle: 0,
    },
    windows: { default_user: '', map_unknown_uid_to_default_user: true, v3_ms_dos_client_enabled: false },
  };
  return { svmUuid, enabled, settings: deepMerge(defaults, settings) };
}
