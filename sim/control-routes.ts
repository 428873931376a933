// The simulator's own control endpoints (control port, no auth): faults, node down/up,
// inter-cluster link down/up, cluster unreachable, peering, settings, and a dump of the
// state for tests and invariant checkers. Not part of ONTAP's API.

import { ONTAP_ERROR } from '../lambdas/ontap/error-codes';
import type { Cluster } from './cluster';
import type { SimContext } from './context';
import { invalid, notFound, readJson, sendJson } from './http';
import type { Router } from './router';
import { bool, int, obj, oneOf, parse, required, str } from './schema';

export type UnreachableMode = 'refuse' | 'reset';
export interface ApiReachability {
  unreachable(mode: UnreachableMode): Promise<void>;
  reachable(): Promise<void>;
  mode(): UnreachableMode | undefined;
}

const errorFaultSchema = obj({
  method: str(),
  path: required(str()),
  status: int(400),
  code: str(),
  message: str(),
  count: int(1),
  seed: int(),
});
const latencySchema = obj({ ms: required(int(0)), path: str() });
const nodeDownSchema = obj({ takeoverDelayMs: int(0), manualTakeover: bool() });
const unreachableSchema = obj({ mode: oneOf(['refuse', 'reset']) });
const peerSchema = obj({
  name: required(str()),
  baseUrl: required(str()),
  username: required(str()),
  password: required(str()),
  ca: str(),
});
const settingsSchema = obj({
  linkBandwidthBytesPerSec: int(0),
  takeoverDelayMs: int(0),
  jobDelayMs: int(0),
  movePhaseMs: int(0),
});

export type StateDump = ReturnType<typeof stateDump>;

/** The state as tests see it: credentials of peers left out. */
export function stateDump(cluster: Cluster, reach: ApiReachability) {
  const { peers, ...rest } = cluster.state;
  return {
    ...rest,
    peers: peers.map(({ password: _secret, ...peer }) => peer),
    runtime: {
      unreachable: reach.mode() ?? null,
      faults: cluster.faults.list(),
      settings: { ...cluster.settings, linkBandwidthBytesPerSec: cluster.linkPacer.bytesPerSec },
    },
  };
}

