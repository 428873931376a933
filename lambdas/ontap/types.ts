// ONTAP REST resources as the client and the simulator both see them: ONTAP's own field
// names and enum values (checked against ONTAP's REST API reference / Trident's models).

export interface Ref {
  name: string;
  uuid?: string;
}

export interface Collection<T> {
  records: T[];
  num_records: number;
}

export interface OntapErrorBody {
  error: { message: string; code: string; target?: string };
}

/** A 202 answer: `{ job: { uuid, _links } }`. */
export interface JobLink {
  job: { uuid: string; _links?: { self: { href: string } } };
}

export const JOB_STATES = ['queued', 'running', 'paused', 'success', 'failure'] as const;
export type JobState = (typeof JOB_STATES)[number];
export interface Job {
  uuid: string;
  description?: string;
  state: JobState;
  message?: string;
  code?: number;
  start_time?: string;
  end_time?: string;
  /** Set by the simulator on jobs that create something: the new resource's uuid. */
  svm?: Ref;
}

export interface ClusterInfo {
  name: string;
  uuid: string;
  version: { full: string; generation: number; major: number; minor: number };
}

export const NODE_STATES = [
  'up',
  'booting',
  'down',
  'taken_over',
  'waiting_for_giveback',
  'degraded',
  'unknown',
] as const;
export type NodeState = (typeof NODE_STATES)[number];
export const NODE_MEMBERSHIPS = ['available', 'joining', 'member'] as const;
export type NodeMembership = (typeof NODE_MEMBERSHIPS)[number];
export const TAKEOVER_STATES = [
  'not_attempted',
  'not_possible',
  'in_progress',
  'in_takeover',
  'failed',
] as const;
export type TakeoverState = (typeof TAKEOVER_STATES)[number];
export interface ClusterNode {
  uuid: string;
  name: string;
  state: NodeState;
  membership: NodeMembership;
  ha: {
    enabled: boolean;
    partners: Ref[];
    takeover: { state: TakeoverState };
  };
}

export const PEER_STATES = ['available', 'partial', 'unavailable', 'pending', 'unidentified'] as const;
export type PeerState = (typeof PEER_STATES)[number];
export interface ClusterPeer {
  uuid: string;
  name: string;
  status: { state: PeerState };
  remote: { name: string; ip_addresses: string[] };
}

export const AGGREGATE_STATES = [
  'online',
  'onlining',
  'offline',
  'offlining',
  'relocating',
  'unmounted',
  'restricted',
  'inconsistent',
  'failed',
  'unknown',
] as const;
export type AggregateState = (typeof AGGREGATE_STATES)[number];
export interface Aggregate {
  uuid: string;
  name: string;
  node: Ref;
  state: AggregateState;
  space: { block_storage: { size: number; available: number; used: number } };
}

export const SVM_STATES = ['starting', 'running', 'stopping', 'stopped', 'deleting', 'initializing'] as const;
export type SvmState = (typeof SVM_STATES)[number];
export const SVM_SUBTYPES = ['default', 'dp_destination', 'sync_source', 'sync_destination'] as const;
export type SvmSubtype = (typeof SVM_SUBTYPES)[number];
export interface Svm {
  uuid: string;
  name: string;
  state: SvmState;
  subtype: SvmSubtype;
  language?: string;
  /** Free text; svm-migrate tags the destination SVM it creates here, so undo deletes only its own. */
  comment?: string;
  aggregates?: Ref[];
  /** Whether NFS is allowed on the SVM (protocol enablement). */
  nfs?: { enabled: boolean; allowed?: boolean };
  ipspace?: Ref;
}

export const SVM_PEER_STATES = [
  'peered',
  'rejected',
  'suspended',
  'initiated',
  'pending',
  'initializing',
] as const;
export type SvmPeerState = (typeof SVM_PEER_STATES)[number];
export const SVM_PEER_APPLICATIONS = ['snapmirror', 'file_copy', 'lun_copy', 'flexcache'] as const;
/** `/api/svm/peers`: one side of an SVM peer relationship; `name` is the peer SVM's local name. */
export interface SvmPeer {
  uuid: string;
  name: string;
  svm: Ref;
  peer: { svm: Ref; cluster: Ref };
  state: SvmPeerState;
  applications: (typeof SVM_PEER_APPLICATIONS)[number][];
}

export interface DnsConfig {
  svm: Ref;
  domains: string[];
  servers: string[];
}

