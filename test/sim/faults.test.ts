// Faults injected through the control endpoints: errors for N calls or with a seeded
// probability, latency, a node down until its HA partner takes over, the inter-cluster link
// down, and the whole cluster unreachable while control stays reachable.
import { ONTAP_ERROR } from '../../lambdas/ontap/error-codes';
import { SimControl, SimRequestError } from '../../sim/control';
import { DEMO_SVM } from '../../sim/demo';
import { peerSvms, type RunningPair, startClusterPair } from '../../sim/pair';
import { ontap, tmpDir, until } from './helpers';

describe('fault injection', () => {
  let pair: RunningPair;
  let src: ReturnType<typeof ontap>;
  let control: SimControl;
  beforeAll(async () => {
    pair = await startClusterPair({ dataDir: tmpDir(), demo: true, takeoverDelayMs: 300 });
    src = ontap(pair.source);
    control = new SimControl(pair.source);
  });
  afterEach(() => control.clearFaults());
  afterAll(() => pair.stop());

  it('fails the next N matching calls with the given status and ONTAP code', async () => {
    await control.injectError({
      method: 'GET',
      path: '/api/storage/volumes*',
      status: 503,
      code: ONTAP_ERROR.INTERNAL,
      message: 'busy',
      count: 2,
    });
    const answers = [
      await src.get('/api/storage/volumes'),
      await src.get('/api/storage/volumes?name=vol01'),
      await src.get('/api/storage/volumes'),
    ];
    expect(answers.map((a) => a.status)).toEqual([503, 503, 200]);
    expect(answers[0].body).toEqual({ error: { message: 'busy', code: ONTAP_ERROR.INTERNAL } });
    expect((await src.get('/api/svm/svms')).status).toBe(200);
  });

  it('lifts one fault by its id and leaves the others', async () => {
    const lifted = await control.injectError({ path: '/api/storage/volumes*', status: 503, count: 5 });
    await control.injectError({ path: '/api/svm/svms*', status: 503, count: 1 });
    await control.removeFault(lifted);
    expect((await src.get('/api/storage/volumes')).status).toBe(200);
    expect((await src.get('/api/svm/svms')).status).toBe(503);
    await expect(control.removeFault(lifted)).rejects.toMatchObject({ status: 404 });
  });

  it('fails calls with a seeded probability, the same way for the same seed', async () => {
    const run = async () => {
      await control.clearFaults();
      await control.injectError({ path: '/api/cluster', status: 500, probability: 0.5, seed: 99 });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await src.get('/api/cluster')).status);
      return statuses;
    };
    const first = await run();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
  });

  it('adds latency to matching paths', async () => {
    await control.addLatency(150, '/api/cluster');
    const started = performance.now();
    expect((await src.get('/api/cluster')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  });

  it("makes a down node's volumes fail with NODE_UNHEALTHY until its partner takes over", async () => {
    // Prepare: vol01 lives on node 01's aggregate
    const vol = await src.one('/api/storage/volumes?name=vol01');
    const node = (await src.one(`/api/storage/aggregates?name=${vol.aggregates[0].name}`)).node.name;
    // Act
    await control.nodeDown(node, { takeoverDelayMs: 400 });
    // Assess: down, nobody serves its volumes
    const patch = await src.patch(`/api/storage/volumes/${vol.uuid}`, { size: 2 * 1024 ** 3 });
    expect(patch.status).toBe(400);
    expect(patch.body.error.code).toBe(ONTAP_ERROR.NODE_UNHEALTHY);
    expect((await src.one(`/api/cluster/nodes?name=${node}`)).state).toBe('down');
    expect((await src.get(`/api/storage/volumes/${vol.uuid}`)).body.state).toBe('offline');
    await expect(control.readFile(DEMO_SVM, 'vol01', 'README.txt')).rejects.toMatchObject({ status: 503 });
    // Then the partner takes over and serves them
    await until(async () =>
      (await src.one(`/api/cluster/nodes?name=${node}`)).state === 'taken_over' ? true : undefined,
    );
    const partner = (await src.one(`/api/cluster/nodes?name=${node}`)).ha.partners[0].name;
    expect((await src.one(`/api/cluster/nodes?name=${partner}`)).ha.takeover.state).toBe('in_takeover');
    await src.done('PATCH', `/api/storage/volumes/${vol.uuid}`, { size: 2 * 1024 ** 3 });
    expect((await control.readFile(DEMO_SVM, 'vol01', 'README.txt')).length).toBeGreaterThan(0);
    const lif = await src.one('/api/network/ip/interfaces?name=lif_demo_01');
    expect(lif.state).toBe('up');
    expect(lif.location.node.name).toBe(partner);
    // Giveback
    await control.nodeUp(node);
    expect((await src.one(`/api/cluster/nodes?name=${node}`)).state).toBe('up');
    expect((await src.one('/api/network/ip/interfaces?name=lif_demo_01')).location.node.name).toBe(node);
  });

  it('fails transfers with PEER_UNREACHABLE and shows the peer unavailable while the link is down', async () => {
    // Prepare
    const dst = ontap(pair.destination);
    await dst.done('POST', '/api/svm/svms', { name: 'svm_link', subtype: 'dp_destination' });
    await peerSvms(pair.destination, pair.source, 'svm_link', DEMO_SVM);
    await dst.done('POST', '/api/storage/volumes', { name: 'vol02', svm: { name: 'svm_link' }, type: 'dp' });
    await dst.done('POST', '/api/snapmirror/relationships', {
      source: { path: `${DEMO_SVM}:vol02` },
      destination: { path: 'svm_link:vol02' },
      throttle: 128,
    });
    const rel = await dst.one('/api/snapmirror/relationships?destination.path=svm_link:vol02');
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel.uuid}`, { state: 'snapmirrored' });
    await until(async () =>
      (await dst.get(`/api/snapmirror/relationships/${rel.uuid}`)).body.transfer?.bytes_transferred > 0
        ? true
        : undefined,
    );
    // Act: the link goes down in the middle of the transfer
    await control.linkDown();
    const failed = await until(async () => {
      const { body } = await dst.get(`/api/snapmirror/relationships/${rel.uuid}`);
      return body.transfer?.state === 'failed' ? body : undefined;
    });
    // Assess
    expect(failed.healthy).toBe(false);
    expect(failed.unhealthy_reason[0].code).toBe(ONTAP_ERROR.PEER_UNREACHABLE);
    expect((await dst.one('/api/cluster/peers')).status.state).toBe('unavailable');
    expect((await src.one('/api/cluster/peers')).status.state).toBe('unavailable');
    // A new update fails the same way while the link stays down
    expect((await dst.post(`/api/snapmirror/relationships/${rel.uuid}/transfers`, {})).status).toBe(201);
    const again = await until(async () => {
      const { body } = await dst.get(`/api/snapmirror/relationships/${rel.uuid}/transfers`);
      const last = body.records[body.records.length - 1];
      return last.state === 'failed' && last.uuid !== failed.transfer.uuid ? last : undefined;
    });
    expect(again.error_info.code).toBe(Number(ONTAP_ERROR.PEER_UNREACHABLE));
    // Link back up: the peer is available and the transfer completes from its checkpoint
    await control.linkUp();
    expect((await dst.one('/api/cluster/peers')).status.state).toBe('available');
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel.uuid}`, { throttle: 0 });
    expect((await dst.post(`/api/snapmirror/relationships/${rel.uuid}/transfers`, {})).status).toBe(201);
    const healed = await until(async () => {
      const { body } = await dst.get(`/api/snapmirror/relationships/${rel.uuid}`);
      return body.transfer?.state === 'success' ? body : undefined;
    });
    expect(healed.healthy).toBe(true);
    expect(healed.state).toBe('snapmirrored');
  });

  it.each(['refuse', 'reset'] as const)(
    'makes the cluster unreachable (%s) while control stays reachable',
    async (mode) => {
      await control.unreachable(mode);
      const failure = await fetch(`${pair.source.baseUrl}/api/cluster`).then(
        () => undefined,
        (err: Error & { cause?: { code?: string } }) => err,
      );
      expect(failure?.cause?.code).toBe(mode === 'refuse' ? 'ECONNREFUSED' : 'ECONNRESET');
      expect((await control.state()).runtime.unreachable).toBe(mode);
      // The destination cannot reach it over the link either
      expect((await ontap(pair.destination).one('/api/cluster/peers')).status.state).toBe('unavailable');
      await control.reachable();
      expect((await src.get('/api/cluster')).status).toBe(200);
    },
  );

  it('rejects a fault without count or probability', async () => {
    await expect(control.injectError({ path: '/api/*' })).rejects.toBeInstanceOf(SimRequestError);
  });
});
