// One simulated cluster: its state (saved by group commits), its blob store, and the
// facts every endpoint needs: lookups by name or uuid, HA serving, the inter-cluster link.
import * as crypto from 'node:crypto';
import { ONTAP_ERROR } from '../lambdas/ontap/error-codes';
import type { BlobStore } from './blobs';
import { FaultPlan } from './faults';
import { servingNode } from './ha';
import { nodeUnhealthy, notFound, RequestError } from './http';
import type { ClusterState, InterfaceRecord, NodeRecord, PeerRecord, SvmRecord, VolumeRecord } from './model';
import { Pacer } from './pacer';
import type { StateFile } from './state-file';

export interface ClusterSettings {
  /** How long a down node waits before its HA partner takes over. */
  takeoverDelayMs: number;
  /** How long a job stays queued before it runs (ONTAP jobs are never instant). */
  jobDelayMs: number;
  /** How long each phase of a volume move takes. */
  movePhaseMs: number;
}

export interface RefQuery {
  name?: string;
  uuid?: string;
}

export class Cluster {
  readonly faults = new FaultPlan();
  readonly linkPacer: Pacer;
  private readonly takeoverTimers = new Map<string, NodeJS.Timeout>();
  private readonly linkListeners: (() => void)[] = [];

  constructor(
    readonly state: ClusterState,
    private readonly stateFile: StateFile,
    readonly blobs: BlobStore,
    readonly username: string,
    readonly password: string,
    readonly settings: ClusterSettings,
    linkBandwidthBytesPerSec: number,
  ) {
    this.linkPacer = new Pacer(linkBandwidthBytesPerSec);
    // A data dir written before SVM peers were modelled has none.
    state.svmPeers ??= [];
    // A node that was down when the process stopped still waits for its takeover.
    for (const node of state.nodes) if (node.down && !node.takenOver) this.scheduleTakeover(node);
  }

  get name(): string {
    return this.state.cluster.name;
  }

  /** Records a change of the state; it is on disk once `durable()` resolves. */
  save(): void {
    this.stateFile.changed(this.state);
  }

  /** Resolves once every change recorded so far is on disk. */
  durable(): Promise<void> {
    return this.stateFile.durable();
  }

  newUuid(): string {
    return crypto.randomUUID();
  }

  // ---- lookups (throw ONTAP's 404 with the field as target) ----

  svm(ref: RefQuery | undefined, target = 'svm'): SvmRecord {
    const svm = this.state.svms.find((s) => (ref?.uuid ? s.uuid === ref.uuid : s.name === ref?.name));
    if (!svm || (ref?.name && svm.name !== ref.name))
      throw notFound(`SVM ${ref?.uuid ?? ref?.name ?? ''}`, target);
    return svm;
  }

  svmByUuid(uuid: string): SvmRecord {
    return this.svm({ uuid }, 'svm.uuid');
  }

  volume(uuid: string): VolumeRecord {
    const vol = this.state.volumes.find((v) => v.uuid === uuid);
    if (!vol) throw notFound(`volume ${uuid}`, 'uuid');
    return vol;
  }

  volumeByName(svmName: string, volumeName: string, target = 'volume'): VolumeRecord {
    const svm = this.state.svms.find((s) => s.name === svmName);
    const vol = svm && this.state.volumes.find((v) => v.svmUuid === svm.uuid && v.name === volumeName);
    if (!vol) throw notFound(`volume ${svmName}:${volumeName}`, target);
    return vol;
  }

  aggregate(ref: RefQuery, target = 'aggregates') {
    const aggr = this.state.aggregates.find((a) => (ref.uuid ? a.uuid === ref.uuid : a.name === ref.name));
    if (!aggr) throw notFound(`aggregate ${ref.uuid ?? ref.name ?? ''}`, target);
    return aggr;
  }

  node(ref: RefQuery, target = 'node'): NodeRecord {
    const node = this.state.nodes.find((n) => (ref.uuid ? n.uuid === ref.uuid : n.name === ref.name));
    if (!node) throw notFound(`node ${ref.uuid ?? ref.name ?? ''}`, target);
    return node;
  }