export const NFS_SERVICE_STATES = ['online', 'offline'] as const;
export interface NfsService {
  svm: Ref;
  enabled: boolean;
  state?: (typeof NFS_SERVICE_STATES)[number];
  /** ONTAP's names: `v40_enabled` (there is no `v40_enabled`), `v4_id_domain`, ... */
  protocol: {
    v3_enabled: boolean;
    v40_enabled: boolean;
    v41_enabled: boolean;
    v4_id_domain?: string;
    [field: string]: unknown;
  };
  transport?: { tcp_enabled?: boolean; udp_enabled?: boolean; [field: string]: unknown };
  [field: string]: unknown;
}

export const EXPORT_PROTOCOLS = ['any', 'nfs', 'nfs3', 'nfs4', 'cifs'] as const;
export const EXPORT_AUTH = ['any', 'none', 'never', 'krb5', 'krb5i', 'krb5p', 'ntlm', 'sys'] as const;
export interface ExportRule {
  index?: number;
  clients: { match: string }[];
  protocols: (typeof EXPORT_PROTOCOLS)[number][];
  ro_rule: (typeof EXPORT_AUTH)[number][];
  rw_rule: (typeof EXPORT_AUTH)[number][];
  superuser: (typeof EXPORT_AUTH)[number][];
  anonymous_user?: string;
  allow_device_creation?: boolean;
  allow_suid?: boolean;
  chown_mode?: 'restricted' | 'unrestricted';
  ntfs_unix_security?: 'fail' | 'ignore';
}
export interface ExportPolicy {
  id: number;
  name: string;
  svm: Ref;
  rules: ExportRule[];
}

export const VOLUME_TYPES = ['rw', 'dp', 'ls'] as const;
export type VolumeType = (typeof VOLUME_TYPES)[number];
export const VOLUME_STATES = ['online', 'offline', 'restricted', 'error', 'mixed'] as const;
export type VolumeState = (typeof VOLUME_STATES)[number];
export const VOLUME_STYLES = ['flexvol', 'flexgroup', 'flexgroup_constituent'] as const;
export type VolumeStyle = (typeof VOLUME_STYLES)[number];
export const VOLUME_MOVE_STATES = [
  'aborted',
  'cutover',
  'cutover_wait',
  'cutover_pending',
  'failed',
  'paused',
  'queued',
  'replicating',
  'success',
] as const;
export type VolumeMoveState = (typeof VOLUME_MOVE_STATES)[number];
export interface Volume {
  uuid: string;
  name: string;
  svm: Ref;
  type: VolumeType;
  state: VolumeState;
  size: number;
  aggregates: Ref[];
  /** The SVM's root volume (ONTAP answers it only when `fields` names it). */
  is_svm_root?: boolean;
  language?: string;
  style?: VolumeStyle;
  nas?: { path?: string; export_policy?: { name: string } };
  space?: { size: number; used: number; available: number };
  movement?: { state: VolumeMoveState; percent_complete?: number; destination_aggregate?: Ref };
}

export const SNAPMIRROR_STATES = [
  'broken_off',
  'paused',
  'snapmirrored',
  'uninitialized',
  'in_sync',
  'out_of_sync',
  'synchronizing',
] as const;
export type SnapmirrorState = (typeof SNAPMIRROR_STATES)[number];
export const TRANSFER_STATES = [
  'aborted',
  'failed',
  'hard_aborted',
  'queued',
  'success',
  'transferring',
] as const;
export type TransferState = (typeof TRANSFER_STATES)[number];
export interface SnapmirrorEndpoint {
  /** `svm:volume` */
  path: string;
  svm?: Ref;
  cluster?: Ref;
}
export interface SnapmirrorRelationship {
  uuid: string;
  source: SnapmirrorEndpoint;
  destination: SnapmirrorEndpoint;
  policy?: { name: string };
  state: SnapmirrorState;
  healthy: boolean;
  unhealthy_reason?: { message: string; code?: string }[];
  /** ISO 8601 duration since the last successful transfer's snapshot, e.g. `PT12S`. */
  lag_time?: string;
  /** KB/s, ONTAP's unit for every SnapMirror throttle; 0 is unlimited. */
  throttle?: number;
  transfer?: { uuid: string; state: TransferState; bytes_transferred: number };
}
export interface SnapmirrorTransfer {
  uuid: string;
  relationship: { uuid: string };
  state: TransferState;
  bytes_transferred: number;
  total_bytes?: number;
  checkpoint_size?: number;
  snapshot?: string;
  end_time?: string;
}

export const INTERFACE_STATES = ['up', 'down'] as const;
export type InterfaceState = (typeof INTERFACE_STATES)[number];
export interface IpInterface {
  uuid: string;
  name: string;
  svm: Ref;
  ip: { address: string; netmask: string };
  enabled: boolean;
  state: InterfaceState;
  location: { home_node: Ref; node?: Ref; home_port?: { name: string; node?: Ref } };
  service_policy?: { name: string };
  scope?: 'svm' | 'cluster';
}
