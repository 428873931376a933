// Starts one simulated cluster: loads (or creates) its state from the data directory, and
// serves the ONTAP API, the data endpoint and the inter-cluster link on one port and the
// /sim/ control endpoints on a second port, so that control stays reachable while the
// cluster is made unreachable.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { ONTAP_ERROR } from '../lambdas/ontap/error-codes';
import { actionRunner } from './actions';
import { registerClusterRoutes } from './api/cluster-routes';
import { registerConfigRoutes } from './api/config-routes';
import { registerGenericRoutes } from './api/generic-routes';
import { registerInterfaceRoutes } from './api/interface-routes';
import { registerSnapmirrorRoutes } from './api/snapmirror-routes';
import { registerSvmPeerRoutes } from './api/svm-peer-routes';
import { registerSvmRoutes } from './api/svm-routes';
import { registerVolumeRoutes } from './api/volume-routes';
import { BlobStore } from './blobs';
import { Cluster, type ClusterSettings } from './cluster';
import type { SimContext } from './context';
import { type ApiReachability, registerControlRoutes, type UnreachableMode } from './control-routes';
import { registerDataRoutes } from './data-routes';
import { authorized, RequestError, sendError } from './http';
import { JobRunner } from './jobs';
import type { ClusterState } from './model';
import { registerSourceRoutes } from './replication/source-routes';
import { Replicator } from './replication/transfer';
import { Router } from './router';
import { StateFile } from './state-file';
import { tlsMaterial } from './tls';

export interface StartClusterOptions {
  name: string;
  dataDir: string;
  /** API port; 0 picks a free one. Default: the port this data dir used last, else 0. */
  port?: number;
  controlPort?: number;
  nodes?: 2 | 4;
  username?: string;
  password?: string;
  /** Bytes per second on the inter-cluster link (pulls into this cluster); 0 is unlimited. */
  linkBandwidthBytesPerSec?: number;
  /** Seeds the demo content (see demo.ts); kept here so one value drives a whole run. */
  seed?: number;
  takeoverDelayMs?: number;
  jobDelayMs?: number;
  movePhaseMs?: number;
  /** Serve the ONTAP API over plain HTTP instead of HTTPS (explicit opt-in; ONTAP serves HTTPS). */
  plainHttp?: boolean;
}

export interface RunningCluster {
  name: string;
  baseUrl: string;
  controlUrl: string;
  username: string;
  password: string;
  dataDir: string;
  /** The CA (PEM) that signed the API's certificate, and its file in the data dir; absent over plain HTTP. */
  ca?: string;
  caFile?: string;
  stop(): Promise<void>;
}

const DEFAULT_USERNAME = 'admin';
const DEFAULT_PASSWORD = 'netapp1!';
/** ONTAP answers a failed login with this code. */
const NOT_AUTHORIZED = '6691623';
const CREDENTIALS_FILE = 'credentials.json';
const STOP_SETTLE_MS = 20;

function initialState(name: string, nodeCount: 2 | 4): ClusterState {
  const uuid = () => crypto.randomUUID();
  const nodes = Array.from({ length: nodeCount }, (_, i) => ({
    uuid: uuid(),
    name: `${name}-${String(i + 1).padStart(2, '0')}`,
    partnerUuid: '',
    down: false,
    takenOver: false,
  }));
  // HA pairs: 01+02, 03+04.
  for (const [i, n] of nodes.entries()) n.partnerUuid = nodes[i ^ 1].uuid;
  return {
    version: 1,
    cluster: { name, uuid: uuid() },
    listen: { port: 0, controlPort: 0 },
    nodes,
    aggregates: nodes.map((n) => ({
      uuid: uuid(),
      name: `${n.name.replace(/-/g, '_')}_aggr1`,
      nodeUuid: n.uuid,
      size: 2 ** 40,
    })),
    svms: [],
    dns: [],
    nfs: [],
    exportPolicies: [],
    nextPolicyId: 1,
    volumes: [],
    interfaces: [],
    peers: [],
    svmPeers: [],
    relationships: [],
    jobs: [],
    link: { up: true },
    counters: { replicationBytesServed: 0, replicationBytesReceived: 0 },
  };
}

/** Credentials live beside the state so a restarted cluster accepts what its peer stored. */
function credentials(dataDir: string, options: StartClusterOptions): { username: string; password: string } {
  const file = `${dataDir}/${CREDENTIALS_FILE}`;
  const stored = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { username: string; password: string })
    : undefined;
  const creds = {
    username: options.username ?? stored?.username ?? DEFAULT_USERNAME,
    password: options.password ?? stored?.password ?? DEFAULT_PASSWORD,
  };
  fs.writeFileSync(file, JSON.stringify(creds), { mode: 0o600 });
  return creds;
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Paths of the API port that need the cluster's credentials (the data endpoint does not). */
const needsAuth = (path: string) =>
  path.startsWith('/api/') || path === '/api' || path.startsWith('/sim/replication/');

