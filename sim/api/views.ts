// ONTAP's shapes (lambdas/ontap/types.ts) computed from the stored records: states that
// depend on node health, links and sizes are derived here, never stored twice.
import type {
  Aggregate, ClusterNode, DnsConfig, ExportPolicy, IpInterface, NfsService, SnapmirrorRelationship, SnapmirrorTransfer, Svm, Volume,
} from '../../lambdas/ontap/types';
import type { Cluster } from '../cluster';
import { nodeState, servingNode, takeoverState } from '../ha';
import type { AggregateRecord, ExportPolicyRecord, InterfaceRecord, NodeRecord, RelationshipRecord, SvmRecord, TransferRecord, VolumeRecord } from '../model';

const link = (href: string) => ({ _links: { self: { href } } });
const svmRef = (svm: SvmRecord) => ({ name: svm.name, uuid: svm.uuid });
const svmRefOf = (cluster: Cluster, uuid: string) => svmRef(cluster.svmByUuid(uuid));
const nodeRef = (node: NodeRecord) => ({ name: node.name, uuid: node.uuid });

export function nodeView(cluster: Cluster, node: NodeRecord): ClusterNode {
  const partner = cluster.nodeByUuid(node.partnerUuid);
  return {
    uuid: node.uuid,
    name: node.name,
    state: nodeState(node),
    membership: 'member',
    ha: { enabled: true, partners: [nodeRef(partner)], takeover: { state: takeoverState(cluster.state, node) } },
    ...link(`/api/cluster/nodes/${node.uuid}`),
  };
}

export function aggregateView(cluster: Cluster, aggr: AggregateRecord): Aggregate {
  const used = cluster.state.volumes.filter((v) => v.aggregateUuid === aggr.uuid).reduce((sum, v) => sum + v.size, 0);
  return {
    uuid: aggr.uuid,
    name: aggr.name,
    node: nodeRef(cluster.nodeByUuid(aggr.nodeUuid)),
    state: servingNode(cluster.state, aggr.nodeUuid) ? 'online' : 'unknown',
    space: { block_storage: { size: aggr.size, used, available: Math.max(0, aggr.size - used) } },
    ...link(`/api/storage/aggregates/${aggr.uuid}`),
  };
}

export function svmView(cluster: Cluster, svm: SvmRecord): Svm {
  const nfs = cluster.state.nfs.find((n) => n.svmUuid === svm.uuid);
  return {
    uuid: svm.uuid,
    name: svm.name,
    state: svm.state,
    subtype: svm.subtype,
    language: svm.language,
    aggregates: cluster.state.aggregates.map((a) => ({ name: a.name, uuid: a.uuid })),
    nfs: { enabled: nfs?.enabled ?? false },
    ...(svm.comment !== undefined && { comment: svm.comment }),
    ...link(`/api/svm/svms/${svm.uuid}`),
  };
}

export function dnsView(cluster: Cluster, rec: { svmUuid: string; domains: string[]; servers: string[] }): DnsConfig {
  return { svm: svmRefOf(cluster, rec.svmUuid), domains: rec.domains, servers: rec.servers, ...link(`/api/name-services/dns/${rec.svmUuid}`) };
}

export function nfsView(cluster: Cluster, rec: { svmUuid: string; enabled: boolean; protocol: NfsService['protocol'] }): NfsService {
  const svm = cluster.svmByUuid(rec.svmUuid);
  return {
    svm: svmRef(svm),
    enabled: rec.enabled,
    state: rec.enabled && svm.state === 'running' ? 'online' : 'offline',
    protocol: rec.protocol,
    ...link(`/api/protocols/nfs/services/${rec.svmUuid}`),
  };
}

export function policyView(cluster: Cluster, policy: ExportPolicyRecord): ExportPolicy {
  return { id: policy.id, name: policy.name, svm: svmRefOf(cluster, policy.svmUuid), rules: policy.rules, ...link(`/api/protocols/nfs/export-policies/${policy.id}`) };
}

