// SimControl: the typed client of a simulated cluster's own endpoints: faults, nodes, the
// inter-cluster link, reachability, peering, settings, the state dump (control port), and
// the data endpoint where clients read and write files (API port). Used by tests, the
// client workload and the chaos harness.

import type { StateDump } from './control-routes';
import { simFetch } from './fetch';
import type { Manifest } from './model';

export interface SimEndpoint {
  name?: string;
  baseUrl: string;
  controlUrl: string;
  /** The cluster's CA (PEM): the data endpoint is on the API port, served over HTTPS. */
  ca?: string;
}

export interface ErrorFaultSpec {
  /** Only calls with this method (default: any). */
  method?: string;
  /** Glob over the URL path, `*` = anything: `/api/storage/volumes*`. */
  path: string;
  status?: number;
  /** ONTAP error code (lambdas/ontap/error-codes.ts); default INTERNAL. */
  code?: string;
  message?: string;
  /** Fail the next `count` matching calls. */
  count?: number;
  /** Or fail each matching call with this probability, drawn from `seed`. */
  probability?: number;
  seed?: number;
}

export interface SimSettings {
  linkBandwidthBytesPerSec?: number;
  takeoverDelayMs?: number;
  jobDelayMs?: number;
  movePhaseMs?: number;
}

export interface DataFile {
  path: string;
  size: number;
  hash: string;
}

/** A non-2xx answer from the simulator, with its ONTAP-style error body. */
export class SimRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly target?: string,
  ) {
    super(message);
    this.name = 'SimRequestError';
  }
}

export class SimControl {
  constructor(private readonly endpoint: SimEndpoint) {}

  // ---- control port ----
  state(): Promise<StateDump> {
    return this.json('GET', this.control('/sim/state'));
  }
  async injectError(spec: ErrorFaultSpec): Promise<string> {
    return (await this.json<{ id: string }>('POST', this.control('/sim/faults/errors'), spec)).id;
  }
  async addLatency(ms: number, path?: string): Promise<string> {
    return (
      await this.json<{ id: string }>('POST', this.control('/sim/faults/latency'), {
        ms,
        ...(path && { path }),
      })
    ).id;
  }
  /** Lifts one injected error or latency, by the id its injection returned. */
  async removeFault(id: string): Promise<void> {
    await this.json('DELETE', this.control(`/sim/faults/${encodeURIComponent(id)}`));
  }
  /** Clears errors and latency, brings nodes and the link up, and makes the cluster reachable. */
  async clearFaults(): Promise<void> {
    await this.json('DELETE', this.control('/sim/faults'));
  }
  /** With `manualTakeover`, the partner takes the node over only at `takeover(node)`. */
  async nodeDown(
    node: string,
    options: { takeoverDelayMs?: number; manualTakeover?: boolean } = {},
  ): Promise<void> {
    await this.json('POST', this.control(`/sim/nodes/${encodeURIComponent(node)}/down`), options);
  }
  async takeover(node: string): Promise<void> {
    await this.json('POST', this.control(`/sim/nodes/${encodeURIComponent(node)}/takeover`));
  }
  /** Giveback. */
  async nodeUp(node: string): Promise<void> {
    await this.json('POST', this.control(`/sim/nodes/${encodeURIComponent(node)}/up`));
  }
  async linkDown(): Promise<void> {
    await this.json('POST', this.control('/sim/link/down'));
  }
  async linkUp(): Promise<void> {
    await this.json('POST', this.control('/sim/link/up'));
  }
  /** ONTAP API, data endpoint and link: `refuse` closes the port, `reset` resets connections. */
  async unreachable(mode: 'refuse' | 'reset' = 'refuse'): Promise<void> {
    await this.json('POST', this.control('/sim/unreachable'), { mode });
  }
  async reachable(): Promise<void> {
    await this.json('POST', this.control('/sim/reachable'));
  }
  async addPeer(peer: {
    name: string;
    baseUrl: string;
    username: string;
    password: string;
    ca?: string;
  }): Promise<void> {
    await this.json('POST', this.control('/sim/peers'), peer);
  }
  async settings(settings: SimSettings): Promise<void> {
    await this.json('PATCH', this.control('/sim/settings'), settings);
  }
  /** Whether the SVM serves clients on this cluster now (running, `default`, an interface up). */
  async serving(svm: string): Promise<boolean> {
    return (await this.json<{ serving: boolean }>('GET', this.control(`/sim/svms/${enc(svm)}/serving`)))
      .serving;
  }
  /** A volume's files (or a snapshot's), whatever the SVM's state. */
  async volumeFiles(svm: string, volume: string, snapshot?: string): Promise<Manifest> {
    const query = snapshot ? `?snapshot=${encodeURIComponent(snapshot)}` : '';
    return (
      await this.json<{ files: Manifest }>(
        'GET',
        this.control(`/sim/volumes/${enc(svm)}/${enc(volume)}/files${query}`),
      )
    ).files;
  }
  async blob(hash: string): Promise<Buffer> {
    return this.bytes('GET', this.control(`/sim/blobs/${hash}`));
  }

  // ---- data endpoint (API port) ----
  async listFiles(svm: string, volume: string): Promise<DataFile[]> {
    return (await this.json<{ files: DataFile[] }>('GET', this.data(svm, volume))).files;
  }
  readFile(svm: string, volume: string, path: string): Promise<Buffer> {
    return this.bytes('GET', this.data(svm, volume, path));
  }
  /** Resolves once the write is durable on the cluster. */
  async writeFile(svm: string, volume: string, path: string, content: Buffer | string): Promise<DataFile> {
    return this.json(
      'PUT',
      this.data(svm, volume, path),
      undefined,
      typeof content === 'string' ? Buffer.from(content) : content,
    );
  }
  async deleteFile(svm: string, volume: string, path: string): Promise<void> {
    await this.json('DELETE', this.data(svm, volume, path));
  }

  private control(path: string): string {
    return `${this.endpoint.controlUrl}${path}`;
  }
  private data(svm: string, volume: string, path?: string): string {
    const file = path ? `/${path.split('/').map(enc).join('/')}` : '';
    return `${this.endpoint.baseUrl}/sim/data/${enc(svm)}/${enc(volume)}${file}`;
  }

  private async send(method: string, url: string, json?: unknown, raw?: Buffer): Promise<Response> {
    const res = await simFetch(url, {
      ca: this.endpoint.ca,
      method,
      headers:
        json !== undefined
          ? { 'content-type': 'application/json' }
          : raw
            ? { 'content-type': 'application/octet-stream' }
            : {},
      body: json !== undefined ? JSON.stringify(json) : raw,
    });
    if (!res.ok) {
      const text = await res.text();
      let error: { code?: string; message?: string; target?: string } = {};
      try {
        error = (JSON.parse(text) as { error: typeof error }).error ?? {};
      } catch {
        error = { message: text };
      }
      throw new SimRequestError(res.status, error.code, error.message ?? `HTTP ${res.status}`, error.target);
    }
    return res;
  }
  private async json<T>(method: string, url: string, body?: unknown, raw?: Buffer): Promise<T> {
    return (await (await this.send(method, url, body, raw)).json()) as T;
  }
  private async bytes(method: string, url: string): Promise<Buffer> {
    return Buffer.from(await (await this.send(method, url)).arrayBuffer());
  }
}

const enc = encodeURIComponent;
