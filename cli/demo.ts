// `npm start`: migrates the demo SVM between two simulated clusters with the synthesized
// state machine, printing each phase and each volume's progress, then a summary. A client
// workload writes and reads the SVM's files all along; `--faults` drills a fault schedule.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MigrationDriver } from '../chaos/driver';
import { FaultInjector } from '../chaos/injector';
import { interceptTasks } from '../chaos/interceptor';
import { ServingProber, type Violation } from '../chaos/invariants';
import { seededRandom } from '../chaos/random';
import { parseSchedule, ScheduleError } from '../chaos/schedule';
import { ClientWorkload, type WorkloadRecord } from '../chaos/workload';
import { startLocalEnvironment } from '../local/environment';
import { SimControl } from '../sim/control';
import { DEMO_SVM, DEMO_VOLUMES } from '../sim/demo';
import { DESTINATION_NAME, SOURCE_NAME } from '../sim/pair';
import { MigrationProgress, migrationStartedFor } from './progress';
import { formatBytes, type MigrationSummary, renderSummary, summarize } from './summary';

export interface DemoOptions {
  /**
   * The demo's own folder: created and marked by the demo, and only its `.svm-migrate/` cleared
   * at the next run; any other folder that is not empty is refused. Kept afterwards for inspection.
   */
  workDir: string;
  json: boolean;
  /** Seeds the demo data. */
  seed: number;
  /** Inter-cluster link bandwidth in bytes per second (0: unlimited). */
  linkBandwidth: number;
  /** A fault schedule to drill (chaos/schedule.ts), e.g. `transfer:transient*3,commit:link-down@ponr`. */
  faults?: string;
  write: (line: string) => void;
}

/** The demo's poll interval: the deployed default (cdk.json) is 30 s, too slow to watch. */
const DEMO_POLL_SECONDS = 1;
const REFRESH_MS = 250;
/** A drill that has not ended by then is reported as unfinished. */
const DEMO_DEADLINE_MS = 10 * 60_000;

/** The file that says a folder is the demo's own, so a later run may clear its state. */
export const DEMO_MARKER = '.svm-migrate-demo';

/** A folder the demo may not use: the CLI's exit code 2, before anything is touched. */
export class DemoFolderError extends Error {
  override readonly name = 'DemoFolderError';
}

/**
 * Makes `dir` the demo's fresh folder. An empty or missing folder is created and marked; a marked
 * one has its previous run's `.svm-migrate/` removed (nothing else in it); anything else is refused.
 */
export function prepareDemoFolder(dir: string): void {
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory())
    throw new DemoFolderError(`--work-dir ${dir}: not a folder`);
  const entries = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  if (entries.length > 0 && !entries.includes(DEMO_MARKER)) {
    throw new DemoFolderError(
      `--work-dir ${dir}: not empty and not a demo folder (no ${DEMO_MARKER} in it); give an empty or new folder`,
    );
  }
  fs.rmSync(path.join(dir, '.svm-migrate'), { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, DEMO_MARKER),
    'Created by `svm-migrate demo`: its next run clears .svm-migrate/ here.\n',
  );
}

/** What the client saw, beside the migration's summary. */
export interface ClientSummary {
  faults: string;
  /** Each fault of the schedule, and the states it fired in (none: its step was never entered). */
  faultsFired: Array<{ fault: string; firedIn: string[] }>;
  writesAcknowledged: number;
  writesLost: number;
  longestUnavailableMs: number;
  invariantViolations: string[];
}

