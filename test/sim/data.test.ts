// The data endpoint: clients read and write files through an SVM only while it serves
// (running, default subtype, rw volume online, an interface up on this cluster), and
// every write acknowledged survives a restart.
import { SimControl } from '../../sim/control';
import { DEMO_SVM, DEMO_VOLUMES } from '../../sim/demo';
import { type RunningPair, startClusterPair } from '../../sim/pair';
import { startCluster } from '../../sim/server';
import { ontap, tmpDir } from './helpers';

describe('data endpoint', () => {
  let pair: RunningPair;
  let client: SimControl;
  let src: ReturnType<typeof ontap>;
  beforeAll(async () => {
    pair = await startClusterPair({ dataDir: tmpDir(), demo: true });
    client = new SimControl(pair.source);
    src = ontap(pair.source);
  });
  afterAll(() => pair.stop());

  it('serves the demo SVM: 8 volumes of files, DNS, NFS, export policy, two interfaces up', async () => {
    for (const volume of DEMO_VOLUMES) {
      const files = await client.listFiles(DEMO_SVM, volume);
      expect(files.length).toBeGreaterThanOrEqual(3);
      for (const f of files) expect(f.size).toBeGreaterThanOrEqual(2048);
    }
    const svm = await src.one(`/api/svm/svms?name=${DEMO_SVM}`);
    expect((await src.get(`/api/name-services/dns/${svm.uuid}`)).body.servers.length).toBe(2);
    expect((await src.get(`/api/protocols/nfs/services/${svm.uuid}`)).body.protocol).toMatchObject({
      v3_enabled: true,
      v40_enabled: true,
    });
    expect((await src.one(`/api/storage/volumes?name=vol05`)).nas.export_policy.name).toBe('demo_exports');
    const lifs = (await src.get(`/api/network/ip/interfaces?svm.name=${DEMO_SVM}`)).body.records;
    expect(lifs.map((l: { state: string }) => l.state)).toEqual(['up', 'up']);
  });

  it('writes, reads, lists and deletes files', async () => {
    const written = await client.writeFile(DEMO_SVM, 'vol02', 'dir/a b.txt', 'hello');
    expect(written.size).toBe(5);
    expect((await client.readFile(DEMO_SVM, 'vol02', 'dir/a b.txt')).toString()).toBe('hello');
    expect((await client.listFiles(DEMO_SVM, 'vol02')).map((f) => f.path)).toContain('dir/a b.txt');
    await client.deleteFile(DEMO_SVM, 'vol02', 'dir/a b.txt');
    await expect(client.readFile(DEMO_SVM, 'vol02', 'dir/a b.txt')).rejects.toMatchObject({ status: 404 });
    await expect(client.writeFile(DEMO_SVM, 'vol02', 'a//b', 'x')).rejects.toMatchObject({
      status: 400,
      target: 'path',
    });
  });

  it('refuses access while the SVM is stopped', async () => {
    const svm = await src.one(`/api/svm/svms?name=${DEMO_SVM}`);
    expect(await client.serving(DEMO_SVM)).toBe(true);
    await src.done('PATCH', `/api/svm/svms/${svm.uuid}`, { state: 'stopped' });
    await expect(client.writeFile(DEMO_SVM, 'vol01', 'x.txt', 'x')).rejects.toMatchObject({
      status: 503,
      target: 'svm.state',
    });
    // The prober's view (control port) says the same.
    expect(await client.serving(DEMO_SVM)).toBe(false);
    expect(await client.serving('svm_absent')).toBe(false);
    await src.done('PATCH', `/api/svm/svms/${svm.uuid}`, { state: 'running' });
    await client.writeFile(DEMO_SVM, 'vol01', 'x.txt', 'x');
  });

  it('refuses access while no interface of the SVM is up', async () => {
    const lifs = (await src.get(`/api/network/ip/interfaces?svm.name=${DEMO_SVM}`)).body.records;
    for (const lif of lifs) await src.patch(`/api/network/ip/interfaces/${lif.uuid}`, { enabled: false });
    await expect(client.readFile(DEMO_SVM, 'vol01', 'x.txt')).rejects.toMatchObject({
      status: 503,
      target: 'interfaces',
    });
    expect(await client.serving(DEMO_SVM)).toBe(false);
    await src.patch(`/api/network/ip/interfaces/${lifs[1].uuid}`, { enabled: true });
    expect(await client.serving(DEMO_SVM)).toBe(true);
    expect((await client.readFile(DEMO_SVM, 'vol01', 'x.txt')).toString()).toBe('x');
    await src.patch(`/api/network/ip/interfaces/${lifs[0].uuid}`, { enabled: true });
  });

  it('refuses access to an offline volume and to a dp_destination SVM', async () => {
    const vol = await src.one('/api/storage/volumes?name=vol03');
    await src.done('PATCH', `/api/storage/volumes/${vol.uuid}`, { state: 'offline' });
    await expect(client.listFiles(DEMO_SVM, 'vol03')).rejects.toMatchObject({
      status: 503,
      target: 'volume.state',
    });
    await src.done('PATCH', `/api/storage/volumes/${vol.uuid}`, { state: 'online' });
    const dst = ontap(pair.destination);
    await dst.done('POST', '/api/svm/svms', { name: 'svm_dp', subtype: 'dp_destination' });
    await dst.done('POST', '/api/storage/volumes', { name: 'v', svm: { name: 'svm_dp' }, type: 'dp' });
    await expect(new SimControl(pair.destination).listFiles('svm_dp', 'v')).rejects.toMatchObject({
      status: 503,
    });
  });

  it('keeps every acknowledged write across a restart', async () => {
    const acknowledged = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.writeFile(DEMO_SVM, 'vol04', `burst/${i}.txt`, `content ${i}`).then(() => i),
      ),
    );
    await pair.source.stop();
    const restarted = await startCluster({ name: pair.source.name, dataDir: pair.source.dataDir });
    try {
      const again = new SimControl(restarted);
      for (const i of acknowledged)
        expect((await again.readFile(DEMO_SVM, 'vol04', `burst/${i}.txt`)).toString()).toBe(`content ${i}`);
    } finally {
      await restarted.stop();
    }
  });
});