  nodeByUuid(uuid: string): NodeRecord {
    return this.node({ uuid });
  }

  // ---- HA ----

  /** The node that serves a volume now, or undefined while its node is down and not taken over. */
  volumeServer(vol: VolumeRecord): NodeRecord | undefined {
    const aggr = this.state.aggregates.find((a) => a.uuid === vol.aggregateUuid);
    return aggr && servingNode(this.state, aggr.nodeUuid);
  }

  /** Throws NODE_UNHEALTHY when nobody serves the volume. */
  requireServed(vol: VolumeRecord): NodeRecord {
    const server = this.volumeServer(vol);
    if (!server) {
      const aggr = this.state.aggregates.find((a) => a.uuid === vol.aggregateUuid);
      throw nodeUnhealthy(aggr ? this.nodeByUuid(aggr.nodeUuid).name : 'unknown');
    }
    return server;
  }

  interfaceUp(lif: InterfaceRecord): boolean {
    const svm = this.state.svms.find((s) => s.uuid === lif.svmUuid);
    return lif.enabled && svm?.state === 'running' && servingNode(this.state, lif.homeNodeUuid) !== undefined;
  }

  /**
   * The node stops; its partner takes it over after `takeoverDelayMs`, or, with `manual`, only
   * when `takeover()` is called (so a test decides the order of the takeover and what waits on it).
   */
  nodeDown(name: string, takeoverDelayMs = this.settings.takeoverDelayMs, manual = false): void {
    const node = this.node({ name });
    if (node.down) return;
    node.down = true;
    node.takenOver = false;
    this.save();
    if (!manual) this.scheduleTakeover(node, takeoverDelayMs);
  }

  /** The partner takes a down node over now. */
  takeover(name: string): void {
    const node = this.node({ name });
    clearTimeout(this.takeoverTimers.get(node.uuid));
    this.takeoverTimers.delete(node.uuid);
    this.completeTakeover(node);
  }

  /** Giveback: the node serves its own aggregates and interfaces again. */
  nodeUp(name: string): void {
    const node = this.node({ name });
    clearTimeout(this.takeoverTimers.get(node.uuid));
    this.takeoverTimers.delete(node.uuid);
    node.down = false;
    node.takenOver = false;
    this.save();
  }

  private scheduleTakeover(node: NodeRecord, delayMs = this.settings.takeoverDelayMs): void {
    clearTimeout(this.takeoverTimers.get(node.uuid));
    const timer = setTimeout(() => {
      this.takeoverTimers.delete(node.uuid);
      this.completeTakeover(node);
    }, delayMs);
    timer.unref();
    this.takeoverTimers.set(node.uuid, timer);
  }

  private completeTakeover(node: NodeRecord): void {
    const partner = this.state.nodes.find((n) => n.uuid === node.partnerUuid);
    // Takeover needs a healthy partner; otherwise the node just stays down.
    if (!node.down || !partner || partner.down) return;
    node.takenOver = true;
    this.save();
  }

  // ---- inter-cluster link ----

  setLink(up: boolean): void {
    if (this.state.link.up === up) return;
    this.state.link.up = up;
    this.save();
    if (!up) for (const listener of this.linkListeners) listener();
  }

  /** Called when the link goes down, so in-flight replication traffic is cut. */
  onLinkDown(listener: () => void): void {
    this.linkListeners.push(listener);
  }

  peer(name?: string): PeerRecord {
    const peer = name ? this.state.peers.find((p) => p.name === name) : this.state.peers[0];
    if (!peer)
      throw new RequestError(
        404,
        ONTAP_ERROR.ENTRY_NOT_FOUND,
        `no cluster peer ${name ?? ''}`.trim(),
        'source.cluster',
      );
    return peer;
  }

  stopTimers(): void {
    for (const t of this.takeoverTimers.values()) clearTimeout(t);
    this.takeoverTimers.clear();
  }
}