export function volumeView(cluster: Cluster, vol: VolumeRecord): Volume {
  const aggr = cluster.state.aggregates.find((a) => a.uuid === vol.aggregateUuid);
  const used = Object.values(vol.files).reduce((sum, f) => sum + f.size, 0);
  return {
    uuid: vol.uuid,
    name: vol.name,
    svm: svmRefOf(cluster, vol.svmUuid),
    type: vol.type,
    // Nobody can serve the volume while its node is down and not yet taken over.
    state: cluster.volumeServer(vol) ? vol.state : 'offline',
    size: vol.size,
    aggregates: aggr ? [{ name: aggr.name, uuid: aggr.uuid }] : [],
    is_svm_root: vol.isSvmRoot === true,
    language: vol.language ?? cluster.svmByUuid(vol.svmUuid).language,
    style: vol.style ?? 'flexvol',
    nas: vol.nas,
    space: { size: vol.size, used, available: Math.max(0, vol.size - used) },
    ...(vol.movement && { movement: vol.movement }),
    ...link(`/api/storage/volumes/${vol.uuid}`),
  };
}

export function interfaceView(cluster: Cluster, lif: InterfaceRecord): IpInterface {
  const home = cluster.nodeByUuid(lif.homeNodeUuid);
  const current = servingNode(cluster.state, lif.homeNodeUuid);
  return {
    uuid: lif.uuid,
    name: lif.name,
    svm: svmRefOf(cluster, lif.svmUuid),
    ip: { address: lif.address, netmask: lif.netmask },
    enabled: lif.enabled,
    state: cluster.interfaceUp(lif) ? 'up' : 'down',
    location: {
      home_node: nodeRef(home),
      ...(current && { node: nodeRef(current) }),
      home_port: { name: lif.homePort ?? 'e0d', node: nodeRef(home) },
    },
    ...(lif.servicePolicy && { service_policy: { name: lif.servicePolicy } }),
    scope: 'svm',
    ...link(`/api/network/ip/interfaces/${lif.uuid}`),
  };
}

/** ISO 8601 duration, as ONTAP writes lag_time: `PT1H2M3S`. */
export function isoDuration(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s || (!h && !m) ? `${s}S` : ''}`;
}

export function transferView(t: TransferRecord): SnapmirrorTransfer {
  return {
    uuid: t.uuid,
    relationship: { uuid: t.relationshipUuid },
    state: t.state,
    bytes_transferred: t.bytes_transferred,
    ...(t.total_bytes !== undefined && { total_bytes: t.total_bytes }),
    checkpoint_size: t.checkpoint?.bytes ?? 0,
    snapshot: t.snapshot,
    ...(t.end_time && { end_time: t.end_time }),
    ...(t.error && { error_info: { code: Number(t.error.code), message: t.error.message } }),
    ...link(`/api/snapmirror/relationships/${t.relationshipUuid}/transfers/${t.uuid}`),
  };
}

export function relationshipView(cluster: Cluster, rel: RelationshipRecord): SnapmirrorRelationship {
  const destSvm = cluster.state.svms.find((s) => s.uuid === rel.destination.svmUuid);
  const last = rel.transfers.at(-1);
  return {
    uuid: rel.uuid,
    source: { path: rel.source.path, svm: { name: rel.source.path.slice(0, rel.source.path.indexOf(':')) }, cluster: { name: rel.source.cluster } },
    destination: { path: rel.destination.path, ...(destSvm && { svm: svmRef(destSvm) }), cluster: { name: cluster.name } },
    policy: { name: rel.policy },
    state: rel.state,
    healthy: rel.healthy,
    ...(rel.unhealthyReason && { unhealthy_reason: [rel.unhealthyReason] }),
    ...(rel.common && { lag_time: isoDuration(Date.now() - Date.parse(rel.common.create_time)) }),
    throttle: rel.throttle,
    ...(last && { transfer: { uuid: last.uuid, state: last.state, bytes_transferred: last.bytes_transferred } }),
    ...link(`/api/snapmirror/relationships/${rel.uuid}`),
  };
}
