// The generic ONTAP REST layer of the simulator: request forms ONTAP accepts (dotted keys,
// enum values in any case), `fields=` (unknown names refused, expensive fields only when
// named), paging with `_links.next`, and the refusals with ONTAP's codes (non-patchable field,
// unknown field, wrong type, unknown `fields=` name).
import { ONTAP_ERROR } from '../../lambdas/ontap/error-codes';
import { type RunningCluster, startCluster } from '../../sim/server';
import { ontap, tmpDir } from './helpers';

describe('ONTAP REST conventions of a simulated cluster', () => {
  let cluster: RunningCluster;
  let api: ReturnType<typeof ontap>;
  let svmUuid: string;
  beforeAll(async () => {
    cluster = await startCluster({ name: 'cluster-rest', dataDir: tmpDir() });
    api = ontap(cluster);
    await api.done('POST', '/api/svm/svms', { name: 'svm_r', language: 'c.utf_8' });
    svmUuid = (await api.one('/api/svm/svms?name=svm_r')).uuid;
  });
  afterAll(() => cluster.stop());

  it('accepts dotted keys as the nested objects they name, and enum values in any case', async () => {
    await api.done('POST', '/api/storage/volumes', {
      name: 'vol_dotted',
      'svm.name': 'svm_r',
      size: 1 << 26,
      type: 'RW',
      'nas.path': '/vol_dotted',
      'nas.security_style': 'UNIX',
    });
    const vol = await api.one('/api/storage/volumes?name=vol_dotted&fields=svm,type,nas');
    expect(vol).toMatchObject({
      svm: { name: 'svm_r', uuid: svmUuid },
      type: 'rw',
      nas: { path: '/vol_dotted', security_style: 'unix' },
    });
    expect(
      (
        await api.post('/api/name-services/dns', {
          'svm.uuid': svmUuid,
          domains: ['r.example'],
          servers: ['10.9.9.9'],
          skip_config_validation: true,
        })
      ).status,
    ).toBe(201);
    expect((await api.get(`/api/name-services/dns/${svmUuid}`)).body).toMatchObject({
      domains: ['r.example'],
      svm: { name: 'svm_r' },
    });
  });

  it("accepts the string forms NetApp's modules send: a reference by name, booleans and numbers in strings", async () => {
    await api.done('POST', '/api/svm/svms', {
      name: 'svm_strings',
      ipspace: 'Default',
      snapshot_policy: 'default',
    });
    const svm = await api.one('/api/svm/svms?name=svm_strings&fields=ipspace,snapshot_policy');
    expect(svm).toMatchObject({ ipspace: { name: 'Default' }, snapshot_policy: { name: 'default' } });
    expect(
      (
        await api.post('/api/protocols/nfs/services', {
          'svm.name': 'svm_strings',
          'protocol.v3_enabled': 'true',
          'protocol.v40_enabled': 'false',
          'transport.tcp_max_transfer_size': '65536',
        })
      ).status,
    ).toBe(201);
    const nfs = (
      await api.get(
        `/api/protocols/nfs/services/${svm.uuid}?fields=protocol.v3_enabled,protocol.v40_enabled,transport`,
      )
    ).body;
    expect(nfs).toMatchObject({
      protocol: { v3_enabled: true, v40_enabled: false },
      transport: { tcp_max_transfer_size: 65536 },
    });
  });

  it('refuses a field given twice, dotted and nested', async () => {
    const answer = await api.post('/api/storage/volumes', {
      name: 'vol_twice',
      'svm.name': 'svm_r',
      svm: { name: 'other' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: ONTAP_ERROR.SPECIFIED_TWICE, target: 'svm.name' });
  });

  it.each([
    [
      'a PATCH of the non-patchable SVM subtype',
      'PATCH',
      'svm',
      { subtype: 'default' },
      ONTAP_ERROR.NOT_SETTABLE,
      'subtype',
    ],
    [
      "a PATCH of a volume's style",
      'PATCH',
      'volume',
      { style: 'flexgroup' },
      ONTAP_ERROR.NOT_SETTABLE,
      'style',
    ],
    [
      'a POST of a read-only field',
      'POST',
      '/api/storage/volumes',
      { name: 'v', svm: { name: 'svm_r' }, is_svm_root: true },
      ONTAP_ERROR.NOT_SETTABLE,
      'is_svm_root',
    ],
    ['an unknown field', 'PATCH', 'svm', { colour: 'blue' }, ONTAP_ERROR.UNEXPECTED_ARGUMENT, 'colour'],
    [
      'an unknown dotted field',
      'POST',
      '/api/storage/volumes',
      { name: 'v', 'svm.name': 'svm_r', 'nas.colour': 'blue' },
      ONTAP_ERROR.UNEXPECTED_ARGUMENT,
      'nas.colour',
    ],
    [
      'a wrong type',
      'POST',
      '/api/protocols/nfs/services',
      { svm: { name: 'svm_r' }, protocol: { v40_enabled: 'yes' } },
      ONTAP_ERROR.INVALID_VALUE,
      'protocol.v40_enabled',
    ],
    [
      'a value not in the enum',
      'POST',
      '/api/storage/volumes',
      { name: 'v', svm: { name: 'svm_r' }, type: 'mirror' },
      ONTAP_ERROR.INVALID_FIELD_VALUE,
      'type',
    ],
    [
      'an unknown rule field',
      'POST',
      '/api/protocols/nfs/export-policies',
      {
        name: 'p',
        svm: { name: 'svm_r' },
        rules: [{ clients: [{ match: '0.0.0.0/0' }], ro_rule: ['sys'], rw_rule: ['sys'], colour: 'x' }],
      },
      ONTAP_ERROR.UNEXPECTED_ARGUMENT,
      'rules[0].colour',
    ],
  ])("refuses %s with ONTAP's code", async (_case, method, where, body, code, target) => {
    const path =
      where === 'svm'
        ? `/api/svm/svms/${svmUuid}`
        : where === 'volume'
          ? `/api/storage/volumes/${(await api.one('/api/storage/volumes?name=vol_dotted')).uuid}`
          : where;
    const answer = await api.call(method, path, body);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code, target });
  });

  it('answers the fields named, refuses an unknown one with 262197, and returns expensive fields only when named', async () => {
    const unknown = await api.get('/api/storage/volumes?fields=name,colour');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: '262197', target: 'fields' });
    expect(unknown.body.error.message).toContain('"colour"');
    const [root] = (
      await api.get('/api/storage/volumes?svm.name=svm_r&is_svm_root=true&fields=is_svm_root,nas.path')
    ).body.records;
    expect(root).toMatchObject({ name: 'svm_r_root', is_svm_root: true, nas: { path: '/' } });
    expect(Object.keys(root).sort()).toEqual(['_links', 'is_svm_root', 'name', 'nas', 'uuid']);
    const star = await api.get(`/api/storage/volumes/${root.uuid}?fields=*`);
    expect(star.body.is_svm_root).toBeUndefined();
    expect(star.body.nas.path).toBe('/');
    expect((await api.get(`/api/storage/volumes/${root.uuid}?fields=**`)).body.is_svm_root).toBe(true);
    const svm = (await api.get(`/api/svm/svms/${svmUuid}?fields=ipspace,subtype`)).body;
    expect(svm).toMatchObject({
      uuid: svmUuid,
      name: 'svm_r',
      subtype: 'default',
      ipspace: { name: 'Default' },
    });
    expect(svm.state).toBeUndefined();
  });

  it('answers a field under a list item by item (fields=aggregates.name), as the volume module reads it', async () => {
    const vol = (
      await api.get(`/api/storage/volumes?name=vol_dotted&fields=aggregates.name,aggregates.uuid,svm.name,`)
    ).body.records[0];
    expect(vol.aggregates).toHaveLength(1);
    expect(Object.keys(vol.aggregates[0]).sort()).toEqual(['name', 'uuid']);
    expect(vol.svm).toEqual({ name: 'svm_r' });
  });

  it('pages a collection with max_records and _links.next until every record is read', async () => {
    for (const name of ['vol_p1', 'vol_p2', 'vol_p3'])
      await api.done('POST', '/api/storage/volumes', { name, svm: { name: 'svm_r' }, size: 1 << 26 });
    const all = (await api.get('/api/storage/volumes?svm.name=svm_r&fields=name')).body.records.map(
      (r: { name: string }) => r.name,
    );
    expect(all.length).toBeGreaterThanOrEqual(5);
    const seen: string[] = [];
    let href: string | undefined = '/api/storage/volumes?svm.name=svm_r&fields=name&max_records=2';
    let pages = 0;
    while (href) {
      const page: { num_records: number; records: { name: string }[]; _links: { next?: { href: string } } } =
        (await api.get(href)).body;
      expect(page.num_records).toBeLessThanOrEqual(2);
      seen.push(...page.records.map((r) => r.name));
      href = page._links.next?.href;
      pages++;
    }
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 2));
    const counted = (
      await api.get('/api/storage/volumes?svm.name=svm_r&return_records=false&return_timeout=15')
    ).body;
    expect(counted).toMatchObject({ num_records: all.length });
    expect(counted.records).toBeUndefined();
  });

  it('answers the netmask as a length, whatever form it was given in', async () => {
    const created = await api.post('/api/network/ip/interfaces?return_records=true', {
      name: 'lif_r',
      'svm.name': 'svm_r',
      'ip.address': '10.7.0.1',
      'ip.netmask': '255.255.240.0',
      enabled: false,
    });
    expect(created.status).toBe(201);
    expect(
      (await api.get(`/api/network/ip/interfaces/${created.body.records[0].uuid}?fields=ip`)).body.ip,
    ).toMatchObject({ address: '10.7.0.1', netmask: '20' });
  });
});

