// OntapClient against the cluster simulator: every resource group, job polling, and each
// error mapping as a real cluster (or network) produces it, credentials never in a message.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MigrationError } from '../../lambdas/errors';
import {
  errorFromRelationship,
  isNotFound,
  OntapClient,
  type OntapClientOptions,
} from '../../lambdas/ontap/client';
import { ONTAP_ERROR } from '../../lambdas/ontap/error-codes';
import type { SnapmirrorRelationship } from '../../lambdas/ontap/types';
import { SimControl } from '../../sim/control';
import { DEMO_SVM } from '../../sim/demo';
import { peerSvms, type RunningPair, startClusterPair } from '../../sim/pair';
import type { RunningCluster } from '../../sim/server';
import { migrationFailure } from '../support/failure';

let dataDir: string;
let pair: RunningPair;
let src: OntapClient;
let dst: OntapClient;
let srcSim: SimControl;
let dstSim: SimControl;
const extraClients: OntapClient[] = [];

function clientFor(
  cluster: RunningCluster,
  side: 'source' | 'destination',
  extra: Partial<OntapClientOptions> = {},
): OntapClient {
  return new OntapClient({
    side,
    baseUrl: cluster.baseUrl,
    username: cluster.username,
    password: cluster.password,
    ca: cluster.ca,
    timeoutMs: 5_000,
    jobPollMs: 5,
    jobTimeoutMs: 15_000,
    ...extra,
  });
}

function extraClient(
  cluster: RunningCluster,
  side: 'source' | 'destination',
  extra: Partial<OntapClientOptions>,
): OntapClient {
  const c = clientFor(cluster, side, extra);
  extraClients.push(c);
  return c;
}

/** The typed error, which must not carry the cluster's password in any view of it. */
async function failure(call: Promise<unknown>): Promise<MigrationError> {
  const e = await migrationFailure(call);
  for (const view of [e.message, JSON.stringify(e.toJSON()), e.stack ?? ''])
    expect(view).not.toContain(pair.source.password);
  return e;
}

/** Polls the relationship until `done` holds (no sleeps: the client's own poll interval). */
function until(
  client: OntapClient,
  uuid: string,
  done: (r: SnapmirrorRelationship) => boolean,
): Promise<SnapmirrorRelationship> {
  return client.poll(
    async () => {
      const rel = await client.snapmirror.getRelationship(uuid);
      return done(rel) ? rel : undefined;
    },
    () => new Error(`relationship ${uuid} did not reach the expected state`),
  );
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svm-'));
  pair = await startClusterPair({ dataDir, demo: true, jobDelayMs: 5, movePhaseMs: 20 });
  src = clientFor(pair.source, 'source');
  dst = clientFor(pair.destination, 'destination');
  srcSim = new SimControl(pair.source);
  dstSim = new SimControl(pair.destination);
});

afterEach(async () => {
  await Promise.all([srcSim.clearFaults(), dstSim.clearFaults()]);
  for (const c of extraClients.splice(0)) c.close();
});

