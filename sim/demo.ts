// The demo SVM `svm_demo` on the source cluster: DNS, an NFS service (v3 + v4), an export
// policy with rules applied to its volumes, two data interfaces, and 8 volumes of files
// whose content derives from a seed. Built through the cluster's own ONTAP API and data
// endpoint, like an administrator and a client would; skipped when it already exists.
import { SimControl } from './control';
import { simFetch } from './fetch';
import type { RunningCluster } from './server';

export const DEMO_SVM = 'svm_demo';
/** `vol01`, `vol02`, ...: two digits up to 99 volumes, three beyond. */
export const demoVolumeNames = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `vol${String(i + 1).padStart(count > 99 ? 3 : 2, '0')}`);
export const DEMO_VOLUMES = demoVolumeNames(8);
const JOB_DEADLINE_MS = 30_000;

/** Deterministic bytes: xorshift32 from the seed. */
export function seededBytes(seed: number, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** One ONTAP call as an administrator makes it, waiting for its job; throws on any failure. */
export async function ontap<T = Record<string, unknown>>(
  cluster: Pick<RunningCluster, 'baseUrl' | 'username' | 'password' | 'ca'>,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await simFetch(`${cluster.baseUrl}${path}`, {
    ca: cluster.ca,
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${cluster.username}:${cluster.password}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(answer)}`);
  const job = answer.job as { uuid: string } | undefined;
  if (res.status === 202 && job) {
    const deadline = Date.now() + JOB_DEADLINE_MS;
    for (;;) {
      const state = await ontap<{ state: string; message?: string }>(
        cluster,
        'GET',
        `/api/cluster/jobs/${job.uuid}`,
      );
      if (state.state === 'success') break;
      if (state.state === 'failure') throw new Error(`${method} ${path}: job failed: ${state.message}`);
      if (Date.now() > deadline) throw new Error(`${method} ${path}: job ${job.uuid} did not finish`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  return answer as T;
}

/** How much to seed: the demo's 8 volumes of a few files each by default; tests ask for more, smaller ones. */
export interface DemoSize {
  volumes?: number;
  /** Every file this many bytes instead of a few KiB to a few hundred KiB. */
  fileBytes?: number;
}

export async function seedDemo(source: RunningCluster, seed = 1, size: DemoSize = {}): Promise<void> {
  const volumeNames = demoVolumeNames(size.volumes ?? DEMO_VOLUMES.length);
  const existing = await ontap<{ num_records: number }>(source, 'GET', `/api/svm/svms?name=${DEMO_SVM}`);
  if (existing.num_records > 0) return;
  const svm = { name: DEMO_SVM };
  await ontap(source, 'POST', '/api/svm/svms', {
    name: DEMO_SVM,
    language: 'c.utf_8',
    comment: 'svm-migrate demo',
  });
  await ontap(source, 'POST', '/api/name-services/dns', {
    svm,
    domains: ['demo.example.com', 'example.com'],
    servers: ['10.0.0.53', '10.0.0.54'],
  });
  await ontap(source, 'POST', '/api/protocols/nfs/services', {
    svm,
    enabled: true,
    protocol: { v3_enabled: true, v40_enabled: true, v41_enabled: false },
  });
  await ontap(source, 'POST', '/api/protocols/nfs/export-policies', {
    name: 'demo_exports',
    svm,
    rules: [
      {
        clients: [{ match: '10.0.0.0/8' }],
        protocols: ['nfs3', 'nfs4'],
        ro_rule: ['sys'],
        rw_rule: ['sys'],
        superuser: ['sys'],
      },
      {
        clients: [{ match: '192.168.0.0/16' }],
        protocols: ['nfs'],
        ro_rule: ['sys'],
        rw_rule: ['never'],
        superuser: ['none'],
      },
    ],
  });
  const nodes = await ontap<{ records: { name: string }[] }>(source, 'GET', '/api/cluster/nodes');
  const aggregates = await ontap<{ records: { name: string }[] }>(source, 'GET', '/api/storage/aggregates');
  for (const [i, lif] of ['lif_demo_01', 'lif_demo_02'].entries()) {
    await ontap(source, 'POST', '/api/network/ip/interfaces', {
      name: lif,
      svm,
      ip: { address: `10.0.0.${11 + i}`, netmask: '255.255.255.0' },
      location: { home_node: { name: nodes.records[i % nodes.records.length].name } },
      service_policy: { name: 'default-data-files' },
    });
  }
  for (const [i, volume] of volumeNames.entries()) {
    await ontap(source, 'POST', '/api/storage/volumes', {
      name: volume,
      svm,
      aggregates: [{ name: aggregates.records[i % aggregates.records.length].name }],
      size: 1024 ** 3,
      nas: { path: `/${volume}`, export_policy: { name: 'demo_exports' } },
    });
  }
  const data = new SimControl(source);
  for (const [v, volume] of volumeNames.entries()) {
    const files = 3 + (v % 3);
    for (let f = 0; f < files; f++) {
      const fileSeed = seed * 1000 + v * 10 + f;
      // From a few KiB to a few hundred KiB.
      const bytes = size.fileBytes ?? 2048 + (((fileSeed * 2654435761) >>> 0) % (300 * 1024));
      await data.writeFile(
        DEMO_SVM,
        volume,
        f === 0 ? 'README.txt' : `data/file${f}.bin`,
        seededBytes(fileSeed, bytes),
      );
    }
  }
}
