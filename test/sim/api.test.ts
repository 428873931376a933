// The ONTAP API of one simulated cluster: CRUD of every resource over HTTP, the job model
// (202 + polling, return_timeout), and ONTAP's error bodies for bad requests.
import { ONTAP_ERROR } from '../../lambdas/ontap/error-codes';
import { simFetch } from '../../sim/fetch';
import { type RunningCluster, startCluster } from '../../sim/server';
import { ontap, tmpDir } from './helpers';

describe('ONTAP API of a simulated cluster', () => {
  let cluster: RunningCluster;
  let api: ReturnType<typeof ontap>;
  beforeAll(async () => {
    cluster = await startCluster({ name: 'cluster-api', dataDir: tmpDir(), nodes: 4, movePhaseMs: 20 });
    api = ontap(cluster);
  });
  afterAll(() => cluster.stop());

  it('refuses a request without the right credentials with an ONTAP error body', async () => {
    const answer = await ontap({ ...cluster, password: 'wrong' }).get('/api/cluster');
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('6691623');
  });

  it('describes the cluster, its 4 nodes in HA pairs and one aggregate per node', async () => {
    expect((await api.get('/api/cluster')).body).toMatchObject({
      name: 'cluster-api',
      version: { generation: 9 },
    });
    const nodes = (await api.get('/api/cluster/nodes')).body;
    expect(nodes.num_records).toBe(4);
    const [n1, n2] = nodes.records;
    expect(n1.ha.partners[0].uuid).toBe(n2.uuid);
    expect(n2.ha.partners[0].uuid).toBe(n1.uuid);
    expect(n1).toMatchObject({
      state: 'up',
      membership: 'member',
      ha: { takeover: { state: 'not_attempted' } },
    });
    expect((await api.get(`/api/cluster/nodes/${n1.uuid}`)).body.name).toBe(n1.name);
    const aggrs = (await api.get('/api/storage/aggregates')).body.records;
    expect(aggrs.map((a: { node: { name: string } }) => a.node.name).sort()).toEqual(
      nodes.records.map((n: { name: string }) => n.name).sort(),
    );
    expect(aggrs[0].space.block_storage.size).toBeGreaterThan(0);
  });

  it('creates, starts, stops and deletes SVMs through jobs', async () => {
    // create (202 + job), duplicate (409)
    const post = await api.post('/api/svm/svms', { name: 'svm_a' });
    expect(post.status).toBe(202);
    expect(post.body.job._links.self.href).toBe(`/api/cluster/jobs/${post.body.job.uuid}`);
    const job = await api.job(post.body.job.uuid);
    expect(job).toMatchObject({ state: 'success', svm: { name: 'svm_a' } });
    const svm = await api.one('/api/svm/svms?name=svm_a');
    expect(svm).toMatchObject({ state: 'running', subtype: 'default' });
    expect((await api.post('/api/svm/svms', { name: 'svm_a' })).body.error.code).toBe(
      ONTAP_ERROR.DUPLICATE_ENTRY,
    );
    // stop, then start with return_timeout (answered when the job is done)
    await api.done('PATCH', `/api/svm/svms/${svm.uuid}`, { state: 'stopped' });
    expect((await api.get(`/api/svm/svms/${svm.uuid}`)).body.state).toBe('stopped');
    const started = await api.patch(`/api/svm/svms/${svm.uuid}?return_timeout=10`, { state: 'running' });
    expect(started.status).toBe(200);
    expect((await api.get(`/api/svm/svms/${svm.uuid}`)).body.state).toBe('running');
    // a dp_destination SVM starts stopped and cannot be started; its subtype is not patchable
    await api.done('POST', '/api/svm/svms', { name: 'svm_dp', subtype: 'dp_destination' });
    const dp = await api.one('/api/svm/svms?name=svm_dp');
    expect(dp).toMatchObject({ state: 'stopped', subtype: 'dp_destination' });
    const refused = await api.patch(`/api/svm/svms/${dp.uuid}`, { state: 'running' });
    expect(refused.body.error).toMatchObject({ code: ONTAP_ERROR.INVALID_VALUE, target: 'state' });
    const subtype = await api.patch(`/api/svm/svms/${dp.uuid}`, { subtype: 'default' });
    expect(subtype.status).toBe(400);
    expect(subtype.body.error).toMatchObject({ code: ONTAP_ERROR.NOT_SETTABLE, target: 'subtype' });
    expect((await api.get(`/api/svm/svms/${dp.uuid}`)).body).toMatchObject({
      state: 'stopped',
      subtype: 'dp_destination',
    });
    // delete
    await api.done('DELETE', `/api/svm/svms/${dp.uuid}`);
    expect((await api.get(`/api/svm/svms/${dp.uuid}`)).status).toBe(404);
  });

  it('manages DNS, the NFS service, export policies and their rules', async () => {
    const svm = await api.one('/api/svm/svms?name=svm_a');
    const ref = { name: 'svm_a' };
    expect(
      (await api.post('/api/name-services/dns', { svm: ref, domains: ['a.example'], servers: ['10.1.1.1'] }))
        .status,
    ).toBe(201);
    expect((await api.post('/api/name-services/dns', { svm: ref, domains: [], servers: [] })).status).toBe(
      409,
    );
    expect((await api.patch(`/api/name-services/dns/${svm.uuid}`, { servers: ['10.1.1.2'] })).status).toBe(
      200,
    );
    expect((await api.get(`/api/name-services/dns/${svm.uuid}`)).body).toMatchObject({
      domains: ['a.example'],
      servers: ['10.1.1.2'],
      svm: { uuid: svm.uuid },
    });
    expect((await api.one(`/api/name-services/dns?svm.name=svm_a`)).svm.name).toBe('svm_a');

    expect(
      (
        await api.post('/api/protocols/nfs/services', {
          svm: ref,
          protocol: { v3_enabled: true, v40_enabled: true },
        })
      ).status,
    ).toBe(201);
    expect((await api.get(`/api/protocols/nfs/services/${svm.uuid}`)).body).toMatchObject({
      enabled: true,
      state: 'online',
      protocol: { v3_enabled: true, v40_enabled: true, v41_enabled: false },
    });
    expect((await api.patch(`/api/protocols/nfs/services/${svm.uuid}`, { enabled: false })).status).toBe(200);
    expect((await api.get(`/api/protocols/nfs/services/${svm.uuid}`)).body.state).toBe('offline');
    expect((await api.get(`/api/svm/svms/${svm.uuid}`)).body.nfs.enabled).toBe(false);

    const rule = { clients: [{ match: '10.0.0.0/8' }], ro_rule: ['sys'], rw_rule: ['sys'] };
    const created = await api.post('/api/protocols/nfs/export-policies?return_records=true', {
      name: 'pol1',
      svm: ref,
      rules: [rule],
    });
    expect(created.status).toBe(201);
    const policy = created.body.records[0];
    expect(policy.rules[0]).toMatchObject({ index: 1, protocols: ['any'], superuser: ['none'] });
    expect(
      (
        await api.post(`/api/protocols/nfs/export-policies/${policy.id}/rules`, {
          ...rule,
          clients: [{ match: '0.0.0.0/0' }],
        })
      ).status,
    ).toBe(201);
    expect(
      (await api.patch(`/api/protocols/nfs/export-policies/${policy.id}/rules/2`, { rw_rule: ['never'] }))
        .status,
    ).toBe(200);
    expect((await api.get(`/api/protocols/nfs/export-policies/${policy.id}/rules/2`)).body.rw_rule).toEqual([
      'never',
    ]);
    expect((await api.get(`/api/protocols/nfs/export-policies/${policy.id}/rules`)).body.num_records).toBe(2);
    expect((await api.delete(`/api/protocols/nfs/export-policies/${policy.id}/rules/1`)).status).toBe(200);
    // Every SVM has a "default" policy, as in ONTAP.
    expect(
      (await api.get('/api/protocols/nfs/export-policies?svm.name=svm_a')).body.records
        .map((p: { name: string }) => p.name)
        .sort(),
    ).toEqual(['default', 'pol1']);
    expect(
      (await api.patch(`/api/protocols/nfs/export-policies/${policy.id}`, { name: 'pol2' })).status,
    ).toBe(200);
    expect((await api.delete(`/api/protocols/nfs/export-policies/${policy.id}`)).status).toBe(200);
    expect((await api.get(`/api/protocols/nfs/export-policies/${policy.id}`)).status).toBe(404);
    expect((await api.delete(`/api/protocols/nfs/services/${svm.uuid}`)).status).toBe(200);
    expect((await api.delete(`/api/name-services/dns/${svm.uuid}`)).status).toBe(200);
  });

  it('creates, modifies, moves and deletes volumes', async () => {
    const aggrs = (await api.get('/api/storage/aggregates')).body.records;
    await api.done('POST', '/api/storage/volumes', {
      name: 'v1',
      svm: { name: 'svm_a' },
      aggregates: [{ name: aggrs[0].name }],
      size: 1 << 30,
      nas: { path: '/v1' },
    });
    const vol = await api.one('/api/storage/volumes?name=v1&svm.name=svm_a');
    expect(vol).toMatchObject({
      type: 'rw',
      state: 'online',
      size: 1 << 30,
      aggregates: [{ name: aggrs[0].name }],
      nas: { path: '/v1' },
    });
    await api.done('PATCH', `/api/storage/volumes/${vol.uuid}`, { size: 2 * 1024 ** 3 });
    expect((await api.get(`/api/storage/volumes/${vol.uuid}`)).body.size).toBe(2 * 1024 ** 3);
    // move, both ways ONTAP accepts
    await api.done('PATCH', `/api/storage/volumes/${vol.uuid}`, { aggregates: [{ name: aggrs[2].name }] });
    expect((await api.get(`/api/storage/volumes/${vol.uuid}`)).body).toMatchObject({
      aggregates: [{ name: aggrs[2].name }],
      movement: { state: 'success', percent_complete: 100 },
    });
    await api.done('PATCH', `/api/storage/volumes/${vol.uuid}`, {
      movement: { destination_aggregate: { name: aggrs[1].name } },
    });
    expect((await api.get(`/api/storage/volumes/${vol.uuid}`)).body.aggregates[0].name).toBe(aggrs[1].name);
    // dp volumes
    await api.done('POST', '/api/storage/volumes', { name: 'v1_dp', svm: { name: 'svm_a' }, type: 'dp' });
    expect((await api.one('/api/storage/volumes?name=v1_dp')).type).toBe('dp');
    expect((await api.post('/api/storage/volumes', { name: 'v1', svm: { name: 'svm_a' } })).status).toBe(409);
    // a mounted volume is not deleted: unmount (nas.path "") first
    const mounted = await api.delete(`/api/storage/volumes/${vol.uuid}`);
    expect(mounted.status).toBe(400);
    expect(mounted.body.error).toMatchObject({ code: ONTAP_ERROR.INVALID_VALUE, target: 'nas.path' });
    await api.done('PATCH', `/api/storage/volumes/${vol.uuid}`, { nas: { path: '' } });
    expect((await api.get(`/api/storage/volumes/${vol.uuid}`)).body.nas.path).toBeUndefined();
    await api.done('DELETE', `/api/storage/volumes/${vol.uuid}`);
    expect((await api.get(`/api/storage/volumes/${vol.uuid}`)).status).toBe(404);
  });

  it('creates, enables, disables and deletes interfaces', async () => {
    const node = (await api.get('/api/cluster/nodes')).body.records[1];
    const lif = {
      name: 'lif_a',
      svm: { name: 'svm_a' },
      ip: { address: '10.2.0.1', netmask: '255.255.0.0' },
      location: { home_node: { name: node.name } },
      enabled: false,
    };
    const created = await api.post('/api/network/ip/interfaces?return_records=true', lif);
    expect(created.status).toBe(201);
    const uuid = created.body.records[0].uuid;
    expect((await api.get(`/api/network/ip/interfaces/${uuid}`)).body).toMatchObject({
      state: 'down',
      enabled: false,
      location: { home_node: { name: node.name } },
    });
    expect((await api.patch(`/api/network/ip/interfaces/${uuid}`, { enabled: true })).status).toBe(200);
    expect((await api.one('/api/network/ip/interfaces?name=lif_a')).state).toBe('up');
    expect((await api.post('/api/network/ip/interfaces', { ...lif, name: 'lif_b' })).body.error.code).toBe(
      ONTAP_ERROR.DUPLICATE_ENTRY,
    );
    expect((await api.delete(`/api/network/ip/interfaces/${uuid}`)).status).toBe(200);
    expect((await api.get(`/api/network/ip/interfaces/${uuid}`)).status).toBe(404);
  });

  it('answers a failed job with its message and code, and return_timeout with the error', async () => {
    const post = await api.post('/api/snapmirror/relationships', {
      source: { path: 'svm_x:v' },
      destination: { path: 'svm_a:nope' },
    });
    expect(post.status).toBe(404);
    await api.done('POST', '/api/storage/volumes', { name: 'dp2', svm: { name: 'svm_a' }, type: 'dp' });
    // No peer: the relationship cannot be created.
    expect(
      (
        await api.post('/api/snapmirror/relationships', {
          source: { path: 'svm_x:v' },
          destination: { path: 'svm_a:dp2' },
        })
      ).body.error.code,
    ).toBe(ONTAP_ERROR.ENTRY_NOT_FOUND);
    const svm = await api.one('/api/svm/svms?name=svm_a');
    // The SVM still has volumes: its delete fails.
    expect((await api.delete(`/api/svm/svms/${svm.uuid}`)).status).toBe(400);
    const answer = await api.post('/api/storage/volumes?return_timeout=5', {
      name: 'dp2',
      svm: { name: 'svm_a' },
    });
    expect(answer.body.error.code).toBe(ONTAP_ERROR.DUPLICATE_ENTRY);
  });

  it.each([
    [
      'an unknown field',
      'POST',
      '/api/svm/svms',
      { name: 'x', colour: 'blue' },
      400,
      ONTAP_ERROR.UNEXPECTED_ARGUMENT,
      'colour',
    ],
    [
      'an unknown nested field',
      'POST',
      '/api/storage/volumes',
      { name: 'x', svm: { name: 'svm_a', id: 1 } },
      400,
      ONTAP_ERROR.UNEXPECTED_ARGUMENT,
      'svm.id',
    ],
    [
      'a wrong enum value',
      'POST',
      '/api/svm/svms',
      { name: 'x', subtype: 'weird' },
      400,
      ONTAP_ERROR.INVALID_FIELD_VALUE,
      'subtype',
    ],
    [
      'a wrong type',
      'POST',
      '/api/storage/volumes',
      { name: 'x', svm: { name: 'svm_a' }, size: '1G' },
      400,
      ONTAP_ERROR.INVALID_VALUE,
      'size',
    ],
    [
      'a missing required field',
      'POST',
      '/api/storage/volumes',
      { name: 'x' },
      400,
      ONTAP_ERROR.MISSING_FIELD,
      'svm',
    ],
    [
      'a missing nested field',
      'POST',
      '/api/network/ip/interfaces',
      { name: 'x', svm: { name: 'svm_a' }, ip: {} },
      400,
      ONTAP_ERROR.MISSING_FIELD,
      'ip.address',
    ],
    [
      'an unknown uuid',
      'PATCH',
      '/api/storage/volumes/00000000-0000-0000-0000-000000000000',
      { size: 1 },
      404,
      ONTAP_ERROR.ENTRY_NOT_FOUND,
      'uuid',
    ],
    [
      'an unknown SVM name',
      'POST',
      '/api/storage/volumes',
      { name: 'x', svm: { name: 'nope' } },
      404,
      ONTAP_ERROR.ENTRY_NOT_FOUND,
      'svm',
    ],
    [
      'a wrong relationship state',
      'PATCH',
      '/api/snapmirror/relationships/x',
      { state: 'resync' },
      404,
      ONTAP_ERROR.ENTRY_NOT_FOUND,
      'uuid',
    ],
    ['a bad JSON body', 'POST', '/api/svm/svms', '{', 400, ONTAP_ERROR.INVALID_VALUE, undefined],
    ['an unknown API', 'GET', '/api/nowhere', undefined, 404, ONTAP_ERROR.ENTRY_NOT_FOUND, undefined],
  ])("rejects %s with ONTAP's error body", async (_case, method, urlPath, body, status, code, target) => {
    const answer =
      typeof body === 'string'
        ? await simFetch(`${cluster.baseUrl}${urlPath}`, {
            ca: cluster.ca,
            method,
            body,
            headers: {
              authorization: `Basic ${Buffer.from(`${cluster.username}:${cluster.password}`).toString('base64')}`,
            },
          }).then(async (r) => ({ status: r.status, body: await r.json() }))
        : await api.call(method, urlPath, body);
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
    expect(typeof answer.body.error.message).toBe('string');
    if (target) expect(answer.body.error.target).toBe(target);
  });

  it('lists jobs and answers 404 for an unknown job', async () => {
    expect((await api.get('/api/cluster/jobs')).body.num_records).toBeGreaterThan(0);
    expect((await api.get('/api/cluster/jobs/unknown')).body.error.code).toBe(ONTAP_ERROR.ENTRY_NOT_FOUND);
  });

  it('keeps its state across a restart', async () => {
    const before = await api.one('/api/svm/svms?name=svm_a');
    await cluster.stop();
    cluster = await startCluster({ name: 'cluster-api', dataDir: cluster.dataDir });
    api = ontap(cluster);
    expect(await api.one('/api/svm/svms?name=svm_a')).toEqual(before);
  });
});
