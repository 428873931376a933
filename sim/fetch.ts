// fetch() for the simulator's own callers (the demo seeder, SimControl, tests), which must
// verify a cluster's certificate with its CA: Node's global fetch cannot take a CA, so this
// sends the request with node:https and answers a standard Response.
import * as http from 'node:http';
import * as https from 'node:https';

export interface SimFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** PEM of the CA the cluster's certificate must chain to (https only). */
  ca?: string;
}

const agents = new Map<string, https.Agent>();
const agentFor = (ca: string | undefined) => {
  const key = ca ?? '';
  let agent = agents.get(key);
  if (!agent) {
    agent = new https.Agent({ keepAlive: true, ...(ca && { ca }) });
    agents.set(key, agent);
  }
  return agent;
};
const plain = new http.Agent({ keepAlive: true });

/**
 * A kept-alive socket the server closed while idle fails the next request sent on it before any
 * byte of it was read (ECONNRESET or "socket hang up" on a reused socket): that request is sent
 * once more on a fresh connection, as Node's documentation advises and undici's fetch does.
 */
export async function simFetch(url: string, init: SimFetchInit = {}): Promise<Response> {
  try {
    return await sendOnce(url, init);
  } catch (err) {
    if (!(err as { reusedSocket?: boolean }).reusedSocket) throw err;
    return sendOnce(url, init);
  }
}

/** How long a call may wait without a byte from the cluster. */
const IDLE_TIMEOUT_MS = 30_000;

function sendOnce(url: string, init: SimFetchInit): Promise<Response> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const body =
    init.body === undefined ? undefined : Buffer.isBuffer(init.body) ? init.body : Buffer.from(init.body);
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(target, {
      method: init.method ?? 'GET',
      agent: secure ? agentFor(init.ca) : plain,
      headers: { ...init.headers, ...(body && { 'content-length': String(body.length) }) },
    });
    // No call waits forever (undici's fetch, used before, gave up on silent servers too): a
    // socket idle this long ends the call with an error its caller sees.
    req.setTimeout(IDLE_TIMEOUT_MS, () =>
      req.destroy(Object.assign(new Error(`no answer within ${IDLE_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' })),
    );
    req.on('error', (cause: NodeJS.ErrnoException) => {
      const stale = req.reusedSocket && (cause.code === 'ECONNRESET' || cause.message === 'socket hang up');
      reject(
        Object.assign(new TypeError(`fetch failed: ${cause.message}`), {
          cause,
          ...(stale && { reusedSocket: true }),
        }),
      );
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
        const status = res.statusCode ?? 0;
        const payload = status === 204 || status === 304 ? null : Buffer.concat(chunks);
        resolve(new Response(payload, { status, headers }));
      });
    });
    req.end(body);
  });
}
