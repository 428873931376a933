// bench:link — the simulator's SnapMirror throughput beside a raw loopback HTTP transfer of
// the same bytes, measured side by side in the same run and process. All sides stream the
// same source blob files: after one unmeasured warm-up of each side (page cache, JIT), each
// round runs every side once, in an order rotated from round to round, and the medians count.
//   npm run bench:link -- [MiB=64] [rounds=3]
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SimControl } from '../sim/control';
import { peerClusters, peerSvms } from '../sim/pair';
import { type RunningCluster, startCluster } from '../sim/server';

const MIB = 1024 * 1024;
const FILE_MIB = 4;
const RSS_SAMPLE_MS = 20;

// biome-ignore lint/suspicious/noExplicitAny: a benchmark's loose reading of ONTAP's JSON answers
async function ontap(cluster: RunningCluster, method: string, urlPath: string, body?: unknown): Promise<any> {
  const res = await fetch(`${cluster.baseUrl}${urlPath}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${cluster.username}:${cluster.password}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: as above
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

/** One pass over every file, one GET after another; resolves with the seconds it took. */
async function rawTransfer(
  port: number,
  hashes: string[],
  sink: (hash: string) => Writable,
): Promise<number> {
  const agent = new http.Agent({ keepAlive: true });
  const started = performance.now();
  for (const hash of hashes) {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get({ host: '127.0.0.1', port, path: `/${hash}`, agent }, resolve).on('error', reject),
    );
    await pipeline(res, sink(hash));
  }
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return seconds;
}

/** A SnapMirror baseline of the source volume to a fresh destination cluster; resolves with its seconds. */
async function simTransfer(
  source: RunningCluster,
  workDir: string,
  name: string,
  totalBytes: number,
): Promise<number> {
  const dataDir = path.join(workDir, name);
  // Jobs start at once: the figure is the transfer's, not ONTAP's job queueing (20 ms by default).
  const destination = await startCluster({ name, dataDir, port: 0, controlPort: 0, jobDelayMs: 0 });
  try {
    await peerClusters(source, destination);
    await ontap(destination, 'POST', '/api/svm/svms', { name: 'svm_bench_dr', subtype: 'dp_destination' });
    await peerSvms(destination, source, 'svm_bench_dr', 'svm_bench');
    await ontap(destination, 'POST', '/api/storage/volumes', {
      name: 'data',
      svm: { name: 'svm_bench_dr' },
      type: 'dp',
      size: 4 * 1024 * MIB,
    });
    await ontap(destination, 'POST', '/api/snapmirror/relationships', {
      source: { path: 'svm_bench:data', cluster: { name: source.name } },
      destination: { path: 'svm_bench_dr:data' },
    });
    const rel = (await ontap(destination, 'GET', '/api/snapmirror/relationships')).records[0];
    const started = Date.now();
    await ontap(destination, 'PATCH', `/api/snapmirror/relationships/${rel.uuid}`, { state: 'snapmirrored' });
    // Polled slowly, so that polling costs the transfer little; the transfer's end_time times it.
    let transfer: { uuid: string; state: string; bytes_transferred: number };
    for (;;) {
      transfer = (await ontap(destination, 'GET', `/api/snapmirror/relationships/${rel.uuid}`)).transfer;
      if (transfer?.state === 'success' || transfer?.state === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (transfer.state !== 'success') throw new Error('the SnapMirror transfer failed');
    if (transfer.bytes_transferred !== totalBytes)
      throw new Error(`moved ${transfer.bytes_transferred} bytes, not ${totalBytes}`);
    const endTime = (
      await ontap(destination, 'GET', `/api/snapmirror/relationships/${rel.uuid}/transfers/${transfer.uuid}`)
    ).end_time;
    return (Date.parse(endTime) - started) / 1000;
  } finally {
    await destination.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs `fn` while sampling the resident set; resolves with its result and the highest sample. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peakRss: number }> {
  let peakRss = process.memoryUsage.rss();
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), RSS_SAMPLE_MS);
  try {
    const result = await fn();
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    return { result, peakRss };
  } finally {
    clearInterval(timer);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mib = (bytes: number) => `${(bytes / MIB).toFixed(0)} MiB`;

interface Side {
  label: string;
  /** Seconds for one pass over all the bytes. */
  run(round: string): Promise<number>;
  rates: number[];
  peakRss: number;
}

async function main(): Promise<void> {
  const totalMiB = Number(process.argv[2] ?? 64);
  const rounds = Number(process.argv[3] ?? 3);
  if (!(totalMiB > 0) || !Number.isInteger(rounds) || rounds < 1)
    throw new Error('usage: bench:link [MiB > 0] [rounds >= 1]');
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svm-bench-'));
  const source = await startCluster({
    name: 'cluster-src',
    dataDir: path.join(workDir, 'cluster-src'),
    port: 0,
    controlPort: 0,
  });
  let server: http.Server | undefined;
  try {
    // The source: an SVM that serves, one volume, totalMiB of random files.
    await ontap(source, 'POST', '/api/svm/svms', { name: 'svm_bench' });
    await ontap(source, 'POST', '/api/network/ip/interfaces', {
      name: 'lif1',
      svm: { name: 'svm_bench' },
      ip: { address: '10.3.0.1' },
    });
    await ontap(source, 'POST', '/api/storage/volumes', {
      name: 'data',
      svm: { name: 'svm_bench' },
      size: 4 * 1024 * MIB,
    });
    const client = new SimControl(source);
    const totalBytes = Math.round(totalMiB * MIB);
    for (let i = 0, left = totalBytes; left > 0; i++, left -= FILE_MIB * MIB) {
      await client.writeFile(
        'svm_bench',
        'data',
        `f${i}.bin`,
        crypto.randomBytes(Math.min(left, FILE_MIB * MIB)),
      );
    }
    const hashes = Object.values(await client.volumeFiles('svm_bench', 'data')).map((f) => f.hash);

    // The same bytes, from the same blob files, over plain node:http.
    server = await rawServer(path.join(workDir, 'cluster-src', 'blobs'));
    const port = (server.address() as AddressInfo).port;
    const sides: Side[] = [
      {
        label: 'simulator SnapMirror baseline',
        run: (round) => simTransfer(source, workDir, `cluster-dst-${round}`, totalBytes),
        rates: [],
        peakRss: 0,
      },
      {
        label: 'raw HTTP to nowhere  [A]',
        run: () => rawTransfer(port, hashes, () => new Writable({ write: (_c, _e, done) => done() })),
        rates: [],
        peakRss: 0,
      },
      {
        label: 'raw HTTP to files    [B]',
        run: async (round) => {
          const outDir = path.join(workDir, `raw-${round}`);
          fs.mkdirSync(outDir);
          try {
            return await rawTransfer(port, hashes, (hash) => fs.createWriteStream(path.join(outDir, hash)));
          } finally {
            fs.rmSync(outDir, { recursive: true, force: true });
          }
        },
        rates: [],
        peakRss: 0,
      },
    ];

    for (const side of sides) await side.run('warmup');
    for (let r = 0; r < rounds; r++) {
      // Rotating the order leaves no side always first (cold) or always after another's writeback.
      for (let i = 0; i < sides.length; i++) {
        const side = sides[(r + i) % sides.length];
        const { result: seconds, peakRss } = await withPeakRss(() => side.run(`r${r}`));
        side.rates.push(totalBytes / MIB / seconds);
        side.peakRss = Math.max(side.peakRss, peakRss);
      }
    }

    const [sim, rawNull, rawFile] = sides.map((s) => median(s.rates));
    console.log(
      `bench:link  ${mib(totalBytes)} in ${hashes.length} files, ${rounds} rounds after one warm-up of each side, order rotated per round`,
    );
    console.log(`${'side'.padEnd(32)}${'MiB/s per round'.padEnd(26)}${'median'.padStart(8)}  peak RSS`);
    for (const s of sides) {
      const perRound = s.rates.map((x) => x.toFixed(0).padStart(5)).join(' ');
      console.log(
        `${s.label.padEnd(32)}${perRound.padEnd(26)}${median(s.rates).toFixed(1).padStart(8)}  ${mib(s.peakRss)}`,
      );
    }
    console.log(
      `ratio simulator / [A]: ${(sim / rawNull).toFixed(2)}   <- the issue's ratio: same bytes over raw loopback HTTP (aim >= 0.7)`,
    );
    console.log(
      `ratio simulator / [B]: ${(sim / rawFile).toFixed(2)}   (raw HTTP plus plain file writes: no hashing, no fsync, no checkpoints)`,
    );
    console.log(`process peak RSS (resourceUsage maxRSS): ${mib(process.resourceUsage().maxRSS * 1024)}`);
  } finally {
    server?.close();
    await source.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
