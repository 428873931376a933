// The inter-cluster link as the destination sees it: HTTP calls to the peer's
// /sim/replication endpoints. Any failure to reach the peer is ONTAP's PEER_UNREACHABLE.
import * as http from 'node:http';
import * as https from 'node:https';
import type { Cluster } from '../cluster';
import { basicAuth, peerUnreachable, RequestError } from '../http';
import type { PeerRecord } from '../model';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const secureAgents = new Map<string, https.Agent>();
const secureAgent = (ca: string | undefined) => {
  let a = secureAgents.get(ca ?? '');
  if (!a) {
    a = new https.Agent({ keepAlive: true, maxSockets: 64, ...(ca && { ca }) });
    secureAgents.set(ca ?? '', a);
  }
  return a;
};
const CALL_TIMEOUT_MS = 10_000;

function checkLink(cluster: Cluster, peer: PeerRecord): void {
  if (!cluster.state.link.up)
    throw peerUnreachable(`inter-cluster link from ${cluster.name} to ${peer.name} is down`);
}

function request(
  peer: PeerRecord,
  method: string,
  path: string,
  headers: Record<string, string>,
  signal?: AbortSignal,
) {
  const url = new URL(path, peer.baseUrl);
  const secure = url.protocol === 'https:';
  return (secure ? https : http).request(url, {
    method,
    agent: secure ? secureAgent(peer.ca) : agent,
    signal,
    timeout: CALL_TIMEOUT_MS,
    headers: { authorization: basicAuth(peer.username, peer.password), ...headers },
  });
}

function unreachable(peer: PeerRecord, err: unknown): RequestError {
  if (err instanceof RequestError) return err;
  return peerUnreachable(`cluster peer ${peer.name} is unreachable: ${(err as Error).message}`);
}

async function errorFrom(res: http.IncomingMessage): Promise<RequestError> {
  let text = '';
  for await (const chunk of res) text += chunk;
  try {
    const body = JSON.parse(text) as { error: { code: string; message: string; target?: string } };
    return new RequestError(res.statusCode ?? 500, body.error.code, body.error.message, body.error.target);
  } catch {
    return new RequestError(res.statusCode ?? 500, '2', text || `HTTP ${res.statusCode}`);
  }
}

export async function peerJson<T>(
  cluster: Cluster,
  peer: PeerRecord,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  checkLink(cluster, peer);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const req = request(peer, method, path, payload ? { 'content-type': 'application/json' } : {});
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => reject(unreachable(peer, err)));
    req.on('response', (res) => {
      if ((res.statusCode ?? 500) >= 300) {
        errorFrom(res).then(reject, (err) => reject(unreachable(peer, err)));
        return;
      }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('error', (err) => reject(unreachable(peer, err)));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text) as T);
        } catch (err) {
          reject(unreachable(peer, err));
        }
      });
    });
    req.end(payload);
  });
}

/** Opens a blob stream on the peer from `offset`; the caller consumes the response. */
export async function peerBlob(
  cluster: Cluster,
  peer: PeerRecord,
  hash: string,
  offset: number,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  checkLink(cluster, peer);
  return new Promise((resolve, reject) => {
    const req = request(peer, 'GET', `/sim/replication/blobs/${hash}`, { range: `bytes=${offset}-` }, signal);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => reject(unreachable(peer, err)));
    req.on('response', (res) => {
      if ((res.statusCode ?? 500) >= 300) {
        errorFrom(res).then(reject, (err) => reject(unreachable(peer, err)));
        return;
      }
      resolve(res);
    });
    req.end();
  });
}