export async function startCluster(options: StartClusterOptions): Promise<RunningCluster> {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const stateFile = new StateFile(options.dataDir);
  const state = stateFile.load() ?? initialState(options.name, options.nodes ?? 2);
  if (state.cluster.name !== options.name) {
    throw new Error(`data dir ${options.dataDir} holds cluster ${state.cluster.name}, not ${options.name}`);
  }
  const { username, password } = credentials(options.dataDir, options);
  const settings: ClusterSettings = {
    takeoverDelayMs: options.takeoverDelayMs ?? 2000,
    jobDelayMs: options.jobDelayMs ?? 20,
    movePhaseMs: options.movePhaseMs ?? 200,
  };
  const cluster = new Cluster(
    state,
    stateFile,
    new BlobStore(options.dataDir),
    username,
    password,
    settings,
    options.linkBandwidthBytesPerSec ?? 0,
  );
  const replicator = new Replicator(cluster);
  const jobs = new JobRunner(cluster, actionRunner(cluster, replicator));
  const ctx: SimContext = { cluster, jobs, replicator };

  const api = new Router();
  registerClusterRoutes(api, ctx);
  registerSvmRoutes(api, ctx);
  registerSvmPeerRoutes(api, ctx);
  registerConfigRoutes(api, ctx);
  registerVolumeRoutes(api, ctx);
  registerSnapmirrorRoutes(api, ctx);
  registerInterfaceRoutes(api, ctx);
  registerGenericRoutes(api, ctx);
  registerSourceRoutes(api, cluster);
  registerDataRoutes(api, ctx);

  let mode: UnreachableMode | undefined;
  let apiPort = options.port ?? state.listen.port;

  const tls = options.plainHttp ? undefined : await tlsMaterial(options.dataDir, options.name);
  const onApiRequest: http.RequestListener = (req, res) => {
    answerWhenDurable(res, cluster);
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      try {
        const ms = cluster.faults.latencyFor(url.pathname);
        if (ms > 0) await delay(ms);
        if (needsAuth(url.pathname) && !authorized(req, username, password)) {
          throw new RequestError(401, NOT_AUTHORIZED, 'not authorized for that command');
        }
        const injected = cluster.faults.errorFor(req.method ?? 'GET', url.pathname);
        if (injected) throw injected;
        await api.dispatch(req, res, url);
      } catch (err) {
        answerFailure(res, err);
      }
    })();
  };
  const serverOptions = { keepAlive: true, highWaterMark: 1 << 20 };
  const apiServer: http.Server = tls
    ? https.createServer({ ...serverOptions, key: tls.key, cert: tls.cert }, onApiRequest)
    : http.createServer(serverOptions, onApiRequest);
  apiServer.on('connection', (socket: Socket) => {
    // "reset" mode: the cluster accepts TCP connections and resets them at once.
    if (mode === 'reset') socket.resetAndDestroy();
  });

  const reach: ApiReachability = {
    mode: () => mode,
    async unreachable(next) {
      const before = mode;
      mode = next;
      if (next === 'refuse') await closeServer(apiServer);
      else if (before === 'refuse') await listen(apiServer, apiPort);
      else apiServer.closeAllConnections();
    },
    async reachable() {
      if (mode === 'refuse') await listen(apiServer, apiPort);
      mode = undefined;
    },
  };

  const control = new Router();
  registerControlRoutes(control, ctx, reach);
  const controlServer = http.createServer({ keepAlive: true }, (req, res) => {
    answerWhenDurable(res, cluster);
    void (async () => {
      try {
        await control.dispatch(req, res, new URL(req.url ?? '/', 'http://localhost'));
      } catch (err) {
        answerFailure(res, err);
      }
    })();
  });

  apiPort = await listen(apiServer, apiPort);
  const controlPort = await listen(controlServer, options.controlPort ?? state.listen.controlPort);
  state.listen = { port: apiPort, controlPort };
  cluster.save();
  await cluster.durable();
  jobs.resume();
  replicator.resume();

  return {
    name: cluster.name,
    baseUrl: `${tls ? 'https' : 'http'}://127.0.0.1:${apiPort}`,
    ...(tls && { ca: tls.ca, caFile: tls.caFile }),
    controlUrl: `http://127.0.0.1:${controlPort}`,
    username,
    password,
    dataDir: options.dataDir,
    async stop() {
      jobs.stop();
      replicator.shutdown();
      cluster.stopTimers();
      await Promise.all([closeServer(apiServer), closeServer(controlServer)]);
      await stateFile.close();
      // Give in-process clients' pools time to see the FIN of their keep-alive connections;
      // otherwise a restart on the same port gets its first request on a dead socket.
      await delay(STOP_SETTLE_MS);
    },
  };
}

/**
 * An answer leaves only once every change made until it was given is on disk (the state's
 * group commit), so no answer reports what a crash could take back; handlers just answer.
 */
function answerWhenDurable(res: http.ServerResponse, cluster: Cluster): void {
  const end = res.end.bind(res) as (...args: unknown[]) => http.ServerResponse;
  res.end = ((...args: unknown[]) => {
    cluster.durable().then(
      () => end(...args),
      () => res.destroy(),
    );
    return res;
  }) as typeof res.end;
}

/** Any failure becomes an ONTAP error body; a handler bug is a 500, never a crash. */
function answerFailure(res: http.ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const e =
    err instanceof RequestError
      ? err
      : new RequestError(
          500,
          ONTAP_ERROR.INTERNAL,
          `internal error: ${(err as Error)?.message ?? String(err)}`,
        );
  sendError(res, e);
}
