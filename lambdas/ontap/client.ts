// OntapClient: the only way the product talks to a cluster. One instance per cluster (the
// source or the destination); each resource group keeps ONTAP's own paths and field names.

import { AggregatesApi, ClusterApi, NodesApi, PeersApi } from './cluster';
import type { ClusterSide } from './error-mapping';
import { IpInterfacesApi } from './interfaces';
import { JobsApi } from './jobs';
import { SvmPeersApi } from './peers';
import { SnapmirrorApi } from './snapmirror';
import { DnsApi, ExportPoliciesApi, NfsServicesApi } from './svm-config';
import { SvmsApi } from './svms';
import { type Answer, type OntapConnectionOptions, OntapTransport, type RequestOptions } from './transport';
import { VolumesApi } from './volumes';

export type OntapClientOptions = OntapConnectionOptions;
export type { ClusterSide } from './error-mapping';
export { errorFromRelationship, isNotFound, unlessNotFound } from './error-mapping';
export type { OntapLogger } from './transport';

export class OntapClient {
  readonly side: ClusterSide;
  readonly cluster: ClusterApi;
  readonly nodes: NodesApi;
  readonly peers: PeersApi;
  readonly aggregates: AggregatesApi;
  readonly svms: SvmsApi;
  readonly svmPeers: SvmPeersApi;
  readonly dns: DnsApi;
  readonly nfs: NfsServicesApi;
  readonly exportPolicies: ExportPoliciesApi;
  readonly volumes: VolumesApi;
  readonly snapmirror: SnapmirrorApi;
  readonly interfaces: IpInterfacesApi;
  readonly jobs: JobsApi;
  private readonly http: OntapTransport;

  constructor(opts: OntapClientOptions) {
    this.side = opts.side;
    this.http = new OntapTransport(opts);
    this.cluster = new ClusterApi(this.http);
    this.nodes = new NodesApi(this.http);
    this.peers = new PeersApi(this.http);
    this.aggregates = new AggregatesApi(this.http);
    this.svms = new SvmsApi(this.http);
    this.svmPeers = new SvmPeersApi(this.http);
    this.dns = new DnsApi(this.http);
    this.nfs = new NfsServicesApi(this.http);
    this.exportPolicies = new ExportPoliciesApi(this.http);
    this.volumes = new VolumesApi(this.http);
    this.snapmirror = new SnapmirrorApi(this.http);
    this.interfaces = new IpInterfacesApi(this.http);
    this.jobs = new JobsApi(this.http);
  }

  /** A raw call for what the groups do not cover; same auth, deadline, job wait and errors. */
  request<T>(method: string, path: string, opts?: RequestOptions): Promise<Answer<T>> {
    return this.http.send<T>(method, path, opts);
  }

  /** Polls `check` at the job poll interval until it returns a value, within the job deadline. */
  poll<T>(check: () => Promise<T | undefined>, onDeadline: () => Error, timeoutMs?: number): Promise<T> {
    return this.http.poll(check, onDeadline, timeoutMs);
  }

  /** Releases keep-alive sockets. */
  close(): void {
    this.http.close();
  }
}
