// kill -9 of a simulated cluster: the destination process dies in the middle of a baseline
// transfer and while a client writes to it; restarted from its data dir on the same ports,
// the transfer resumes from its durable checkpoint (the source does not send everything
// again) and ends identical, and every write it acknowledged is still there.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SimControl, SimRequestError } from '../../sim/control';
import { DEMO_SVM, seedDemo, seededBytes } from '../../sim/demo';
import type { TransferRecord } from '../../sim/model';
import { peerClusters, peerSvms } from '../../sim/pair';
import { type RunningCluster, startCluster } from '../../sim/server';
import { type ClusterProcess, spawnCluster } from './cluster-process';
import { ontap, tmpDir, until } from './helpers';

const BIG = 4 * 1024 * 1024;
/** KB/s, ONTAP's throttle unit: 2 MiB/s. */
const THROTTLE = 2 * 1024;

describe('a simulated cluster killed with kill -9', () => {
  let source: RunningCluster;
  let destination: ClusterProcess | undefined;
  afterAll(async () => {
    await destination?.kill9();
    await source?.stop();
  });

  it('resumes the transfer from its checkpoint and keeps acknowledged writes', async () => {
    // Prepare: a source with a big file, the destination as a child process, peered
    const dir = tmpDir();
    const dstDir = path.join(dir, 'cluster-dst');
    source = await startCluster({ name: 'cluster-src', dataDir: path.join(dir, 'cluster-src') });
    await seedDemo(source, 3);
    const sourceData = new SimControl(source);
    await sourceData.writeFile(DEMO_SVM, 'vol01', 'big.bin', seededBytes(42, BIG));
    destination = await spawnCluster('cluster-dst', dstDir);
    const first = destination.address;
    await peerClusters(source, first);
    const dst = ontap(first);
    await dst.done('POST', '/api/svm/svms', { name: 'svm_dr', subtype: 'dp_destination' });
    await peerSvms(first, source, 'svm_dr', DEMO_SVM);
    await dst.done('POST', '/api/storage/volumes', { name: 'vol01', svm: { name: 'svm_dr' }, type: 'dp' });
    // ... and a serving SVM on the destination for the client writes
    await dst.done('POST', '/api/svm/svms', { name: 'svm_local' });
    await dst.done('POST', '/api/storage/volumes', { name: 'scratch', svm: { name: 'svm_local' } });
    expect(
      (
        await dst.post('/api/network/ip/interfaces', {
          name: 'lif1',
          svm: { name: 'svm_local' },
          ip: { address: '10.9.0.1' },
        })
      ).status,
    ).toBe(201);
    await dst.done('POST', '/api/snapmirror/relationships', {
      source: { path: `${DEMO_SVM}:vol01`, cluster: { name: 'cluster-src' } },
      destination: { path: 'svm_dr:vol01' },
      throttle: THROTTLE,
    });
    const rel = await dst.one('/api/snapmirror/relationships');
    await dst.done('PATCH', `/api/snapmirror/relationships/${rel.uuid}`, { state: 'snapmirrored' });

    // Act: write while the transfer runs, then kill -9 once a good part is across
    const client = new SimControl(first);
    const acknowledged = new Map<string, Buffer>();
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const content = seededBytes(1000 + i, 1024 + i);
        try {
          await client.writeFile('svm_local', 'scratch', `f${i}.bin`, content);
          acknowledged.set(`f${i}.bin`, content);
        } catch {
          return; // the process is gone: this write was never acknowledged
        }
      }
    })();
    await until(
      async () => {
        const { body } = await dst.get(`/api/snapmirror/relationships/${rel.uuid}`);
        return body.transfer?.bytes_transferred > BIG / 4 ? true : undefined;
      },
      20_000,
      'a quarter of the baseline',
    );
    await destination.kill9();
    writing = false;
    await writer;
    const served = await until(async () => {
      // The source stops counting once it notices the connection is gone.
      const a = (await sourceData.state()).counters.replicationBytesServed;
      await new Promise((r) => setTimeout(r, 100));
      const b = (await sourceData.state()).counters.replicationBytesServed;
      return a === b ? b : undefined;
    });
    const onDisk = JSON.parse(fs.readFileSync(path.join(dstDir, 'state.json'), 'utf8'));
    const inFlight: TransferRecord = onDisk.relationships[0].transfers.at(-1);
    expect(inFlight.state).toBe('transferring');
    const checkpointBytes = inFlight.checkpoint?.bytes ?? 0;
    expect(checkpointBytes).toBeGreaterThan(0);

    // Act: restart from the data dir (same ports, from the state)
    destination = await spawnCluster('cluster-dst', dstDir);
    expect(destination.address.baseUrl).toBe(first.baseUrl);
    const done = await until(
      async () => {
        const { body } = await dst.get(`/api/snapmirror/relationships/${rel.uuid}`);
        return ['success', 'failed'].includes(body.transfer?.state) ? body : undefined;
      },
      30_000,
      'the resumed transfer',
    );

    // Assess: same transfer, resumed, not re-sent from the start, identical
    expect(done.transfer.state).toBe('success');
    expect(done.transfer.uuid).toBe(inFlight.uuid);
    const servedAfter = (await sourceData.state()).counters.replicationBytesServed;
    expect(servedAfter - served).toBeLessThanOrEqual((inFlight.total_bytes ?? 0) - checkpointBytes);
    const dstControl = new SimControl(destination.address);
    const snapshot = await new SimControl(source).volumeFiles(DEMO_SVM, 'vol01', inFlight.snapshot);
    expect(await dstControl.volumeFiles('svm_dr', 'vol01')).toEqual(snapshot);
    expect((await dstControl.blob(snapshot['big.bin'].hash)).equals(seededBytes(42, BIG))).toBe(true);
    expect(acknowledged.size).toBeGreaterThan(0);
    for (const [file, content] of acknowledged) {
      expect((await dstControl.readFile('svm_local', 'scratch', file)).equals(content)).toBe(true);
    }
    await expect(dstControl.readFile('svm_local', 'scratch', 'missing.bin')).rejects.toBeInstanceOf(
      SimRequestError,
    );
  });
});
