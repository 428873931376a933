// The simulated cluster's persistent state: what a cluster holds, in the shape it is stored
// in `state.json`. API answers are views over these records (see api/*.ts).
import type {
  ExportRule,
  JobState,
  SnapmirrorState,
  SvmPeerState,
  SvmState,
  SvmSubtype,
  TransferState,
  VolumeMoveState,
  VolumeType,
} from '../lambdas/ontap/types';

export interface FileEntry {
  /** sha256 of the content: the blob's name in the blob store. */
  hash: string;
  size: number;
}
/** File path inside the volume -> content. */
export type Manifest = Record<string, FileEntry>;

export interface SnapshotRecord {
  uuid: string;
  name: string;
  create_time: string;
  manifest: Manifest;
}

export interface NodeRecord {
  uuid: string;
  name: string;
  partnerUuid: string;
  /** The node is down (fault injected); its partner takes over after a delay. */
  down: boolean;
  takenOver: boolean;
}

export interface AggregateRecord {
  uuid: string;
  name: string;
  nodeUuid: string;
  size: number;
}

export interface SvmRecord {
  uuid: string;
  name: string;
  state: SvmState;
  subtype: SvmSubtype;
  language: string;
  comment?: string;
  /** The IPspace's name (ONTAP's `Default` when not given). */
  ipspace?: string;
  /** Fields ONTAP accepts that the simulator only stores and answers back. */
  extra?: Record<string, unknown>;
}

export interface DnsRecord {
  svmUuid: string;
  domains: string[];
  servers: string[];
  extra?: Record<string, unknown>;
}

export interface NfsRecord {
  svmUuid: string;
  enabled: boolean;
  /** Every other field of ONTAP's NFS service (`protocol.*`, `transport.*`, ...), nested as answered. */
  settings: Record<string, unknown>;
}

export interface ExportPolicyRecord {
  id: number;
  name: string;
  svmUuid: string;
  rules: ExportRule[];
}

export interface VolumeRecord {
  uuid: string;
  name: string;
  svmUuid: string;
  type: VolumeType;
  /** The administrative state; the reported state also depends on node health. */
  state: 'online' | 'offline' | 'restricted';
  size: number;
  aggregateUuid: string;
  /** The volume's language; the SVM's when absent. */
  language?: string;
  /** `flexvol` when absent. A FlexGroup is one record here (its constituents are not modelled). */
  style?: 'flexvol' | 'flexgroup';
  nas: { path?: string; export_policy?: { name: string } };
  files: Manifest;
  snapshots: SnapshotRecord[];
  /** The SVM's root volume (junction `/`), created with the SVM. */
  isSvmRoot?: boolean;
  extra?: Record<string, unknown>;
  movement?: {
    state: VolumeMoveState;
    percent_complete: number;
    destination_aggregate: { name: string; uuid: string };
  };
}

export interface InterfaceRecord {
  uuid: string;
  name: string;
  svmUuid: string;
  address: string;
  netmask: string;
  enabled: boolean;
  homeNodeUuid: string;
  homePort?: string;
  servicePolicy?: string;
  extra?: Record<string, unknown>;
}

export interface PeerRecord {
  uuid: string;
  name: string;
  /** The peer's API base URL: the inter-cluster link goes there. */
  baseUrl: string;
  username: string;
  password: string;
  /** The peer's CA (PEM), when its API is served over HTTPS. */
  ca?: string;
}

/**
 * One side of an SVM peer relationship (`/api/svm/peers`); both sides share the uuid. `name` is
 * the local name of the peer SVM: its own name, or an alias when a local SVM has that name.
 */
export interface SvmPeerRecord {
  uuid: string;
  svmUuid: string;
  peerSvm: string;
  peerCluster: string;
  name: string;
  state: SvmPeerState;
  applications: string[];
}

export interface TransferCheckpoint {
  /** The blobs the destination needs, in pull order. */
  needed: FileEntry[];
  /** needed[0..index) are complete and durable. */
  index: number;
  /** Durable bytes of needed[index] in its partial file. */
  offset: number;
  /** bytes_transferred as of this checkpoint. */
  bytes: number;
}