afterAll(async () => {
  src?.close();
  dst?.close();
  await pair?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('inventory', () => {
  it('reads the cluster, its nodes in HA pairs, its peer and its aggregates', async () => {
    const [cluster, nodes, peers, aggregates] = await Promise.all([
      src.cluster.get(),
      src.nodes.list(),
      src.peers.list(),
      src.aggregates.list(),
    ]);
    expect(cluster.name).toBe(pair.source.name);
    expect(cluster.version.generation).toBe(9);
    expect(nodes).toHaveLength(2);
    expect(nodes.every((n) => n.state === 'up' && n.ha.partners.length === 1)).toBe(true);
    expect(peers.find((p) => p.name === pair.destination.name)?.status.state).toBe('available');
    expect(aggregates.every((a) => a.state === 'online' && a.space.block_storage.available > 0)).toBe(true);
  });
});

describe('SVMs and their configuration', () => {
  it('creates, stops, starts and deletes an SVM, with DNS, NFS and export policies', async () => {
    // Prepare
    const svm = await src.svms.create({ name: 'svm_client_t1', language: 'c.utf_8' });
    expect(svm).toMatchObject({ name: 'svm_client_t1', state: 'running', subtype: 'default' });

    // Act + Assess: state changes through PATCH state
    await src.svms.stop(svm.uuid);
    expect((await src.svms.get(svm.uuid)).state).toBe('stopped');
    await src.svms.start(svm.uuid);
    expect((await src.svms.get(svm.uuid)).state).toBe('running');

    // DNS
    expect(await src.dns.get(svm.uuid)).toBeUndefined();
    await src.dns.create({
      svm: { name: svm.name, uuid: svm.uuid },
      domains: ['t1.example.com'],
      servers: ['10.1.1.1'],
    });
    await src.dns.update(svm.uuid, { servers: ['10.1.1.2'] });
    expect(await src.dns.get(svm.uuid)).toMatchObject({ domains: ['t1.example.com'], servers: ['10.1.1.2'] });
    await src.dns.delete(svm.uuid);
    expect(await src.dns.get(svm.uuid)).toBeUndefined();

    // NFS service
    await src.nfs.create({
      svm: { name: svm.name },
      enabled: true,
      protocol: { v3_enabled: true, v40_enabled: false, v41_enabled: false },
    });
    await src.nfs.update(svm.uuid, { protocol: { v3_enabled: true, v40_enabled: true, v41_enabled: false } });
    expect(await src.nfs.get(svm.uuid)).toMatchObject({ enabled: true, protocol: { v40_enabled: true } });
    await src.nfs.delete(svm.uuid);
    expect(await src.nfs.get(svm.uuid)).toBeUndefined();

    // Export policies and rules
    const rule = {
      clients: [{ match: '10.0.0.0/8' }],
      protocols: ['nfs3' as const],
      ro_rule: ['sys' as const],
      rw_rule: ['sys' as const],
      superuser: ['none' as const],
    };
    const policy = await src.exportPolicies.create({
      name: 'exp_t1',
      svm: { name: svm.name, uuid: svm.uuid },
      rules: [rule],
    });
    await src.exportPolicies.addRule(policy.id, { ...rule, clients: [{ match: '192.168.0.0/16' }] });
    const rules = await src.exportPolicies.listRules(policy.id);
    expect(rules.map((r) => r.clients[0].match)).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
    await src.exportPolicies.deleteRule(policy.id, rules[0].index as number);
    expect((await src.exportPolicies.get(policy.id)).rules).toHaveLength(1);
    await src.exportPolicies.delete(policy.id);
    expect((await src.exportPolicies.list({ name: svm.name })).map((p) => p.name)).toEqual(['default']);

    await src.svms.delete(svm.uuid);
    expect(await src.svms.findByName('svm_client_t1')).toBeUndefined();
    expect(isNotFound(await failure(src.svms.get(svm.uuid)))).toBe(true);
  });

  it('creates a dp_destination SVM stopped, refuses to start it, and refuses a PATCH of its subtype', async () => {
    const svm = await dst.svms.create({ name: 'svm_client_dp', subtype: 'dp_destination', comment: 'test' });
    expect(svm).toMatchObject({ state: 'stopped', subtype: 'dp_destination', comment: 'test' });
    const err = await failure(dst.svms.start(svm.uuid));
    expect(err.name).toBe('ValidationError');
    expect((err as { field?: string }).field).toBe('state');
    // ONTAP sets subtype on POST only; the client has no way to send this PATCH any more.
    const subtype = await failure(
      dst.request('PATCH', `/api/svm/svms/${svm.uuid}`, { body: { subtype: 'default' } }),
    );
    expect(subtype.name).toBe('ValidationError');
    expect((subtype as { field?: string }).field).toBe('subtype');
    expect(await dst.svms.get(svm.uuid)).toMatchObject({ state: 'stopped', subtype: 'dp_destination' });
    await dst.svms.delete(svm.uuid);
  });
});

describe('volumes and interfaces', () => {
  it('creates a volume, mounts it, finds it and deletes it', async () => {
    const [aggregate] = await src.aggregates.list();
    const volume = await src.volumes.create({
      name: 'vol_client_t1',
      svm: { name: DEMO_SVM },
      size: 64 * 1024 * 1024,
      type: 'rw',
      aggregates: [{ name: aggregate.name }],
    });
    expect(volume).toMatchObject({
      type: 'rw',
      size: 64 * 1024 * 1024,
      aggregates: [{ name: aggregate.name }],
    });
    await src.volumes.update(volume.uuid, { nas: { path: '/vol_client_t1' } });
    expect((await src.volumes.findByName(DEMO_SVM, 'vol_client_t1'))?.nas?.path).toBe('/vol_client_t1');
    expect((await src.volumes.list({ svmName: DEMO_SVM })).length).toBeGreaterThanOrEqual(9);
    // ONTAP deletes only an unmounted volume
    const mounted = await failure(src.volumes.delete(volume.uuid));
    expect(mounted).toMatchObject({ name: 'ValidationError', field: 'nas.path' });
    await src.volumes.unmount(volume.uuid);
    expect((await src.volumes.get(volume.uuid)).nas?.path).toBeUndefined();
    await src.volumes.delete(volume.uuid);
    expect(isNotFound(await failure(src.volumes.get(volume.uuid)))).toBe(true);
  });

  it('moves a volume to another aggregate and waits for the move to finish', async () => {
    const volume = (await src.volumes.findByName(DEMO_SVM, 'vol08'))!;
    const other = (await src.aggregates.list()).find((a) => a.name !== volume.aggregates[0].name)!;
    const moved = await src.volumes.move(volume.uuid, other.name);
    expect(moved.aggregates[0].name).toBe(other.name);
    expect(moved.movement?.state).toBe('success');
  });

  it('creates an interface with a given name, address and home node, disables, enables and deletes it', async () => {
    const [node] = await src.nodes.list();
    const lif = await src.interfaces.create({
      name: 'lif_client_t1',
      svm: { name: DEMO_SVM },
      ip: { address: '10.0.0.99', netmask: '255.255.255.0' },
      location: { home_node: { name: node.name } },
      enabled: true,
    });
    expect(lif).toMatchObject({
      name: 'lif_client_t1',
      ip: { address: '10.0.0.99' },
      enabled: true,
      state: 'up',
      location: { home_node: { name: node.name } },
    });
    await src.interfaces.disable(lif.uuid);
    expect(await src.interfaces.get(lif.uuid)).toMatchObject({ enabled: false, state: 'down' });
    await src.interfaces.enable(lif.uuid);
    expect((await src.interfaces.get(lif.uuid)).state).toBe('up');
    await src.interfaces.delete(lif.uuid);
    expect(await src.interfaces.findByName(DEMO_SVM, 'lif_client_t1')).toBeUndefined();
  });
});

describe('SnapMirror', () => {
  let svmUuid: string;
  /** The source SVM's local name on the destination: both SVMs are named DEMO_SVM. */
  let alias: string;
  beforeAll(async () => {
    svmUuid = (await dst.svms.create({ name: DEMO_SVM, subtype: 'dp_destination' })).uuid;
    alias = await peerSvms(pair.destination, pair.source, DEMO_SVM, DEMO_SVM);
  });
  afterAll(async () => {
    for (const rel of await dst.snapmirror.listRelationships())
      await dst.snapmirror.deleteRelationship(rel.uuid);
    for (const v of await dst.volumes.list({ svmName: DEMO_SVM })) await dst.volumes.delete(v.uuid);
    await dst.svms.delete(svmUuid);
  });

  async function relationshipFor(volume: string): Promise<SnapmirrorRelationship> {
    const [aggregate] = await dst.aggregates.list();
    await dst.volumes.create({
      name: volume,
      svm: { name: DEMO_SVM },
      size: 1024 ** 3,
      type: 'dp',
      aggregates: [{ name: aggregate.name }],
    });
    return dst.snapmirror.createRelationship({
      source: { path: `${alias}:${volume}`, cluster: { name: pair.source.name } },
      destination: { path: `${DEMO_SVM}:${volume}` },
    });
  }

  it('initializes, updates, quiesces, breaks and deletes a relationship', async () => {
    // Prepare
    const rel = await relationshipFor('vol01');
    expect(rel).toMatchObject({ state: 'uninitialized', destination: { path: `${DEMO_SVM}:vol01` } });

    // Act: baseline
    await dst.snapmirror.initialize(rel.uuid);
    const mirrored = await until(
      dst,
      rel.uuid,
      (r) => r.state === 'snapmirrored' && r.transfer?.state === 'success',
    );
    expect(mirrored.transfer?.bytes_transferred).toBeGreaterThan(0);
    expect(mirrored.lag_time).toMatch(/^PT/);

    // Act: an update after a new write at the source
    await srcSim.writeFile(DEMO_SVM, 'vol01', 'new.txt', 'written after the baseline');
    await dst.snapmirror.startUpdate(rel.uuid);
    const updated = await until(
      dst,
      rel.uuid,
      (r) => r.transfer?.uuid !== mirrored.transfer?.uuid && r.transfer?.state === 'success',
    );
    const transfers = await dst.snapmirror.listTransfers(rel.uuid);
    expect(transfers.length).toBeGreaterThanOrEqual(2);
    expect((await dst.snapmirror.getTransfer(rel.uuid, updated.transfer?.uuid as string)).state).toBe(
      'success',
    );
    expect((await dstSim.volumeFiles(DEMO_SVM, 'vol01'))['new.txt']).toBeDefined();

    // Act: quiesce, break
    await dst.snapmirror.quiesce(rel.uuid);
    expect((await dst.snapmirror.getRelationship(rel.uuid)).state).toBe('paused');
    await dst.snapmirror.break(rel.uuid);
    expect((await dst.snapmirror.findByDestination(`${DEMO_SVM}:vol01`))?.state).toBe('broken_off');
    expect((await dst.volumes.findByName(DEMO_SVM, 'vol01'))?.type).toBe('rw');

    await dst.snapmirror.deleteRelationship(rel.uuid);
    expect(isNotFound(await failure(dst.snapmirror.getRelationship(rel.uuid)))).toBe(true);
  });

  it('aborts a running transfer', async () => {
    const rel = await relationshipFor('vol02');
    await dstSim.settings({ linkBandwidthBytesPerSec: 4096 });
    await dst.snapmirror.initialize(rel.uuid);
    const running = await until(dst, rel.uuid, (r) => r.transfer?.state === 'transferring');
    await dst.snapmirror.abortTransfer(rel.uuid, running.transfer?.uuid as string);
    await dstSim.settings({ linkBandwidthBytesPerSec: 0 });
    expect((await until(dst, rel.uuid, (r) => r.transfer?.state !== 'transferring')).transfer?.state).toBe(
      'aborted',
    );
  });

  it('a transfer that fails because the link is down maps to InterClusterLinkError', async () => {
    const rel = await relationshipFor('vol03');
    await dstSim.linkDown();
    await dst.snapmirror.initialize(rel.uuid);
    const failed = await until(dst, rel.uuid, (r) => r.transfer?.state === 'failed');
    const err = errorFromRelationship('destination', failed);
    expect(err?.name).toBe('InterClusterLinkError');
    expect(err?.ontap?.code).toBe(ONTAP_ERROR.PEER_UNREACHABLE);
  });
});

describe('jobs', () => {
  it('reads and waits for a job by uuid', async () => {
    const svm = await src.svms.create({ name: 'svm_client_jobs' });
    // return_timeout=0: ONTAP answers 202 at once; the transport still waits before returning.
    const answer = await src.request<{ job: { uuid: string } }>('DELETE', `/api/svm/svms/${svm.uuid}`, {
      returnTimeoutSeconds: 0,
    });
    expect(answer.status).toBe(202);
    expect(answer.job?.state).toBe('success');
    expect((await src.jobs.get(answer.body.job.uuid)).state).toBe('success');
    expect((await src.jobs.wait(answer.body.job.uuid)).state).toBe('success');
  });

  it('a job that fails on a down node becomes NodeUnhealthyError naming the node', async () => {
    const aggregates = await src.aggregates.list();
    const target = aggregates[1];
    await srcSim.nodeDown(target.node.name, { takeoverDelayMs: 60_000 });
    const err = await failure(
      src.volumes.create({
        name: 'vol_client_down',
        svm: { name: DEMO_SVM },
        size: 1024 ** 2,
        type: 'rw',
        aggregates: [{ name: target.name }],
      }),
    );
    expect(err.name).toBe('NodeUnhealthyError');
    expect((err as { node?: string }).node).toBe(target.node.name);
    expect(err.ontap?.code).toBe(ONTAP_ERROR.NODE_UNHEALTHY);
  });

  it('a job still running at its deadline is a TransientError', async () => {
    await srcSim.settings({ jobDelayMs: 400 });
    const impatient = extraClient(pair.source, 'source', { jobTimeoutMs: 50 });
    const err = await failure(impatient.svms.create({ name: 'svm_client_slow' }));
    await srcSim.settings({ jobDelayMs: 5 });
    expect(err.name).toBe('TransientError');
    expect(err.message).toContain('still');
    await src.poll(
      async () => (await src.svms.findByName('svm_client_slow'))?.state === 'running' || undefined,
      () => new Error('slow SVM never appeared'),
    );
    await src.svms.delete((await src.svms.findByName('svm_client_slow'))!.uuid);
  });
});

describe('error mapping', () => {
  it('an injected 503 is a TransientError with ONTAP code, and the next call succeeds', async () => {
    await srcSim.injectError({
      path: '/api/storage/aggregates',
      status: 503,
      code: ONTAP_ERROR.INTERNAL,
      count: 1,
    });
    const err = await failure(src.aggregates.list());
    expect(err).toMatchObject({
      name: 'TransientError',
      side: 'source',
      ontap: { status: 503, code: ONTAP_ERROR.INTERNAL },
    });
    await expect(src.aggregates.list()).resolves.not.toHaveLength(0);
  });

  it('an unknown field is a ValidationError naming the field', async () => {
    const err = await failure(
      src.request('POST', '/api/svm/svms', { body: { name: 'svm_bad', colour: 'blue' } }),
    );
    expect(err).toMatchObject({
      name: 'ValidationError',
      field: 'colour',
      ontap: { code: ONTAP_ERROR.UNEXPECTED_ARGUMENT, status: 400 },
    });
  });

  it('a duplicate is a ConflictError', async () => {
    const err = await failure(src.svms.create({ name: DEMO_SVM }));
    expect(err).toMatchObject({ name: 'ConflictError', ontap: { code: ONTAP_ERROR.DUPLICATE_ENTRY } });
  });

  it('a creation that needs the peer while the link is down is an InterClusterLinkError', async () => {
    const svm = await dst.svms.create({ name: 'svm_client_link', subtype: 'dp_destination' });
    const [aggregate] = await dst.aggregates.list();
    const vol = await dst.volumes.create({
      name: 'vol01',
      svm: { name: svm.name },
      size: 1024 ** 3,
      type: 'dp',
      aggregates: [{ name: aggregate.name }],
    });
    await peerSvms(pair.destination, pair.source, svm.name, DEMO_SVM);
    await dstSim.linkDown();
    const err = await failure(
      dst.snapmirror.createRelationship({
        source: { path: `${DEMO_SVM}:vol01`, cluster: { name: pair.source.name } },
        destination: { path: 'svm_client_link:vol01' },
      }),
    );
    expect(err.name).toBe('InterClusterLinkError');
    await dst.volumes.delete(vol.uuid);
    await dst.svms.delete(svm.uuid);
  });

  it.each([['refuse'], ['reset']] as const)(
    'a cluster that %ss connections is a NetworkError on its side',
    async (mode) => {
      await dstSim.unreachable(mode);
      const err = await failure(dst.cluster.get());
      expect(err).toMatchObject({ name: 'NetworkError', side: 'destination' });
    },
  );

  it('a call slower than the timeout is a NetworkError', async () => {
    await srcSim.addLatency(600, '/api/cluster/nodes');
    const hasty = extraClient(pair.source, 'source', { timeoutMs: 100 });
    const err = await failure(hasty.nodes.list());
    expect(err.name).toBe('NetworkError');
    expect(err.message).toContain('ETIMEDOUT');
  });

  it('wrong credentials are an AuthenticationError that does not echo them', async () => {
    const wrong = extraClient(pair.source, 'source', { password: 'not-the-password-42' });
    const err = await failure(wrong.cluster.get());
    expect(err.name).toBe('AuthenticationError');
    expect(err.ontap?.status).toBe(401);
    expect(err.message).not.toContain('not-the-password-42');
  });
});