describe('configuration a migration reads, stored as ONTAP answers it', () => {
  let cluster: RunningCluster;
  let api: ReturnType<typeof ontap>;
  beforeAll(async () => {
    cluster = await startCluster({ name: 'cluster-config', dataDir: tmpDir() });
    api = ontap(cluster);
    await api.done('POST', '/api/svm/svms', { name: 'svm_c' });
    await api.done('POST', '/api/storage/volumes', {
      name: 'vol_c',
      svm: { name: 'svm_c' },
      size: 1 << 26,
      nas: { path: '/vol_c' },
    });
  });
  afterAll(() => cluster.stop());

  it.each([
    [
      '/api/name-services/unix-users',
      { 'svm.name': 'svm_c', name: 'alice', id: 1001, primary_gid: 100 },
      'name=alice',
      { id: 1001, primary_gid: 100 },
    ],
    [
      '/api/name-services/unix-groups',
      { 'svm.name': 'svm_c', name: 'staff', id: 100 },
      'name=staff',
      { id: 100, users: [] },
    ],
    [
      '/api/name-services/nis',
      { 'svm.name': 'svm_c', domain: 'nis.example', servers: ['10.0.0.7'] },
      'domain=nis.example',
      { servers: ['10.0.0.7'] },
    ],
    [
      '/api/storage/snapshot-policies',
      {
        name: 'hourly6',
        'svm.name': 'svm_c',
        copies: [{ count: 6, schedule: { name: 'hourly' }, snapmirror_label: 'hourly' }],
      },
      'name=hourly6',
      { enabled: true, copies: [{ count: 6 }] },
    ],
    [
      '/api/storage/qtrees',
      { 'svm.name': 'svm_c', 'volume.name': 'vol_c', name: 'q1', security_style: 'UNIX' },
      'name=q1',
      { id: 1, path: '/vol/vol_c/q1', security_style: 'unix' },
    ],
    [
      '/api/storage/quota/rules',
      {
        'svm.name': 'svm_c',
        'volume.name': 'vol_c',
        'qtree.name': 'q1',
        type: 'tree',
        'space.hard_limit': 1 << 30,
      },
      'type=tree',
      { space: { hard_limit: 1 << 30 } },
    ],
    [
      '/api/network/ip/routes',
      { 'svm.name': 'svm_c', destination: { address: '0.0.0.0', netmask: '0' }, gateway: '10.0.0.1' },
      'gateway=10.0.0.1',
      { metric: 20 },
    ],
    [
      '/api/protocols/cifs/shares',
      { 'svm.name': 'svm_c', name: 'share1', path: '/vol_c' },
      'name=share1',
      { path: '/vol_c' },
    ],
    [
      '/api/storage/luns',
      { 'svm.name': 'svm_c', name: '/vol/vol_c/lun1', 'space.size': 1 << 20, os_type: 'linux' },
      'name=/vol/vol_c/lun1',
      { os_type: 'linux', space: { size: 1 << 20 } },
    ],
  ])(
    '%s: create, find by query with the SVM named, refuse an unknown field, delete',
    async (path, body, filter, expected) => {
      expect((await api.post(path, body)).status).toBe(201);
      const found = await api.one(`${path}?svm.name=svm_c&${filter}&fields=*`);
      expect(found).toMatchObject({ svm: { name: 'svm_c' }, ...expected });
      expect((await api.post(path, { ...body, colour: 'blue' })).body.error).toMatchObject({
        code: ONTAP_ERROR.UNEXPECTED_ARGUMENT,
        target: 'colour',
      });
      expect((await api.delete(found._links.self.href)).status).toBe(200);
      expect((await api.get(`${path}?svm.name=svm_c&${filter}`)).body.num_records).toBe(0);
    },
  );

  it('answers the Default IPspace', async () => {
    const svm = await api.one('/api/svm/svms?name=svm_c&fields=ipspace');
    const ipspaces = (await api.get('/api/network/ipspaces')).body.records;
    expect(ipspaces).toEqual([expect.objectContaining({ name: 'Default', uuid: svm.ipspace.uuid })]);
  });
});
