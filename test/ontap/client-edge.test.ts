// OntapClient against a scripted local server: the HTTP edge cases (auth header, jobs,
// paging, every error mapping, timeouts, resets, TLS) and that credentials never leak.

import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { AuthenticationError, type MigrationError } from '../../lambdas/errors';
import { isNotFound, OntapClient, type OntapClientOptions } from '../../lambdas/ontap/client';
import { ONTAP_ERROR } from '../../lambdas/ontap/error-codes';
import { migrationFailure } from '../support/failure';
import { type FakeHandler, type FakeOntap, json, startFakeOntap } from './fake-ontap';

const USER = 'admin';
const PASSWORD = 'S3cret-Pa55word!';
const TOKEN = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const fixture = (name: string): string => fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');

const servers: FakeOntap[] = [];
const clients: OntapClient[] = [];

async function serve(handler: FakeHandler, tls?: { key: string; cert: string }): Promise<FakeOntap> {
  const server = await startFakeOntap(handler, tls);
  servers.push(server);
  return server;
}

function client(baseUrl: string, extra: Partial<OntapClientOptions> = {}): OntapClient {
  const c = new OntapClient({
    side: 'destination',
    baseUrl,
    username: USER,
    password: PASSWORD,
    timeoutMs: 2_000,
    jobPollMs: 5,
    jobTimeoutMs: 2_000,
    ...extra,
  });
  clients.push(c);
  return c;
}

