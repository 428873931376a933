// A fresh simulated source/destination pair with the demo SVM, two OntapClients over it,
// and the views the cluster-operation tests assert on (destination inventory, file manifests).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { OperationContext, VolumeCheckpointPatch } from '../../lambdas/domain/cluster';
import { pollTransfer, startTransfer } from '../../lambdas/domain/cluster';
import { OntapClient } from '../../lambdas/ontap/client';
import { SimControl } from '../../sim/control';
import { DEMO_SVM, DEMO_VOLUMES } from '../../sim/demo';
import { type RunningPair, startClusterPair } from '../../sim/pair';
import type { RunningCluster } from '../../sim/server';

export { DEMO_SVM, DEMO_VOLUMES };

export interface Harness {
  pair: RunningPair;
  ctx: OperationContext;
  srcSim: SimControl;
  dstSim: SimControl;
  /** Every checkpoint call, in order. */
  checkpoints: { volume: string; patch: VolumeCheckpointPatch }[];
  close(): Promise<void>;
}

const client = (cluster: RunningCluster, side: 'source' | 'destination'): OntapClient =>
  new OntapClient({
    side,
    baseUrl: cluster.baseUrl,
    username: cluster.username,
    password: cluster.password,
    ca: cluster.ca,
    timeoutMs: 5_000,
    jobPollMs: 5,
    jobTimeoutMs: 20_000,
  });

export async function startHarness(migrationId = 'm-test'): Promise<Harness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svm-'));
  const pair = await startClusterPair({ dataDir, demo: true, jobDelayMs: 2, movePhaseMs: 10 });
  const source = client(pair.source, 'source');
  const destination = client(pair.destination, 'destination');
  const checkpoints: Harness['checkpoints'] = [];
  return {
    pair,
    srcSim: new SimControl(pair.source),
    dstSim: new SimControl(pair.destination),
    checkpoints,
    ctx: {
      clusters: { source, destination },
      plan: { migrationId, sourceSvm: DEMO_SVM },
      checkpoint: async (volume, patch) => {
        checkpoints.push({ volume, patch });
      },
    },
    close: async () => {
      source.close();
      destination.close();
      await pair.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts the baselines and polls until every volume is ready (the client's poll interval, no sleeps). */
export async function transferUntilReady(ctx: OperationContext): Promise<void> {
  await startTransfer(ctx);
  await ctx.clusters.destination.poll(
    async () => ((await pollTransfer(ctx, { lagThresholdSeconds: 60 })).ready ? true : undefined),
    () => new Error('transfers never became ready'),
  );
}

/** Everything on a cluster a migration could create or change, by name (uuids differ between runs). */
export async function inventory(c: OntapClient) {
  const svms = await c.svms.list();
  const perSvm = await Promise.all(
    svms.map(async (svm) => ({
      svm: { name: svm.name, state: svm.state, subtype: svm.subtype, comment: svm.comment ?? null },
      dns: (await c.dns.get(svm.uuid)) ?? null,
      nfs: (await c.nfs.get(svm.uuid)) ?? null,
      policies: (await c.exportPolicies.list({ uuid: svm.uuid })).map((p) => ({
        name: p.name,
        rules: p.rules.length,
      })),
    })),
  );
  return {
    svms: perSvm,
    volumes: (await c.volumes.list())
      .map((v) => `${v.svm.name}:${v.name}:${v.type}:${v.nas?.path ?? ''}`)
      .sort(),
    interfaces: (await c.interfaces.list())
      .map((l) => `${l.svm.name}:${l.name}:${l.ip.address}:${l.enabled}`)
      .sort(),
    relationships: (await c.snapmirror.listRelationships()).map((r) => r.destination.path).sort(),
  };
}

/** path -> sha256 of each demo volume's files on one cluster. */
export async function manifests(
  sim: SimControl,
  svm = DEMO_SVM,
): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (const volume of DEMO_VOLUMES) {
    const files = await sim.volumeFiles(svm, volume);
    out[volume] = Object.fromEntries(Object.entries(files).map(([p, f]) => [p, f.hash]));
  }
  return out;
}
