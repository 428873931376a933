// A source and a destination cluster, peered with each other (each knows where the other's
// inter-cluster endpoints are), optionally with the demo SVM on the source.
import * as path from 'node:path';
import { SimControl } from './control';
import { ontap, seedDemo } from './demo';
import { type RunningCluster, type StartClusterOptions, startCluster } from './server';

export const SOURCE_NAME = 'cluster-src';
export const DESTINATION_NAME = 'cluster-dst';

export interface StartPairOptions
  extends Omit<StartClusterOptions, 'name' | 'dataDir' | 'port' | 'controlPort'> {
  dataDir: string;
  demo?: boolean;
  /** Source API, source control, destination API, destination control on 4 ports from here; 0 or absent = any. */
  portBase?: number;
}

export interface RunningPair {
  source: RunningCluster;
  destination: RunningCluster;
  stop(): Promise<void>;
}

export const clusterDir = (dataDir: string, name: string) => path.join(dataDir, name);

/** What peering needs to know of a cluster (a RunningCluster, or a line printed by main.ts). */
export type ClusterAddress = Pick<
  RunningCluster,
  'name' | 'baseUrl' | 'controlUrl' | 'username' | 'password'
> &
  Partial<Pick<RunningCluster, 'ca' | 'caFile'>>;

export async function peerClusters(a: ClusterAddress, b: ClusterAddress): Promise<void> {
  await new SimControl(a).addPeer({
    name: b.name,
    baseUrl: b.baseUrl,
    username: b.username,
    password: b.password,
    ca: b.ca,
  });
  await new SimControl(b).addPeer({
    name: a.name,
    baseUrl: a.baseUrl,
    username: a.username,
    password: a.password,
    ca: a.ca,
  });
}

/**
 * SVM peering as an administrator sets it up before SnapMirror: requested on `destination` for
 * `dstSvm`, accepted on `source` for `srcSvm`. With equal names each side names the other SVM
 * locally (`alias`, `<svm>_peer` on the source). Returns the source SVM's name on the destination.
 */
export async function peerSvms(
  destination: ClusterAddress,
  source: ClusterAddress,
  dstSvm: string,
  srcSvm: string,
  alias?: string,
): Promise<string> {
  const name = alias ?? (dstSvm === srcSvm ? `${srcSvm}_peer` : srcSvm);
  await ontap(destination, 'POST', '/api/svm/peers', {
    svm: { name: dstSvm },
    peer: { svm: { name: srcSvm }, cluster: { name: source.name } },
    applications: ['snapmirror'],
    ...(name !== srcSvm && { name }),
  });
  const query = `svm.name=${encodeURIComponent(srcSvm)}&peer.svm.name=${encodeURIComponent(dstSvm)}&peer.cluster.name=${encodeURIComponent(destination.name)}`;
  const pending = await ontap<{ records: { uuid: string }[] }>(source, 'GET', `/api/svm/peers?${query}`);
  const uuid = pending.records[0]?.uuid;
  if (!uuid) throw new Error(`no SVM peer request for ${srcSvm} on ${source.name}`);
  await ontap(source, 'PATCH', `/api/svm/peers/${uuid}`, {
    state: 'peered',
    ...(dstSvm === srcSvm && { name: `${dstSvm}_peer` }),
  });
  return name;
}

export async function startClusterPair(options: StartPairOptions): Promise<RunningPair> {
  const { dataDir, demo, portBase, ...common } = options;
  const port = (i: number) => (portBase ? portBase + i : undefined);
  const source = await startCluster({
    ...common,
    name: SOURCE_NAME,
    dataDir: clusterDir(dataDir, SOURCE_NAME),
    port: port(0),
    controlPort: port(1),
  });
  const destination = await startCluster({
    ...common,
    name: DESTINATION_NAME,
    dataDir: clusterDir(dataDir, DESTINATION_NAME),
    port: port(2),
    controlPort: port(3),
  });
  const stop = async () => {
    await Promise.all([source.stop(), destination.stop()]);
  };
  try {
    await peerClusters(source, destination);
    if (demo) await seedDemo(source, options.seed);
  } catch (err) {
    await stop();
    throw err;
  }
  return { source, destination, stop };
}