/** Nothing an operator might see carries the password or the encoded Authorization header. */
function expectNoCredentials(err: MigrationError): void {
  const views = [
    err.message,
    err.stack ?? '',
    JSON.stringify(err.toJSON()),
    String(err.cause ?? ''),
    JSON.stringify(err.cause ?? {}),
  ];
  for (const view of views) {
    expect(view).not.toContain(PASSWORD);
    expect(view).not.toContain(TOKEN);
  }
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('requests', () => {
  it('sends basic auth and asks for ONTAP fields', async () => {
    // Prepare
    const server = await serve((_req, res) =>
      json(res, 200, {
        name: 'c1',
        uuid: 'u1',
        version: { full: 'NetApp Release 9.14.1', generation: 9, major: 14, minor: 1 },
      }),
    );
    // Act
    const info = await client(server.baseUrl).cluster.get();
    // Assess
    expect(info.name).toBe('c1');
    expect(server.seen[0].headers.authorization).toBe(`Basic ${TOKEN}`);
    expect(server.seen[0].url).toBe('/api/cluster?fields=name%2Cuuid%2Cversion');
  });

  it('follows _links.next until the collection ends', async () => {
    const server = await serve((req, res) => {
      if (req.url.includes('start.uuid=2'))
        return json(res, 200, { records: [{ name: 'b' }], num_records: 1 });
      json(res, 200, {
        records: [{ name: 'a' }],
        num_records: 1,
        _links: { next: { href: '/api/svm/svms?start.uuid=2&fields=uuid' } },
      });
    });
    const svms = await client(server.baseUrl).svms.list();
    expect(svms.map((s) => s.name)).toEqual(['a', 'b']);
  });

  it('waits for a 202 job and sends return_timeout on writes only', async () => {
    let polls = 0;
    const server = await serve((req, res) => {
      if (req.method === 'PATCH')
        return json(res, 202, { job: { uuid: 'j1', _links: { self: { href: '/api/cluster/jobs/j1' } } } });
      polls += 1;
      json(res, 200, { uuid: 'j1', state: polls < 3 ? 'running' : 'success' });
    });
    await client(server.baseUrl, { returnTimeoutSeconds: 15 }).svms.stop('svm-1');
    expect(polls).toBe(3);
    expect(server.seen[0]).toMatchObject({
      method: 'PATCH',
      url: '/api/svm/svms/svm-1?return_timeout=15',
      body: { state: 'stopped' },
    });
    expect(server.seen[1].url).not.toContain('return_timeout');
  });

  it('jobs.wait gives up at its deadline with a TransientError', async () => {
    const server = await serve((_req, res) => json(res, 200, { uuid: 'j2', state: 'running' }));
    const err = await migrationFailure(client(server.baseUrl).jobs.wait('j2', { timeoutMs: 50 }));
    expect(err.name).toBe('TransientError');
    expect(err.message).toContain('j2');
  });

  it.each([
    [ONTAP_ERROR.NODE_UNHEALTHY, 'NodeUnhealthyError'],
    [ONTAP_ERROR.PEER_UNREACHABLE, 'InterClusterLinkError'],
    [ONTAP_ERROR.DUPLICATE_ENTRY, 'ConflictError'],
    // ONTAP's busy codes: retried in place; 13303812 is a transfer in progress, not a link failure
    ['13303812', 'TransientError'],
    ['13303808', 'TransientError'],
    ['13303822', 'TransientError'],
    ['524486', 'TransientError'],
    ['13107405', 'TransientError'],
    ['999999', 'TransientError'],
  ])('a job failing with ONTAP code %s becomes %s', async (code, name) => {
    const server = await serve((req, res) => {
      if (req.method === 'POST') return json(res, 202, { job: { uuid: 'j3' } });
      json(res, 200, { uuid: 'j3', state: 'failure', code: Number(code), message: 'it went wrong' });
    });
    const err = await migrationFailure(
      client(server.baseUrl).volumes.create({
        name: 'v',
        svm: { name: 's' },
        size: 1,
        type: 'dp',
        aggregates: [{ name: 'a' }],
      }),
    );
    expect(err.name).toBe(name);
    expect(err.ontap).toEqual({ code, message: 'it went wrong' });
    expect(err.side).toBe('destination');
  });
});

describe('volume move', () => {
  // The move's own states, including a failed one, scripted.
  function moving(states: string[]): FakeHandler {
    let polls = 0;
    return (req, res) => {
      if (req.method === 'PATCH') return json(res, 202, { job: { uuid: 'jm' } });
      if (req.url.startsWith('/api/cluster/jobs/')) return json(res, 200, { uuid: 'jm', state: 'success' });
      const state = states[Math.min(polls++, states.length - 1)];
      json(res, 200, {
        uuid: 'v1',
        name: 'vol1',
        aggregates: [{ name: state === 'success' ? 'aggr2' : 'aggr1' }],
        movement: { state, percent_complete: 50 },
      });
    };
  }

  it('asks for the move with movement.destination_aggregate and waits until the volume arrives', async () => {
    const server = await serve(moving(['replicating', 'cutover', 'success']));
    const volume = await client(server.baseUrl).volumes.move('v1', 'aggr2');
    expect(volume.aggregates[0].name).toBe('aggr2');
    expect(server.seen[0].body).toEqual({ movement: { destination_aggregate: { name: 'aggr2' } } });
  });

  it('a move that ends failed is a TransientError', async () => {
    const server = await serve(moving(['replicating', 'failed']));
    const err = await migrationFailure(client(server.baseUrl).volumes.move('v1', 'aggr2'));
    expect(err.name).toBe('TransientError');
    expect(err.message).toContain('failed');
  });
});

describe('error mapping of HTTP answers', () => {
  it.each([
    [503, ONTAP_ERROR.INTERNAL, undefined, 'TransientError'],
    [500, '123', undefined, 'TransientError'],
    [400, ONTAP_ERROR.UNEXPECTED_ARGUMENT, 'foo', 'ValidationError'],
    [400, ONTAP_ERROR.INVALID_VALUE, 'state', 'ValidationError'],
    [422, ONTAP_ERROR.MISSING_FIELD, 'name', 'ValidationError'],
    [404, ONTAP_ERROR.ENTRY_NOT_FOUND, 'uuid', 'NotFoundError'],
    [409, ONTAP_ERROR.DUPLICATE_ENTRY, 'name', 'ConflictError'],
    [409, ONTAP_ERROR.OBJECT_BUSY, undefined, 'ConflictError'],
    [400, ONTAP_ERROR.OBJECT_BUSY, undefined, 'ConflictError'],
    [400, ONTAP_ERROR.NODE_UNHEALTHY, 'node', 'NodeUnhealthyError'],
    [500, ONTAP_ERROR.PEER_UNREACHABLE, undefined, 'InterClusterLinkError'],
    [400, '13303812', undefined, 'TransientError'],
    [400, '13303808', 'state', 'TransientError'],
    [400, '524486', undefined, 'TransientError'],
    [401, undefined, undefined, 'AuthenticationError'],
    [403, undefined, undefined, 'ValidationError'],
  ])('HTTP %s with ONTAP code %s (target %s) becomes %s', async (status, code, target, name) => {
    // Prepare
    const server = await serve((req, res) => {
      if (req.url.startsWith('/api/cluster/nodes'))
        return json(res, 200, {
          records: [
            { name: 'node-01', state: 'up' },
            { name: 'node-02', state: 'taken_over' },
          ],
        });
      json(res, status, code ? { error: { code, message: 'ontap says no', ...(target && { target }) } } : {});
    });
    // Act
    const err = await migrationFailure(client(server.baseUrl).svms.get('svm-9'));
    // Assess
    expect(err.name).toBe(name);
    expect(err.ontap).toMatchObject({
      status,
      ...(code && { code, message: 'ontap says no' }),
      ...(target && { target }),
    });
    if ((name === 'ValidationError' || name === 'NotFoundError') && target)
      expect((err as { field?: string }).field).toBe(target);
    if (name === 'NodeUnhealthyError') expect((err as { node?: string }).node).toBe('node-02');
    expect(err.message).toContain('destination cluster: GET /api/svm/svms/svm-9');
    expect(isNotFound(err)).toBe(code === ONTAP_ERROR.ENTRY_NOT_FOUND);
    expectNoCredentials(err);
  });

  it('a refused login (HTTP 401) is an AuthenticationError naming the configured cluster, without the credentials', async () => {
    const server = await serve((_req, res) =>
      json(res, 401, { error: { code: '6691623', message: 'not authorized for that command' } }),
    );
    const err = await migrationFailure(
      client(server.baseUrl, { name: 'cluster-east' }).svms.list({ name: 'svm-9' }),
    );
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({ name: 'AuthenticationError', cluster: 'cluster-east', side: 'destination' });
    expect(err.message).toMatch(/^cluster-east refused the configured credentials \(HTTP 401\)/);
    expectNoCredentials(err);
  });

  it('leaves the node unnamed when more than one node is unhealthy', async () => {
    const server = await serve((req, res) => {
      if (req.url.startsWith('/api/cluster/nodes'))
        return json(res, 200, {
          records: [
            { name: 'n1', state: 'down' },
            { name: 'n2', state: 'down' },
          ],
        });
      json(res, 400, { error: { code: ONTAP_ERROR.NODE_UNHEALTHY, message: 'down', target: 'node' } });
    });
    const err = await migrationFailure(client(server.baseUrl).volumes.get('v1'));
    expect(err.name).toBe('NodeUnhealthyError');
    expect((err as { node?: string }).node).toBeUndefined();
  });

  it('a missing DNS configuration reads as undefined, not an error', async () => {
    const server = await serve((_req, res) =>
      json(res, 404, { error: { code: ONTAP_ERROR.ENTRY_NOT_FOUND, message: "entry doesn't exist" } }),
    );
    await expect(client(server.baseUrl).dns.get('svm-1')).resolves.toBeUndefined();
  });
});

describe('network failures', () => {
  it('a refused connection is a NetworkError naming the side', async () => {
    // A port that was listening a moment ago and is closed now has nothing behind it.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const err = await migrationFailure(client(`http://127.0.0.1:${port}`, { side: 'source' }).cluster.get());
    expect(err.name).toBe('NetworkError');
    expect(err.side).toBe('source');
    expect(err.message).toContain('ECONNREFUSED');
    expectNoCredentials(err);
  });

  it('a server that never answers times out as a NetworkError', async () => {
    const server = await serve(() => undefined);
    // The server never answers: only the client's own deadline can end this call.
    const err = await migrationFailure(client(server.baseUrl, { timeoutMs: 150 }).nodes.list());
    expect(err.name).toBe('NetworkError');
    expect(err.message).toContain('ETIMEDOUT');
    expectNoCredentials(err);
  });

  it('sends a call once more when the kept-alive socket it went out on had been closed', async () => {
    // Prepare: the cluster drops a kept-alive connection when a second request arrives on it,
    // before reading it, as a server whose idle timeout fired at that moment does.
    const calls = new WeakMap<object, number>();
    let connections = 0;
    const server = await serve((_req, res) => {
      const socket = res.socket as object;
      const n = (calls.get(socket) ?? 0) + 1;
      calls.set(socket, n);
      if (n === 1) connections++;
      if (n > 1) {
        res.socket?.destroy();
        return;
      }
      json(res, 200, {
        name: 'cluster1',
        uuid: 'c-1',
        version: { full: 'NetApp Release 9.14.1', generation: 9, major: 14, minor: 1 },
      });
    });
    const c = client(server.baseUrl);
    await c.cluster.get();

    // Act: the next call goes out on the kept-alive socket, which the cluster drops.
    const second = await c.cluster.get();

    // Assess: answered, on a fresh connection, with three requests seen in all.
    expect(second).toMatchObject({ name: 'cluster1' });
    expect(connections).toBe(2);
    expect(server.seen).toHaveLength(3);
  });

  it('does not send again when a fresh connection is reset (only a reused socket may have been closed while idle)', async () => {
    const server = await serve((_req, res) => {
      res.socket?.destroy();
    });
    const err = await migrationFailure(client(server.baseUrl).cluster.get());
    expect(err.name).toBe('NetworkError');
    expect(server.seen).toHaveLength(1);
  });

  it('a connection cut in the middle of an answer is a NetworkError', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"records": [');
      setImmediate(() => res.socket?.destroy());
    });
    const err = await migrationFailure(client(server.baseUrl).aggregates.list());
    expect(err.name).toBe('NetworkError');
    expectNoCredentials(err);
  });

  it('logs every call without credentials', async () => {
    const lines: string[] = [];
    const log = (m: string, e?: Record<string, unknown>) => lines.push(`${m} ${JSON.stringify(e)}`);
    const logger = { debug: log, warn: log };
    const server = await serve((_req, res) =>
      json(res, 503, { error: { code: ONTAP_ERROR.INTERNAL, message: 'busy' } }),
    );
    await migrationFailure(client(server.baseUrl, { logger }).peers.list());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('/api/cluster/peers');
    expect(lines[0]).not.toContain(PASSWORD);
    expect(lines[0]).not.toContain(TOKEN);
  });
});

describe('TLS', () => {
  const tls = { key: fixture('server.key'), cert: fixture('server.pem') };
  const ok = (_req: unknown, res: import('node:http').ServerResponse): void =>
    json(res, 200, { records: [], num_records: 0 });

  it('verifies the certificate against the given CA bundle', async () => {
    const server = await serve(ok, tls);
    await expect(client(server.baseUrl, { ca: fixture('ca.pem') }).peers.list()).resolves.toEqual([]);
  });

  it('refuses an unknown CA with a ValidationError about the CA bundle', async () => {
    const server = await serve(ok, tls);
    const err = await migrationFailure(client(server.baseUrl).peers.list());
    expect(err.name).toBe('ValidationError');
    expect((err as { field?: string }).field).toBe('destination.ca');
    expectNoCredentials(err);
  });

  it('accepts any certificate when verification is turned off', async () => {
    const server = await serve(ok, tls);
    await expect(client(server.baseUrl, { rejectUnauthorized: false }).peers.list()).resolves.toEqual([]);
  });
});
