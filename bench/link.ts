// bench:link — the simulator's SnapMirror throughput beside a raw loopback HTTP transfer of
// the same bytes, measured in the same run. Both stream from the same blob files on disk;
// the raw client writes what it receives to files (as the simulator must) and, for
// reference, also to nowhere.
//   npx tsx bench/link.ts [MiB]   (default 64)
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SimControl } from '../sim/control';
import { startClusterPair, clusterDir } from '../sim/pair';
import type { RunningCluster } from '../sim/server';

const MIB = 1024 * 1024;
const FILE_MIB = 4;

async function ontap(cluster: RunningCluster, method: string, urlPath: string, body?: unknown): Promise<any> {
  const res = await fetch(`${cluster.baseUrl}${urlPath}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`${cluster.username}:${cluster.password}`).toString('base64')}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await res.json()) as any;
  if (!res.ok) throw new Error(`${method} ${urlPath}: ${JSON.stringify(answer)}`);
  if (res.status === 202) {
    for (;;) {
      const job = await ontap(cluster, 'GET', `/api/cluster/jobs/${answer.job.uuid}`);
      if (job.state === 'success') break;
      if (job.state === 'failure') throw new Error(`${method} ${urlPath}: ${job.message}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  return answer;
}

/** Serves files by name over plain node:http: the baseline. */
function rawServer(dir: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    fs.createReadStream(path.join(dir, path.basename(req.url ?? '')), { highWaterMark: MIB }).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function rawTransfer(port: number, hashes: string[], sink: (hash: string) => Writable): Promise<number> {
  const agent = new http.Agent({ keepAlive: true });
  const started = performance.now();
  for (const hash of hashes) {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get({ host: '127.0.0.1', port, path: `/${hash}`, agent }, resolve).on('error', reject));
    await pipeline(res, sink(hash));
  }
  agent.destroy();
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const totalMiB = Number(process.argv[2] ?? 64);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svm-bench-'));
  const pair = await startClusterPair({ dataDir });
  try {
    // The source: an SVM that serves, one volume, totalMiB of random files.
    await ontap(pair.source, 'POST', '/api/svm/svms', { name: 'svm_bench' });
    await ontap(pair.source, 'POST', '/api/network/ip/interfaces', { name: 'lif1', svm: { name: 'svm_bench' }, ip: { address: '10.3.0.1' } });
    await ontap(pair.source, 'POST', '/api/storage/volumes', { name: 'data', svm: { name: 'svm_bench' }, size: 4 * 1024 * MIB });
    const client = new SimControl(pair.source);
    for (let i = 0; i < totalMiB / FILE_MIB; i++) await client.writeFile('svm_bench', 'data', `f${i}.bin`, crypto.randomBytes(FILE_MIB * MIB));

    // SnapMirror baseline, unlimited bandwidth.
    await ontap(pair.destination, 'POST', '/api/svm/svms', { name: 'svm_bench_dr', subtype: 'dp_destination' });
    await ontap(pair.destination, 'POST', '/api/storage/volumes', { name: 'data', svm: { name: 'svm_bench_dr' }, type: 'dp', size: 4 * 1024 * MIB });
    await ontap(pair.destination, 'POST', '/api/snapmirror/relationships', { source: { path: 'svm_bench:data' }, destination: { path: 'svm_bench_dr:data' } });
    const rel = (await ontap(pair.destination, 'GET', '/api/snapmirror/relationships')).records[0];
    const started = Date.now();
    await ontap(pair.destination, 'PATCH', `/api/snapmirror/relationships/${rel.uuid}`, { state: 'snapmirrored' });
    let transfer: { uuid: string; state: string; bytes_transferred: number };
    // Polled slowly, so that polling costs the transfer nothing; the transfer's end_time times it.
    for (;;) {
      transfer = (await ontap(pair.destination, 'GET', `/api/snapmirror/relationships/${rel.uuid}`)).transfer;
      if (transfer?.state === 'success' || transfer?.state === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (transfer.state !== 'success') throw new Error('the SnapMirror transfer failed');
    const endTime = (await ontap(pair.destination, 'GET', `/api/snapmirror/relationships/${rel.uuid}/transfers/${transfer.uuid}`)).end_time;
    const simSeconds = (Date.parse(endTime) - started) / 1000;

    // The same bytes, from the same blob files, over plain node:http.
    const blobDir = path.join(clusterDir(dataDir, pair.source.name), 'blobs');
    const hashes = Object.values(await client.volumeFiles('svm_bench', 'data')).map((f) => f.hash);
    const server = await rawServer(blobDir);
    const port = (server.address() as AddressInfo).port;
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svm-bench-raw-'));
    const rawFileSeconds = await rawTransfer(port, hashes, (hash) => fs.createWriteStream(path.join(outDir, hash)));
    const rawNullSeconds = await rawTransfer(port, hashes, () => new Writable({ write: (_c, _e, done) => done() }));
    server.close();

    const mib = transfer.bytes_transferred / MIB;
    const sim = mib / simSeconds;
    const rawFile = mib / rawFileSeconds;
    const rawNull = mib / rawNullSeconds;
    console.log(`bytes: ${transfer.bytes_transferred} (${mib.toFixed(1)} MiB in ${hashes.length} files)`);
    console.log(`simulator SnapMirror baseline: ${sim.toFixed(1)} MiB/s`);
    console.log(`raw loopback HTTP to files:    ${rawFile.toFixed(1)} MiB/s  ratio ${(sim / rawFile).toFixed(2)}`);
    console.log(`raw loopback HTTP to nowhere:  ${rawNull.toFixed(1)} MiB/s  ratio ${(sim / rawNull).toFixed(2)}`);
    fs.rmSync(outDir, { recursive: true, force: true });
  } finally {
    await pair.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