export async function runDemo(
  options: DemoOptions,
): Promise<{ exitCode: number; summary?: MigrationSummary & { client?: ClientSummary } }> {
  const { write } = options;
  // Refused before anything starts: the position and the reason.
  const faults = parseSchedule(options.faults ?? '');
  if (faults.some((f) => f.kind === 'dynamodb')) {
    throw new ScheduleError(
      1,
      'dynamodb faults need the chaos lab, whose tasks reach DynamoDB through a proxy: `npm run chaos` runs them (its matrix and campaign)',
    );
  }
  const say = (line: string) => {
    if (!options.json) write(line);
  };
  prepareDemoFolder(options.workDir);
  say(
    `Starting two simulated ONTAP clusters, DynamoDB Local and the synthesized state machine in ${path.relative(process.cwd(), options.workDir) || '.'} (about 15 to 40 s) ...`,
  );
  const booting = Date.now();
  // Said every few seconds: the JVM's start-up and the clusters' take a while with nothing to show.
  const still = setInterval(
    () => say(`  still starting (${Math.round((Date.now() - booting) / 1000)} s)`),
    5000,
  );
  const env = await startLocalEnvironment({
    workDir: options.workDir,
    demo: true,
    tunables: { pollIntervalSeconds: DEMO_POLL_SECONDS },
    sim: { seed: options.seed, linkBandwidthBytesPerSec: options.linkBandwidth },
  }).finally(() => clearInterval(still));
  say(`Ready after ${((Date.now() - booting) / 1000).toFixed(1)} s`);
  try {
    const source = { cluster: SOURCE_NAME, svm: DEMO_SVM };
    const since = new Date(Date.now() - 1000);
    const clusters = [env.clusters.source, env.clusters.destination];
    const workload = new ClientWorkload({
      svm: DEMO_SVM,
      volumes: DEMO_VOLUMES,
      clusters,
      seed: options.seed,
      run: `demo ${options.seed}`,
      intervalMs: 20,
    }).start();
    const prober = new ServingProber(DEMO_SVM, clusters, 20).start();
    const driver = new MigrationDriver(
      env,
      DEMO_SVM,
      env.clusters.source,
      env.clusters.destination,
      DEMO_DEADLINE_MS,
    );
    const injector = new FaultInjector({
      faults,
      source: env.clusters.source,
      destination: env.clusters.destination,
      svm: DEMO_SVM,
      store: env.store,
      connect: env.dependencies.connect,
      clients: workload,
      random: seededRandom(options.seed),
      orchestrator: driver,
    });
    const uninstall =
      faults.length > 0
        ? interceptTasks(env, {
            before: (call) => injector.before(call),
            after: (call, outcome) => injector.after(call, outcome),
          })
        : () => undefined;
    const mode = injector.needsManualCutover ? 'cut-over on request' : 'auto cut-over';
    say(
      `Migrating ${source.cluster}/${source.svm} to ${DESTINATION_NAME} (${mode}, auto source cleanup)${faults.length > 0 ? ` with faults "${options.faults}"` : ''}; a client writes and reads its files meanwhile`,
    );
    const ran = driver.run(!injector.needsManualCutover).finally(async () => {
      await injector.healAll();
      uninstall();
    });
    const started = Date.now();
    const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`;

    const record = await migrationStartedFor(env.store, source, since, ran);
    let drilled = 0;
    if (record) {
      say(`${stamp()} migration ${record.id} begun`);
      const progress = new MigrationProgress(env.store, record.id);
      let done = false;
      void ran.finally(() => (done = true));
      for (;;) {
        const finished = done;
        const update = await progress.next();
        // The migration's events and the drill's, in the order they happened.
        const happened = [
          ...(update?.events ?? []).map((e) => ({ at: e.at, text: describeEvent(e.type, e.detail) })),
          ...injector.log.slice(drilled).map((line) => ({ at: line.at, text: `drill: ${line.what}` })),
        ].sort((a, b) => a.at.localeCompare(b.at));
        for (const line of happened) say(`${stamp()} ${line.text}`);
        drilled = injector.log.length;
        for (const v of update?.changedVolumes ?? []) {
          if (v.transferState)
            say(
              `${stamp()}    ${v.name.padEnd(8)} ${v.transferState.padEnd(12)} ${describeBytes(v)}${v.node ? ` on ${v.node}` : ''}`,
            );
        }
        if (finished) break;
        await new Promise((resolve) => setTimeout(resolve, REFRESH_MS));
      }
    }
    const late = await ran;
    const run = await driver.summary();
    const result = driver.lastResult ?? { status: 'FAILED' as const, error: 'NotEnded' };
    const endState = run.endState ?? result.status;
    const final = record ? await env.store.get(record.id) : undefined;
    const client = await clientSummary(
      options.faults ?? '',
      firedFaults(injector),
      workload,
      prober,
      late,
      (seen, expected) => (final ? driver.check(seen, expected) : Promise.resolve([])),
    );
    if (!final) {
      write(
        `The execution ended ${result.status} before a migration began: ${result.error ?? ''} ${result.cause ?? ''}`,
      );
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
      dataOnDestinationBytes: await servedBytes(
        new SimControl(env.clusters.destination),
        DEMO_SVM,
        await env.store.listVolumes(final.id),
      ),
    });
    if (options.json) write(JSON.stringify({ ...summary, client }));
    else write(`\n${renderSummary(summary)}\n${renderClient(client)}`);
    const kept = client.writesLost === 0 && client.invariantViolations.length === 0;
    return {
      exitCode: result.status === 'SUCCEEDED' && endState === 'Migrated' && kept ? 0 : 1,
      summary: { ...summary, client },
    };
  } finally {
    await env.stop();
  }
}

/** Lets the client find the SVM where it now serves, stops it, and checks what it saw against the invariants. */
async function clientSummary(
  faults: string,
  faultsFired: ClientSummary['faultsFired'],
  workload: ClientWorkload,
  prober: ServingProber,
  late: Violation[],
  check: (seen: WorkloadRecord, expected: Map<string, string>) => Promise<Violation[]>,
): Promise<ClientSummary> {
  const target = workload.successes + 3;
  const deadline = Date.now() + 5000;
  while (workload.successes < target && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  const seen = await workload.stop();
  const violations = [
    ...late,
    ...(await prober.stop()).violations,
    ...(await check(seen, workload.expected())),
  ];
  return {
    faults,
    faultsFired,
    writesAcknowledged: seen.writes.length,
    writesLost: violations.filter((v) => v.writeLost).length,
    longestUnavailableMs: seen.longestUnavailableMs,
    invariantViolations: violations.map((v) => `invariant ${v.invariant}: ${v.message}`),
  };
}

function renderClient(c: ClientSummary): string {
  return [
    'Client',
    `  writes acknowledged     ${c.writesAcknowledged}`,
    `  writes lost             ${c.writesLost}`,
    `  longest unavailability  ${(c.longestUnavailableMs / 1000).toFixed(2)} s`,
    ...(c.faults ? [`  faults drilled          ${c.faults}`] : []),
    ...c.faultsFired.map(
      (f) =>
        `    ${f.fault.padEnd(22)} ${f.firedIn.length === 0 ? 'never fired (its step was not entered)' : `fired in ${f.firedIn.join(', ')}`}`,
    ),
    `  invariants              ${c.invariantViolations.length === 0 ? 'all kept' : `${c.invariantViolations.length} violated`}`,
    ...c.invariantViolations.map((v) => `    ${v}`),
  ].join('\n');
}

/** Where each planned fault fired, from the injector's log (`<fault> in <State>: ...`). */
function firedFaults(injector: FaultInjector): ClientSummary['faultsFired'] {
  return injector.planned.map((f) => {
    const fault = `${f.step}:${f.kind}${f.where ? `@${f.where}` : ''}`;
    const firedIn = injector.log
      .filter((l) => l.what.startsWith(`${fault} in `))
      .map((l) => l.what.slice(fault.length + 4).split(':')[0]);
    return { fault, firedIn };
  });
}

/** Bytes a client can read from the destination SVM now (undefined when it does not serve). */
async function servedBytes(
  destination: SimControl,
  svm: string,
  volumes: { name: string }[],
): Promise<number | undefined> {
  try {
    let total = 0;
    for (const v of volumes) for (const f of await destination.listFiles(svm, v.name)) total += f.size;
    return total;
  } catch {
    return undefined;
  }
}

/**
 * What a volume line's bytes are: SnapMirror's bytes_transferred counts the current or last
 * transfer only, so after the baseline they are an incremental update's, not the volume's size.
 */
export function describeBytes(v: {
  transferState?: string;
  bytesTransferred: number;
  checkpoint: Record<string, string>;
}): string {
  const bytes = formatBytes(v.bytesTransferred);
  if (v.checkpoint.final_update) return `${bytes} in the final update`;
  return v.transferState === 'transferring'
    ? `${bytes} so far in this transfer`
    : `${bytes} in the last transfer`;
}

function describeEvent(type: string, detail: Record<string, unknown> | undefined): string {
  const text = type.replace(/_/g, ' ');
  if (type === 'phase_changed') return `phase: ${String(detail?.phase)}`;
  const shown = Object.entries(detail ?? {}).filter(([, v]) => v !== undefined && v !== null);
  return shown.length === 0
    ? text
    : `${text} (${shown.map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('; ')})`;
}
