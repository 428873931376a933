// Process entry of the local target's services (started detached by local/services.ts):
// DynamoDB Local with its data in the work dir, the migrate-state table, and the two simulated
// clusters with the demo SVM. Reports where they are over IPC and in services.json, then
// runs until SIGTERM/SIGINT, when it stops them and removes services.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { seedDemo } from '../sim/demo';
import { startClusterPair } from '../sim/pair';
import { dynamoDbClient, ensureTable, startDynamoDbLocal } from './dynamodb-local';
import { LOCAL_TABLE } from './environment';
import {
  type HostMessage,
  type LocalServices,
  removeHostPid,
  removeServices,
  writeHostPid,
  writeServices,
} from './services';

/** The demo's link bandwidth: slow enough to watch 8 volumes transfer. */
const DEFAULT_LINK_BANDWIDTH = 2 * 1024 * 1024;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'work-dir': { type: 'string' },
      'link-bandwidth': { type: 'string' },
      seed: { type: 'string' },
      volumes: { type: 'string' },
      'file-bytes': { type: 'string' },
    },
  });
  const workDir = values['work-dir'];
  if (!workDir) throw new Error('--work-dir is required');
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const stateDir = path.join(workDir, '.svm-migrate');
  const seed = num(values.seed) ?? 1;

  // Before anything starts: how a later command finds what this host started, whatever happens to services.json.
  writeHostPid(workDir);
  const stops: Array<() => Promise<void>> = [async () => removeHostPid(workDir, process.pid)];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const dataDir = path.join(stateDir, 'dynamodb');
    // The jar refuses a data directory that does not exist.
    fs.mkdirSync(dataDir, { recursive: true });
    const db = await startDynamoDbLocal({ dataDir });
    stops.push(() => db.stop());
    const admin = dynamoDbClient(db.endpoint);
    await ensureTable(admin, LOCAL_TABLE);
    admin.destroy();

    const pair = await startClusterPair({
      dataDir: path.join(stateDir, 'clusters'),
      seed,
      linkBandwidthBytesPerSec: num(values['link-bandwidth']) ?? DEFAULT_LINK_BANDWIDTH,
    });
    stops.push(() => pair.stop());
    // Once, at the first start: a restart after a migration moved (or deleted) the demo SVM must
    // not create it again on the source. The clusters keep their data in the same folder.
    const seeded = path.join(stateDir, 'local', 'demo-seeded.json');
    if (!fs.existsSync(seeded)) {
      await seedDemo(pair.source, seed, {
        volumes: num(values.volumes),
        fileBytes: num(values['file-bytes']),
      });
      fs.writeFileSync(seeded, `${JSON.stringify({ seededAt: new Date().toISOString(), seed })}\n`);
    }

    const address = (c: typeof pair.source) => ({
      name: c.name,
      baseUrl: c.baseUrl,
      controlUrl: c.controlUrl,
      username: c.username,
      password: c.password,
      ca: c.ca,
      caFile: c.caFile,
    });
    const services: LocalServices = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      dynamoDbEndpoint: db.endpoint,
      tableName: LOCAL_TABLE,
      clusters: { source: address(pair.source), destination: address(pair.destination) },
      logFile: path.join(stateDir, 'local', 'services.log'),
    };
    writeServices(workDir, services);
    stops.push(async () => removeServices(workDir, process.pid));
    await report({ ready: services });
  } catch (err) {
    await stopAll();
    await report({ failed: (err as Error).message });
    process.exit(1);
  }

  const shutdown = () => {
    stopAll().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

/** Tells the starting command, then lets go of the channel: the host outlives it. */
async function report(message: HostMessage): Promise<void> {
  // The log gets no credentials: services.json (mode 0600) holds them.
  const line =
    'ready' in message
      ? `ready: DynamoDB Local ${message.ready.dynamoDbEndpoint}, clusters ${message.ready.clusters.source.baseUrl} ${message.ready.clusters.destination.baseUrl}`
      : `failed: ${message.failed}`;
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const send = process.send?.bind(process);
  if (!send) return;
  await new Promise<void>((resolve) => send(message, undefined, {}, () => resolve()));
  process.disconnect();
}

main().catch((err: unknown) => {
  process.stderr.write(`svm-migrate local services: ${(err as Error).message}\n`);
  process.exit(1);
});