export function registerControlRoutes(router: Router, { cluster }: SimContext, reach: ApiReachability): void {
  const ok = (res: Parameters<typeof sendJson>[0], body: unknown = {}) => sendJson(res, 200, body);

  router.on('GET', '/sim/state', ({ res }) => ok(res, stateDump(cluster, reach)));

  router.on('POST', '/sim/faults/errors', async ({ req, res }) => {
    const raw = (await readJson(req)) as Record<string, unknown>;
    // probability is a fraction: checked apart from the integer fields.
    const { probability, ...rest } = raw ?? {};
    parse(rest, errorFaultSchema);
    if (
      probability !== undefined &&
      (typeof probability !== 'number' || probability < 0 || probability > 1)
    ) {
      throw invalid('probability must be a number from 0 to 1', 'probability');
    }
    const body = rest as {
      method?: string;
      path: string;
      status?: number;
      code?: string;
      message?: string;
      count?: number;
      seed?: number;
    };
    if (body.count === undefined && probability === undefined)
      throw invalid('give count, probability, or both', 'count');
    const id = cluster.faults.addError({
      method: body.method,
      path: body.path,
      status: body.status ?? 500,
      code: body.code ?? ONTAP_ERROR.INTERNAL,
      message: body.message ?? 'injected fault',
      remaining: body.count,
      probability: probability as number | undefined,
      seed: body.seed,
    });
    ok(res, { id });
  });

  router.on('POST', '/sim/faults/latency', async ({ req, res }) => {
    const body = parse<{ ms: number; path?: string }>(await readJson(req), latencySchema);
    ok(res, { id: cluster.faults.addLatency(body) });
  });

  router.on('DELETE', '/sim/faults/:id', ({ res, params }) => {
    if (!cluster.faults.remove(params.id)) throw notFound(`fault ${params.id}`, 'id');
    ok(res);
  });

  // Clears every fault: injected errors and latency, nodes back up, link up, reachable.
  router.on('DELETE', '/sim/faults', async ({ res }) => {
    cluster.faults.clear();
    for (const node of cluster.state.nodes) if (node.down) cluster.nodeUp(node.name);
    cluster.setLink(true);
    await reach.reachable();
    ok(res);
  });

  router.on('POST', '/sim/nodes/:name/down', async ({ req, res, params }) => {
    const body = parse<{ takeoverDelayMs?: number; manualTakeover?: boolean }>(
      await readJson(req),
      nodeDownSchema,
    );
    cluster.nodeDown(params.name, body.takeoverDelayMs, body.manualTakeover);
    ok(res);
  });
  router.on('POST', '/sim/nodes/:name/takeover', ({ res, params }) => {
    cluster.takeover(params.name);
    ok(res);
  });
  router.on('POST', '/sim/nodes/:name/up', ({ res, params }) => {
    cluster.nodeUp(params.name);
    ok(res);
  });

  router.on('POST', '/sim/link/down', ({ res }) => {
    cluster.setLink(false);
    ok(res);
  });
  router.on('POST', '/sim/link/up', ({ res }) => {
    cluster.setLink(true);
    ok(res);
  });

  router.on('POST', '/sim/unreachable', async ({ req, res }) => {
    const body = parse<{ mode?: UnreachableMode }>(await readJson(req), unreachableSchema);
    await reach.unreachable(body.mode ?? 'refuse');
    ok(res);
  });
  router.on('POST', '/sim/reachable', async ({ res }) => {
    await reach.reachable();
    ok(res);
  });

  router.on('POST', '/sim/peers', async ({ req, res }) => {
    const body = parse<{ name: string; baseUrl: string; username: string; password: string; ca?: string }>(
      await readJson(req),
      peerSchema,
    );
    const existing = cluster.state.peers.find((p) => p.name === body.name);
    if (existing) Object.assign(existing, body);
    else cluster.state.peers.push({ uuid: cluster.newUuid(), ...body });
    cluster.save();
    ok(res);
  });

  router.on('PATCH', '/sim/settings', async ({ req, res }) => {
    const body = parse<{
      linkBandwidthBytesPerSec?: number;
      takeoverDelayMs?: number;
      jobDelayMs?: number;
      movePhaseMs?: number;
    }>(await readJson(req), settingsSchema);
    const { linkBandwidthBytesPerSec, ...settings } = body;
    if (linkBandwidthBytesPerSec !== undefined) cluster.linkPacer.bytesPerSec = linkBandwidthBytesPerSec;
    Object.assign(cluster.settings, settings);
    ok(res);
  });

  // Whether an SVM serves clients here (running, `default`, an interface up): what a prober samples
  // every few milliseconds, much lighter than the whole state.
  router.on('GET', '/sim/svms/:svm/serving', ({ res, params }) => {
    const svm = cluster.state.svms.find((s) => s.name === params.svm);
    const serving =
      svm !== undefined &&
      svm.state === 'running' &&
      svm.subtype === 'default' &&
      cluster.state.interfaces.some((l) => l.svmUuid === svm.uuid && cluster.interfaceUp(l));
    ok(res, { serving });
  });

  // Read access for checkers, whatever the SVM's state: a volume's files (or a snapshot's), and blobs.
  router.on('GET', '/sim/volumes/:svm/:volume/files', ({ res, params, query }) => {
    const vol = cluster.volumeByName(params.svm, params.volume);
    const snapshot = query.get('snapshot');
    if (!snapshot) return ok(res, { files: vol.files });
    const snap = vol.snapshots.find((s) => s.name === snapshot);
    if (!snap) throw notFound(`snapshot ${snapshot}`, 'snapshot');
    ok(res, { files: snap.manifest });
  });
  router.on('GET', '/sim/blobs/:hash', ({ res, params }) => {
    if (!/^[0-9a-f]{64}$/.test(params.hash) || !cluster.blobs.has(params.hash))
      throw notFound(`blob ${params.hash}`, 'hash');
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    cluster.blobs
      .read(params.hash)
      .on('error', () => res.destroy())
      .pipe(res);
  });
}
