// Process entry of the simulator. Starts a source/destination pair, or one cluster from its
// own data dir (to restart a cluster a test killed, on the ports it had), prints one JSON
// line per cluster, and runs until SIGINT/SIGTERM.
//   tsx sim/main.ts --data-dir DIR [--port-base N] [--demo] [--seed S] [--plain-http]
//   tsx sim/main.ts --cluster NAME --data-dir DIR/NAME [--port P] [--control-port C]
import { parseArgs } from 'node:util';
import { startClusterPair } from './pair';
import { type RunningCluster, startCluster } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      'port-base': { type: 'string' },
      demo: { type: 'boolean', default: false },
      seed: { type: 'string' },
      cluster: { type: 'string' },
      port: { type: 'string' },
      'control-port': { type: 'string' },
      'link-bandwidth': { type: 'string' },
      'takeover-delay-ms': { type: 'string' },
      'plain-http': { type: 'boolean', default: false },
    },
  });
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('--data-dir is required');
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const common = {
    seed: num(values.seed),
    linkBandwidthBytesPerSec: num(values['link-bandwidth']),
    takeoverDelayMs: num(values['takeover-delay-ms']),
    plainHttp: values['plain-http'],
  };
  let clusters: RunningCluster[];
  let stop: () => Promise<void>;
  if (values.cluster) {
    const cluster = await startCluster({
      ...common,
      name: values.cluster,
      dataDir,
      port: num(values.port),
      controlPort: num(values['control-port']),
    });
    clusters = [cluster];
    stop = () => cluster.stop();
  } else {
    const pair = await startClusterPair({
      ...common,
      dataDir,
      demo: values.demo,
      portBase: num(values['port-base']),
    });
    clusters = [pair.source, pair.destination];
    stop = () => pair.stop();
  }
  for (const c of clusters) {
    process.stdout.write(
      `${JSON.stringify({ name: c.name, baseUrl: c.baseUrl, controlUrl: c.controlUrl, username: c.username, password: c.password, ca: c.ca, caFile: c.caFile })}\n`,
    );
  }
  const shutdown = () => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`sim: ${(err as Error).message}\n`);
  process.exit(1);
});
