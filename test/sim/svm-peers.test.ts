// SVM peering between two simulated clusters, as ONTAP's /api/svm/peers does it (checked
// against netapp_ontap's SvmPeer and the netapp.ontap na_ontap_vserver_peer module): requested
// on one cluster, pending on the other until accepted by PATCH state=peered, a local name when
// the SVM names are the same, and SnapMirror refused until the source SVM is peered.
import { ONTAP_ERROR } from '../../lambdas/ontap/error-codes';
import { SimControl } from '../../sim/control';
import { DEMO_SVM } from '../../sim/demo';
import { type RunningPair, startClusterPair } from '../../sim/pair';
import { ontap, tmpDir } from './helpers';

let pair: RunningPair;
let src: ReturnType<typeof ontap>;
let dst: ReturnType<typeof ontap>;
beforeAll(async () => {
  pair = await startClusterPair({ dataDir: tmpDir(), demo: true, jobDelayMs: 2 });
  src = ontap(pair.source);
  dst = ontap(pair.destination);
  await dst.done('POST', '/api/svm/svms', { name: DEMO_SVM });
  await dst.done('POST', '/api/storage/volumes', { name: 'vol01', svm: { name: DEMO_SVM }, type: 'dp' });
});
afterAll(() => pair.stop());

const request = (name?: string) => ({
  svm: { name: DEMO_SVM },
  peer: { svm: { name: DEMO_SVM }, cluster: { name: pair.source.name } },
  applications: ['snapmirror'],
  ...(name && { name }),
});
const relationship = (sourceSvm: string) => ({
  source: { path: `${sourceSvm}:vol01`, cluster: { name: pair.source.name } },
  destination: { path: `${DEMO_SVM}:vol01` },
});

it('refuses a SnapMirror relationship whose source SVM is not peered', async () => {
  const answer = await dst.post('/api/snapmirror/relationships', relationship(DEMO_SVM));
  expect(answer.status).toBe(404);
  expect(answer.body.error).toMatchObject({ code: ONTAP_ERROR.ENTRY_NOT_FOUND, target: 'source.path' });
  expect(answer.body.error.message).toMatch(/Vserver peer relationship does not exist/);
});

it('refuses peering SVMs of the same name without a local name for the peer SVM', async () => {
  const answer = await dst.post('/api/svm/peers', request());
  expect(answer.status).toBe(400);
  expect(answer.body.error).toMatchObject({ code: ONTAP_ERROR.INVALID_VALUE, target: 'name' });
});

it('refuses peering with a cluster that is not a peer', async () => {
  const answer = await dst.post('/api/svm/peers', {
    ...request('svm_demo_src'),
    peer: { svm: { name: DEMO_SVM }, cluster: { name: 'nowhere' } },
  });
  expect(answer.status).toBe(404);
  expect(answer.body.error).toMatchObject({ code: ONTAP_ERROR.ENTRY_NOT_FOUND, target: 'peer.cluster' });
});

it('peers on request and acceptance, then allows SnapMirror under the local name, and deletes both sides', async () => {
  // Request: initiated here, pending on the peer, same uuid on both
  const post = await dst.post('/api/svm/peers?return_records=true', request('svm_demo_src'));
  expect(post.status).toBe(202);
  const uuid = post.body.records[0].uuid;
  await dst.job(post.body.job.uuid);
  expect((await dst.get(`/api/svm/peers/${uuid}`)).body).toMatchObject({
    state: 'initiated',
    name: 'svm_demo_src',
    svm: { name: DEMO_SVM },
    peer: { svm: { name: DEMO_SVM }, cluster: { name: pair.source.name } },
    applications: ['snapmirror'],
  });
  const pending = await src.one(
    `/api/svm/peers?svm.name=${DEMO_SVM}&peer.cluster.name=${pair.destination.name}`,
  );
  expect(pending).toMatchObject({
    uuid,
    state: 'pending',
    peer: { svm: { name: DEMO_SVM }, cluster: { name: pair.destination.name } },
  });
  // Not accepted yet: no relationship; the initiator cannot accept its own request
  expect((await dst.post('/api/snapmirror/relationships', relationship('svm_demo_src'))).status).toBe(404);
  expect((await dst.patch(`/api/svm/peers/${uuid}`, { state: 'peered' })).body.error).toMatchObject({
    target: 'state',
  });
  // Accepting under the SVM's own name clashes on the source too: a local name is required there
  expect((await src.patch(`/api/svm/peers/${uuid}`, { state: 'peered' })).body.error).toMatchObject({
    code: ONTAP_ERROR.INVALID_VALUE,
    target: 'name',
  });
  await src.done('PATCH', `/api/svm/peers/${uuid}`, { state: 'peered', name: 'svm_demo_dst' });
  expect((await src.get(`/api/svm/peers/${uuid}`)).body).toMatchObject({
    state: 'peered',
    name: 'svm_demo_dst',
  });
  expect((await dst.get(`/api/svm/peers/${uuid}`)).body.state).toBe('peered');

  // Used: the source path names the source SVM by its local name; the real SVM is replicated
  expect((await dst.post('/api/snapmirror/relationships', relationship(DEMO_SVM))).status).toBe(404);
  await dst.done('POST', '/api/snapmirror/relationships', relationship('svm_demo_src'));
  const rel = await dst.one(`/api/snapmirror/relationships?destination.path=${DEMO_SVM}:vol01`);
  expect(rel.source).toMatchObject({ path: 'svm_demo_src:vol01', svm: { name: 'svm_demo_src' } });
  await dst.done('PATCH', `/api/snapmirror/relationships/${rel.uuid}?return_timeout=0`, {
    state: 'snapmirrored',
  });
  await dst.done('DELETE', `/api/snapmirror/relationships/${rel.uuid}`);

  // Deleted on the destination: gone from both clusters
  await dst.done('DELETE', `/api/svm/peers/${uuid}`);
  expect((await dst.get(`/api/svm/peers/${uuid}`)).status).toBe(404);
  expect((await src.get(`/api/svm/peers/${uuid}`)).status).toBe(404);
});

it('cannot request peering while the inter-cluster link is down', async () => {
  const control = new SimControl(pair.destination);
  await control.linkDown();
  try {
    const post = await dst.post('/api/svm/peers', request('svm_demo_src'));
    const job = await dst.job(post.body.job.uuid);
    expect(job).toMatchObject({ state: 'failure', code: Number(ONTAP_ERROR.PEER_UNREACHABLE) });
    expect((await dst.get('/api/svm/peers')).body.num_records).toBe(0);
  } finally {
    await control.linkUp();
  }
});