export interface TransferRecord {
  uuid: string;
  relationshipUuid: string;
  state: TransferState;
  bytes_transferred: number;
  total_bytes?: number;
  /** The source snapshot this transfer brings over. */
  snapshot: string;
  snapshotCreateTime?: string;
  manifest?: Manifest;
  checkpoint?: TransferCheckpoint;
  end_time?: string;
  error?: { code: string; message: string };
}

export interface RelationshipRecord {
  uuid: string;
  source: { path: string; svm: string; volume: string; cluster: string };
  destination: { path: string; svmUuid: string; volumeUuid: string };
  policy: string;
  state: SnapmirrorState;
  healthy: boolean;
  unhealthyReason?: { message: string; code: string };
  /** KB/s, as ONTAP takes it; 0 is unlimited. */
  throttle: number;
  /** Quiesce asked while a transfer ran: the state becomes `paused` when it ends. */
  quiescing?: boolean;
  /** The last snapshot both sides hold (the base of the next incremental transfer). */
  common?: { name: string; create_time: string };
  transferSeq: number;
  /** Recent transfers, newest last; the last one may be active. */
  transfers: TransferRecord[];
}

/** What a job does when it runs; stored, so a restart can run it again. */
export type JobAction =
  | {
      kind: 'svm_create';
      svm: SvmRecord;
      dns?: { domains: string[]; servers: string[] };
      nfsEnabled?: boolean;
      rootVolumeUuid?: string;
    }
  | {
      kind: 'svm_modify';
      uuid: string;
      state?: 'running' | 'stopped';
      name?: string;
      language?: string;
      comment?: string;
      extra?: Record<string, unknown>;
    }
  | { kind: 'svm_delete'; uuid: string }
  | { kind: 'volume_create'; volume: VolumeRecord }
  | {
      kind: 'volume_modify';
      uuid: string;
      size?: number;
      state?: 'online' | 'offline' | 'restricted';
      type?: VolumeType;
      nas?: VolumeRecord['nas'];
      name?: string;
      extra?: Record<string, unknown>;
    }
  | { kind: 'volume_move'; uuid: string; aggregateUuid: string }
  | { kind: 'volume_delete'; uuid: string }
  | { kind: 'svm_peer_create'; peer: SvmPeerRecord }
  | {
      kind: 'svm_peer_modify';
      uuid: string;
      state?: 'peered' | 'rejected' | 'suspended';
      name?: string;
      applications?: string[];
    }
  | { kind: 'svm_peer_delete'; uuid: string }
  | { kind: 'relationship_create'; relationship: RelationshipRecord; initialize: boolean }
  | {
      kind: 'relationship_modify';
      uuid: string;
      state?: 'snapmirrored' | 'paused' | 'broken_off';
      throttle?: number;
    }
  | { kind: 'relationship_delete'; uuid: string };

export interface JobRecord {
  uuid: string;
  description: string;
  state: JobState;
  message?: string;
  code?: number;
  start_time: string;
  end_time?: string;
  svm?: { name: string; uuid: string };
  action: JobAction;
}

export interface ClusterState {
  version: 1;
  cluster: { name: string; uuid: string };
  /** Where the servers listen, so a restart from this data dir comes back on the same ports. */
  listen: { port: number; controlPort: number };
  nodes: NodeRecord[];
  aggregates: AggregateRecord[];
  svms: SvmRecord[];
  dns: DnsRecord[];
  nfs: NfsRecord[];
  exportPolicies: ExportPolicyRecord[];
  nextPolicyId: number;
  volumes: VolumeRecord[];
  interfaces: InterfaceRecord[];
  peers: PeerRecord[];
  svmPeers: SvmPeerRecord[];
  relationships: RelationshipRecord[];
  jobs: JobRecord[];
  link: { up: boolean };
  counters: { replicationBytesServed: number; replicationBytesReceived: number };
  /** Stored-only resources (api/generic-routes.ts) by collection path, as answered. */
  resources?: Record<string, Record<string, unknown>[]>;
}
