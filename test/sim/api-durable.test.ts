// Answers and the state's group commit: an answer that reports a change leaves only once the
// change is on disk, whichever request made it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type RunningCluster, startCluster } from '../../sim/server';
import { ontap, tmpDir } from './helpers';

describe('an answer of a simulated cluster', () => {
  let cluster: RunningCluster;
  afterEach(async () => {
    jest.restoreAllMocks();
    await cluster?.stop();
  });

  it('leaves only once the change it reports is on disk', async () => {
    // Prepare: an SVM, then every rename into state.json held until released
    cluster = await startCluster({
      name: 'cluster-durable',
      dataDir: path.join(tmpDir(), 'cluster-durable'),
      jobDelayMs: 1,
    });
    const api = ontap(cluster);
    await api.done('POST', '/api/svm/svms', { name: 'svm_a' });
    const svm = await api.one('/api/svm/svms?name=svm_a');
    const real = fs.promises.rename;
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let renames = 0;
    jest.spyOn(fs.promises, 'rename').mockImplementation(async (from, to) => {
      if (String(to).endsWith('state.json')) {
        renames++;
        await held;
      }
      return real(from, to);
    });

    // Act: a change whose save is held before it reaches the disk
    let answered = false;
    const answer = api
      .post('/api/name-services/dns', {
        svm: { uuid: svm.uuid },
        domains: ['x.test'],
        servers: ['10.0.0.53'],
      })
      .then((a) => {
        answered = true;
        return a;
      });
    const deadline = Date.now() + 5000;
    while (renames === 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    for (let turn = 0; turn < 50; turn++) await new Promise((r) => setImmediate(r));

    // Assess: no answer while the save is held; the answer once it is done, with the change on disk
    expect(renames).toBe(1);
    expect(answered).toBe(false);
    release();
    expect((await answer).status).toBe(201);
    const onDisk = JSON.parse(fs.readFileSync(path.join(cluster.dataDir, 'state.json'), 'utf8'));
    expect(onDisk.dns).toEqual([{ svmUuid: svm.uuid, domains: ['x.test'], servers: ['10.0.0.53'] }]);
  });
});
