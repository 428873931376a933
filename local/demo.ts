// `npm start`: migrates the demo SVM between two simulated clusters with the synthesized
// state machine, printing each phase and each volume's progress, then a summary.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SimControl } from '../sim/control';
import { DEMO_SVM } from '../sim/demo';
import { DESTINATION_NAME, SOURCE_NAME } from '../sim/pair';
import { startLocalEnvironment } from './environment';
import { MigrationProgress, migrationStartedFor } from './progress';
import { formatBytes, renderSummary, summarize, type MigrationSummary } from './summary';

export interface DemoOptions {
  /** Wiped at the start; kept afterwards so the run can be inspected. */
  workDir: string;
  json: boolean;
  /** Seeds the demo data. */
  seed: number;
  /** Inter-cluster link bandwidth in bytes per second (0: unlimited). */
  linkBandwidth: number;
  write: (line: string) => void;
}

/** The demo's poll interval: the deployed default (cdk.json) is 30 s, too slow to watch. */
const DEMO_POLL_SECONDS = 1;
const REFRESH_MS = 250;

export async function runDemo(options: DemoOptions): Promise<{ exitCode: number; summary?: MigrationSummary }> {
  const { write } = options;
  const say = (line: string) => {
    if (!options.json) write(line);
  };
  fs.rmSync(options.workDir, { recursive: true, force: true });
  fs.mkdirSync(options.workDir, { recursive: true });
  say(`Starting two simulated ONTAP clusters, DynamoDB Local and the synthesized state machine in ${path.relative(process.cwd(), options.workDir) || '.'} ...`);
  const env = await startLocalEnvironment({
    workDir: options.workDir,
    demo: true,
    tunables: { pollIntervalSeconds: DEMO_POLL_SECONDS },
    sim: { seed: options.seed, linkBandwidthBytesPerSec: options.linkBandwidth },
  });
  try {
    const source = { cluster: SOURCE_NAME, svm: DEMO_SVM };
    const since = new Date(Date.now() - 1000);
    say(`Migrating ${source.cluster}/${source.svm} to ${DESTINATION_NAME} (auto cut-over, auto source cleanup)`);
    const execution = env.start({ source, destination: { cluster: DESTINATION_NAME } });
    const started = Date.now();
    const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`;

    const record = await migrationStartedFor(env.store, source, since, execution.result);
    if (record) {
      say(`${stamp()} migration ${record.id} begun by execution ${execution.name}`);
      const progress = new MigrationProgress(env.store, record.id);
      let done = false;
      void execution.result.finally(() => (done = true));
      for (;;) {
        const finished = done;
        const update = await progress.next();
        for (const e of update?.events ?? []) say(`${stamp()} ${describeEvent(e.type, e.detail)}`);
        for (const v of update?.changedVolumes ?? []) {
          if (v.transferState) say(`${stamp()}    ${v.name.padEnd(8)} ${v.transferState.padEnd(12)} ${formatBytes(v.bytesTransferred)}${v.node ? ` on ${v.node}` : ''}`);
        }
        if (finished) break;
        await new Promise((resolve) => setTimeout(resolve, REFRESH_MS));
      }
    }
    const result = await execution.result;
    const endState = [...execution.events].reverse().find((e) => e.type === 'StateEntered')?.state ?? result.status;
    const final = record ? await env.store.get(record.id) : undefined;
    if (!final) {
      write(`The execution ended ${result.status} before a migration began: ${result.error ?? ''} ${result.cause ?? ''}`);
      return { exitCode: 1 };
    }
    const [sourceClient, destinationClient] = await Promise.all([
      env.dependencies.connect(SOURCE_NAME, 'source'),
      env.dependencies.connect(DESTINATION_NAME, 'destination'),
    ]);
    const summary = await summarize({
      record: final,
      events: await env.store.listEvents(final.id, { limit: 10_000 }),
      volumes: await env.store.listVolumes(final.id),
      endState,
      executionStatus: result.status,
      source: sourceClient,
      destination: destinationClient,
      dataOnDestinationBytes: await servedBytes(new SimControl(env.clusters.destination), DEMO_SVM, await env.store.listVolumes(final.id)),
    });
    if (options.json) write(JSON.stringify(summary));
    else write(`\n${renderSummary(summary)}`);
    return { exitCode: result.status === 'SUCCEEDED' && endState === 'Migrated' ? 0 : 1, summary };
  } finally {
    await env.stop();
  }
}

/** Bytes a client can read from the destination SVM now (undefined when it does not serve). */
async function servedBytes(destination: SimControl, svm: string, volumes: { name: string }[]): Promise<number | undefined> {
  try {
    let total = 0;
    for (const v of volumes) for (const f of await destination.listFiles(svm, v.name)) total += f.size;
    return total;
  } catch {
    return undefined;
  }
}

function describeEvent(type: string, detail: Record<string, unknown> | undefined): string {
  const text = type.replace(/_/g, ' ');
  if (type === 'phase_changed') return `phase: ${String(detail?.phase)}`;
  const shown = Object.entries(detail ?? {}).filter(([, v]) => v !== undefined && v !== null);
  return shown.length === 0 ? text : `${text} (${shown.map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('; ')})`;
}
