// ONTAP's shapes (lambdas/ontap/types.ts) computed from the stored records: states that
// depend on node health, links and sizes are derived here, never stored twice.

import * as crypto from 'node:crypto';
import type {
  Aggregate,
  ClusterNode,
  DnsConfig,
  ExportPolicy,
  IpInterface,
  NfsService,
  SnapmirrorRelationship,
  SnapmirrorTransfer,
  Svm,
  Volume,
} from '../../lambdas/ontap/types';
import type { Cluster } from '../cluster';
import { nodeState, servingNode, takeoverState } from '../ha';
import type {
  AggregateRecord,
  ExportPolicyRecord,
  InterfaceRecord,
  NfsRecord,
  NodeRecord,
  RelationshipRecord,
  SvmRecord,
  TransferRecord,
  VolumeRecord,
} from '../model';
import { deepMerge } from '../resource';

export const IPSPACE_DEFAULT = 'Default';
/** The cluster's `Default` IPspace, with a uuid stable for the cluster. */
export function defaultIpspace(cluster: Cluster): { name: string; uuid: string } {
  const h = crypto.createHash('sha256').update(`ipspace:${cluster.state.cluster.uuid}`).digest('hex');
  return {
    name: IPSPACE_DEFAULT,
    uuid: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`,
  };
}

/** An IPv4 netmask as ONTAP answers it: its length (`255.255.255.0` -> `24`). */
export function netmaskLength(netmask: string): string {
  if (/^\d{1,2}$/.test(netmask)) return netmask;
  const bits = netmask
    .split('.')
    .map((o) => Number(o).toString(2).padStart(8, '0'))
    .join('');
  return String(bits.indexOf('0') < 0 ? 32 : bits.indexOf('0'));
}

const link = (href: string) => ({ _links: { self: { href } } });
const svmRef = (svm: SvmRecord) => ({ name: svm.name, uuid: svm.uuid });
export const svmRefOf = (cluster: Cluster, uuid: string) => svmRef(cluster.svmByUuid(uuid));
const nodeRef = (node: NodeRecord) => ({ name: node.name, uuid: node.uuid });

export function nodeView(cluster: Cluster, node: NodeRecord): ClusterNode {
  const partner = cluster.nodeByUuid(node.partnerUuid);
  return {
    uuid: node.uuid,
    name: node.name,
    state: nodeState(node),
    membership: 'member',
    ha: {
      enabled: true,
      partners: [nodeRef(partner)],
      takeover: { state: takeoverState(cluster.state, node) },
    },
    ...link(`/api/cluster/nodes/${node.uuid}`),
  };
}

export function aggregateView(cluster: Cluster, aggr: AggregateRecord): Aggregate {
  const used = cluster.state.volumes
    .filter((v) => v.aggregateUuid === aggr.uuid)
    .reduce((sum, v) => sum + v.size, 0);
  return {
    uuid: aggr.uuid,
    name: aggr.name,
    node: nodeRef(cluster.nodeByUuid(aggr.nodeUuid)),
    state: servingNode(cluster.state, aggr.nodeUuid) ? 'online' : 'unknown',
    space: { block_storage: { size: aggr.size, used, available: Math.max(0, aggr.size - used) } },
    ...link(`/api/storage/aggregates/${aggr.uuid}`),
  };
}

const PROTOCOL_DEFAULTS = { allowed: true, enabled: false };
const NSSWITCH_DEFAULTS = {
  hosts: ['files', 'dns'],
  group: ['files'],
  passwd: ['files'],
  netgroup: ['files'],
  namemap: ['files'],
};

export function svmView(cluster: Cluster, svm: SvmRecord): Svm {
  const nfs = cluster.state.nfs.find((n) => n.svmUuid === svm.uuid);
  const defaults = {
    cifs: PROTOCOL_DEFAULTS,
    iscsi: PROTOCOL_DEFAULTS,
    fcp: PROTOCOL_DEFAULTS,
    nvme: PROTOCOL_DEFAULTS,
    s3: PROTOCOL_DEFAULTS,
    ndmp: { allowed: true },
    snapshot_policy: { name: 'default' },
    nsswitch: NSSWITCH_DEFAULTS,
    max_volumes: 'unlimited',
  };
  return deepMerge(deepMerge(defaults, svm.extra), {
    uuid: svm.uuid,
    name: svm.name,
    state: svm.state,
    subtype: svm.subtype,
    language: svm.language,
    ipspace: defaultIpspace(cluster),
    aggregates: cluster.state.aggregates.map((a) => ({ name: a.name, uuid: a.uuid })),
    nfs: { enabled: nfs?.enabled ?? false, allowed: true },
    ...(svm.comment !== undefined && { comment: svm.comment }),
    ...link(`/api/svm/svms/${svm.uuid}`),
  }) as Svm;
}

export function dnsView(
  cluster: Cluster,
  rec: { svmUuid: string; domains: string[]; servers: string[]; extra?: Record<string, unknown> },
): DnsConfig {
  // skip_config_validation is write-only in ONTAP.
  const { skip_config_validation: _writeOnly, ...extra } = rec.extra ?? {};
  const defaults = {
    timeout: 2,
    attempts: 1,
    dynamic_dns: { enabled: false, use_secure: false },
    scope: 'svm',
  };
  return deepMerge(deepMerge(defaults, extra), {
    svm: svmRefOf(cluster, rec.svmUuid),
    domains: rec.domains,
    servers: rec.servers,
    ...link(`/api/name-services/dns/${rec.svmUuid}`),
  }) as DnsConfig;
}

export function nfsView(cluster: Cluster, rec: NfsRecord): NfsService {
  const svm = cluster.svmByUuid(rec.svmUuid);
  return {
    ...rec.settings,
    svm: svmRef(svm),
    enabled: rec.enabled,
    state: rec.enabled && svm.state === 'running' ? 'online' : 'offline',
    ...link(`/api/protocols/nfs/services/${rec.svmUuid}`),
  } as unknown as NfsService;
}

export function policyView(cluster: Cluster, policy: ExportPolicyRecord): ExportPolicy {
  return {
    id: policy.id,
    name: policy.name,
    svm: svmRefOf(cluster, policy.svmUuid),
    rules: policy.rules,
    ...link(`/api/protocols/nfs/export-policies/${policy.id}`),
  };
}

export function volumeView(cluster: Cluster, vol: VolumeRecord): Volume {
  const aggr = cluster.state.aggregates.find((a) => a.uuid === vol.aggregateUuid);
  const used = Object.values(vol.files).reduce((sum, f) => sum + f.size, 0);
  const svm = cluster.svmByUuid(vol.svmUuid);
  const defaults = {
    style: 'flexvol',
    comment: '',
    nas: { security_style: 'unix', uid: 0, gid: 0, unix_permissions: 755 },
    snapshot_policy: { name: 'default' },
    guarantee: { type: 'volume' },
    tiering: { policy: 'none' },
    encryption: { enabled: false },
    efficiency: { compression: 'none', dedupe: 'none' },
    space: { snapshot: { reserve_percent: 5 }, logical_space: { enforcement: false, reporting: false } },
    snaplock: { type: 'non_snaplock' },
    files: { maximum: 31122 },
    quota: { enabled: false, state: 'off' },
    autosize: { mode: 'off' },
    snapmirror: {
      is_protected: cluster.state.relationships.some((r) => r.destination.volumeUuid === vol.uuid),
    },
  };
  return deepMerge(deepMerge(defaults, vol.extra), {
    uuid: vol.uuid,
    name: vol.name,
    svm: svmRef(svm),
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
  }) as Volume;
}

export function interfaceView(cluster: Cluster, lif: InterfaceRecord): IpInterface {
  const home = cluster.nodeByUuid(lif.homeNodeUuid);
  const current = servingNode(cluster.state, lif.homeNodeUuid);
  const defaults = { location: { auto_revert: false, failover: 'default' }, ddns_enabled: true };
  return deepMerge(deepMerge(defaults, lif.extra), {
    uuid: lif.uuid,
    name: lif.name,
    svm: svmRefOf(cluster, lif.svmUuid),
    ip: { address: lif.address, netmask: netmaskLength(lif.netmask), family: 'ipv4' },
    ipspace: defaultIpspace(cluster),
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
  }) as IpInterface;
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
    source: {
      path: rel.source.path,
      svm: { name: rel.source.path.slice(0, rel.source.path.indexOf(':')) },
      cluster: { name: rel.source.cluster },
    },
    destination: {
      path: rel.destination.path,
      ...(destSvm && { svm: svmRef(destSvm) }),
      cluster: { name: cluster.name },
    },
    policy: { name: rel.policy },
    state: rel.state,
    healthy: rel.healthy,
    ...(rel.unhealthyReason && { unhealthy_reason: [rel.unhealthyReason] }),
    ...(rel.common && { lag_time: isoDuration(Date.now() - Date.parse(rel.common.create_time)) }),
    throttle: rel.throttle,
    ...(last && {
      transfer: { uuid: last.uuid, state: last.state, bytes_transferred: last.bytes_transferred },
    }),
    ...link(`/api/snapmirror/relationships/${rel.uuid}`),
  };
}
