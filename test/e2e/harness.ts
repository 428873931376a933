// End-to-end harness: the real synthesized state machine, run by the local runner over the
// real handlers, jest's DynamoDB Local and two simulated clusters, with short waits. Tests
// inject faults through the simulator's control endpoints and read back what happened.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Tunables } from '../../lambdas/config';
import type { MigrationEvent, MigrationRecord, VolumeProgress } from '../../lambdas/state/records';
import {
  type LocalClusters,
  type LocalEnvironment,
  type LocalEnvironmentOptions,
  startLocalEnvironment,
} from '../../local/environment';
import type { ExecutionEvent } from '../../local/executions';
import type { RunExecutionReport, RunExecutionRequest } from '../../local/run-execution';
import type { Execution, ExecutionResult } from '../../local/runner';
import { SimControl } from '../../sim/control';
import type { StateDump } from '../../sim/control-routes';
import { DEMO_SVM } from '../../sim/demo';
import { DESTINATION_NAME, SOURCE_NAME } from '../../sim/pair';
import { ENDPOINT_ENV } from '../support/global-setup';

export { DEMO_SVM };
export const SOURCE = { cluster: SOURCE_NAME, svm: DEMO_SVM };
export const DESTINATION = { cluster: DESTINATION_NAME };
export const INPUT = { source: SOURCE, destination: DESTINATION };

/** The retry interval of every retrying state (the definition's is seconds). */
export const RETRY_INTERVAL_MS = 5;
/** Long enough for a test to see a retry in the runner's log and lift the fault before the next attempt. */
export const OBSERVED_RETRY_INTERVAL_MS = 400;

export interface HarnessOptions {
  /** Demo volumes on the source (8 by default) and, for many volumes, a small file size. */
  volumes?: number;
  fileBytes?: number;
  tunables?: Partial<Tunables>;
  /** Synthesis context (retryMaxAttempts is baked into the Retry blocks). */
  context?: Record<string, unknown>;
  /** Milliseconds before every retry (RETRY_INTERVAL_MS by default). */
  retryIntervalMs?: number;
  sim?: LocalEnvironmentOptions['sim'];
  /** Someone else's clusters: not started, seeded or stopped here. */
  clusters?: LocalClusters;
  workDir?: string;
  tableName?: string;
  /** DynamoDB through something in front of jest's DynamoDB Local (a faulty proxy); the test's own reads go there too. */
  dynamoDbEndpoint?: string;
}

export interface Outcome {
  result: ExecutionResult;
  /** States entered, in order (from the runner's history). */
  states: string[];
  history: readonly ExecutionEvent[];
  migration: MigrationRecord;
  volumes: VolumeProgress[];
  /** The migration's event log in DynamoDB. */
  events: MigrationEvent[];
}

export class Harness {
  readonly source: SimControl;
  readonly destination: SimControl;

  private constructor(
    readonly env: LocalEnvironment,
    readonly workDir: string,
    readonly tableName: string,
    private readonly ownsWorkDir: boolean,
    private readonly options: LocalEnvironmentOptions,
  ) {
    this.source = new SimControl(env.clusters.source);
    this.destination = new SimControl(env.clusters.destination);
  }

  static async start(options: HarnessOptions = {}): Promise<Harness> {
    const endpoint = options.dynamoDbEndpoint ?? process.env[ENDPOINT_ENV];
    if (endpoint === undefined)
      throw new Error(
        `${ENDPOINT_ENV} is not set: run through jest, whose global setup starts DynamoDB Local`,
      );
    const workDir = options.workDir ?? fs.mkdtempSync(path.join(scratchRoot(), 'svm-'));
    const tableName = options.tableName ?? `svm-e2e-${process.pid}-${randomBytes(4).toString('hex')}`;
    const envOptions = environmentOptions(options, workDir, tableName, endpoint);
    const env = await startLocalEnvironment(envOptions);
    return new Harness(env, workDir, tableName, options.workDir === undefined, envOptions);
  }

  /** Starts a migration of the demo SVM (auto cut-over and source cleanup). */
  start(name?: string): Execution {
    return this.env.start(INPUT, name);
  }

  /**
   * Runs a migration of the demo SVM in a child process (local/run-execution.ts) over these
   * clusters, this table and this work dir's execution records, so a test can kill it -9.
   */
  startInChild(): ChildExecution {
    const request: RunExecutionRequest = {
      workDir: this.workDir,
      clusters: this.env.clusters,
      dynamoDbEndpoint: this.options.dynamoDbEndpoint as string,
      tableName: this.tableName,
      input: INPUT,
      context: this.options.context,
      tunables: this.options.tunables,
      overrides: this.options.overrides,
      ontap: this.options.ontap,
    };
    // node with tsx's loader, not the tsx wrapper: the child is the process that runs the
    // execution, so killing it kills the execution and node reaps it at once.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'local/run-execution.ts')], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const reports: RunExecutionReport[] = [];
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) reports.push(JSON.parse(line) as RunExecutionReport);
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdin.end(JSON.stringify(request));
    return {
      reports,
      stderr: () => stderr,
      executionArn: () => reports.flatMap((r) => ('started' in r ? [r.started.executionArn] : []))[0],
      exited,
      async kill9() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      },
    };
  }

  /** Waits for the execution, then reads what it left in DynamoDB. */
  async finish(execution: Execution): Promise<Outcome> {
    const result = await execution.result;
    return this.outcome(execution, result);
  }

  async outcome(execution: Execution, result: ExecutionResult): Promise<Outcome> {
    const migration = await this.migrationOf(execution);
    return {
      result,
      states: statesEntered(execution.events),
      history: execution.events,
      migration,
      volumes: await this.env.store.listVolumes(migration.id),
      events: await this.env.store.listEvents(migration.id, { limit: 1000 }),
    };
  }

  /** The migration an execution worked on: the one it began or took over, found by its id in the execution's output or the store. */
  async migrationOf(execution: Execution): Promise<MigrationRecord> {
    const { items } = await this.env.store.list({ limit: 100 });
    const mine = items.filter((m) => m.source.svm === SOURCE.svm && m.source.cluster === SOURCE.cluster);
    if (mine.length !== 1)
      throw new Error(
        `expected one migration of ${SOURCE.svm}, found ${mine.length} (execution ${execution.name})`,
      );
    return mine[0];
  }

  /** Both clusters as the tests compare them. */
  async snapshot(): Promise<{ source: ClusterView; destination: ClusterView }> {
    const [source, destination] = await Promise.all([this.source.state(), this.destination.state()]);
    return { source: clusterView(source), destination: clusterView(destination) };
  }

  async stop(): Promise<void> {
    await this.env.stop();
    if (this.ownsWorkDir) fs.rmSync(this.workDir, { recursive: true, force: true });
  }
}

/**
 * The simulator writes its whole state, fsynced, on every change: on a RAM-backed /dev/shm that
 * costs nothing, on a disk it makes a many-volume migration several times slower.
 */
function scratchRoot(): string {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}

export interface ChildExecution {
  reports: RunExecutionReport[];
  stderr(): string;
  /** Once the child reported it started. */
  executionArn(): string | undefined;
  exited: Promise<number | null>;
  /** SIGKILL; resolves once the process is gone (and reaped). */
  kill9(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '../..');

function environmentOptions(
  options: HarnessOptions,
  workDir: string,
  tableName: string,
  endpoint: string,
): LocalEnvironmentOptions {
  return {
    workDir,
    demo: { volumes: options.volumes, fileBytes: options.fileBytes },
    ...(options.clusters && { clusters: options.clusters }),
    context: options.context,
    tunables: { pollIntervalSeconds: 0, ...options.tunables },
    overrides: { waitSeconds: 0.02, retryIntervalMs: options.retryIntervalMs ?? RETRY_INTERVAL_MS },
    sim: { jobDelayMs: 2, movePhaseMs: 20, ...options.sim },
    dynamoDbEndpoint: endpoint,
    tableName,
    ontap: { jobPollMs: 5 },
    logLevel: 'SILENT',
  };
}

export const HAPPY_PATH = [
  'CheckState',
  'ResumePoint',
  'Setup',
  'StartTransfer',
  'WaitForTransfer',
  'PollTransfer',
  'TransferStatus',
  'CutoverMode',
  'PreCommit',
  'PreCommitStatus',
  'Commit',
  'SourceCleanupMode',
  'SourceCleanup',
  'Complete',
  'CompletionMode',
  'Migrated',
];
export const UNDO_STATES = [
  'UndoSetup',
  'UndoTransfer',
  'UndoPreCommit',
  'RestartSourceVserver',
  'DecideRestart',
  'RecordUndoFailed',
];

// ---- end states ------------------------------------------------------------------------------

/** The end state of a finished migration: the destination serves the same data, the source is gone, DynamoDB agrees. */
export async function expectMigrated(
  harness: Harness,
  outcome: Outcome,
  before: Record<string, Record<string, string>>,
): Promise<void> {
  const { source, destination } = await harness.snapshot();
  expect(outcome.result.status).toBe('SUCCEEDED');
  expect(outcome.states[outcome.states.length - 1]).toBe('Migrated');
  expect(source.svm(DEMO_SVM)).toBeUndefined();
  const svm = destination.svm(DEMO_SVM);
  expect(svm).toMatchObject({ state: 'running', subtype: 'default', serving: true });
  expect(svm?.interfaces.map((l) => [l.name, l.up])).toEqual([
    ['lif_demo_01', true],
    ['lif_demo_02', true],
  ]);
  expect(svm?.volumes.every((v) => v.type === 'rw')).toBe(true);
  expect(filesByVolume(svm)).toEqual(before);
  expect(destination.relationships).toEqual([]);
  expect(outcome.migration).toMatchObject({
    phase: 'migrate_complete',
    status: 'migrate_complete',
    destinationServing: true,
  });
  expect(outcome.volumes.map((v) => [v.name, v.destinationUuid])).toEqual(
    svm?.volumes.map((v) => [v.name, v.uuid]),
  );
  expect(
    await harness.env.store.findActiveForSvm(harness.env.clusters.source.name, DEMO_SVM),
  ).toBeUndefined();
}

/** Rolled back: the source SVM serves its interfaces and its data unchanged, and no mirror snapshot is left on it. */
export async function expectSourceServing(
  harness: Harness,
  before: Record<string, Record<string, string>>,
): Promise<void> {
  const { source, destination } = await harness.snapshot();
  const svm = source.svm(DEMO_SVM);
  expect(svm).toMatchObject({ state: 'running', subtype: 'default', serving: true });
  expect(svm?.interfaces.map((l) => [l.name, l.up])).toEqual([
    ['lif_demo_01', true],
    ['lif_demo_02', true],
  ]);
  expect(filesByVolume(svm)).toEqual(before);
  expect(svm?.volumes.flatMap((v) => v.snapshots)).toEqual([]);
  // Invariant 1: at most one SVM serves.
  expect(destination.svm(DEMO_SVM)?.serving ?? false).toBe(false);
}

/** Invariant 3: nothing the migration created is left on the destination (it started empty). */
export async function expectDestinationEmpty(harness: Harness): Promise<void> {
  const dump = await harness.destination.state();
  expect({
    svms: dump.svms.map((s) => s.name),
    volumes: dump.volumes.map((v) => v.name),
    interfaces: dump.interfaces.map((l) => l.name),
    relationships: dump.relationships.map((r) => r.destination.path),
    dns: dump.dns.length,
    nfs: dump.nfs.length,
    exportPolicies: dump.exportPolicies.map((p) => p.name),
  }).toEqual({
    svms: [],
    volumes: [],
    interfaces: [],
    relationships: [],
    dns: 0,
    nfs: 0,
    exportPolicies: [],
  });
}

// ---- the runner's history ----------------------------------------------------------------

export function statesEntered(history: readonly ExecutionEvent[]): string[] {
  return history.filter((e) => e.type === 'StateEntered').map((e) => e.state as string);
}

export function retriesOf(history: readonly ExecutionEvent[], state: string): ExecutionEvent[] {
  return history.filter((e) => e.type === 'StateRetried' && e.state === state);
}

/** The states of the poll loops, which run as many times as the transfer takes. */
export const POLL_LOOP_STATES = new Set(['WaitForTransfer', 'PollTransfer', 'TransferStatus']);

/** How many states an execution entered apart from the poll loop's, which repeat as long as the transfer takes. */
export function transitionsApartFromPolls(states: string[]): number {
  return states.filter((s) => !POLL_LOOP_STATES.has(s)).length;
}

/** Fails naming the first expected state missing, in order, from `states`. */
export function expectOrder(states: string[], expected: string[]): void {
  let at = 0;
  for (const want of expected) {
    const found = states.indexOf(want, at);
    if (found < 0) {
      throw new Error(
        `states entered are missing ${want} after position ${at} (expected in order: ${expected.join(' > ')})`,
      );
    }
    at = found + 1;
  }
}

/** Whether the execution has entered `state` (at least `occurrence` times) so far. */
export function entered(execution: Execution, state: string, occurrence = 1): boolean {
  return execution.events.filter((e) => e.type === 'StateEntered' && e.state === state).length >= occurrence;
}

// ---- polling --------------------------------------------------------------------------------

/** Polls `check` until it is truthy; fails after `timeoutMs` naming what was awaited. */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 30_000,
  everyMs = 2,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

// ---- failure messages -----------------------------------------------------------------------

/** What a failing test prints: the states entered, the runner's last events and the migration's. */
export function describeRun(outcome: Partial<Outcome> & { history: readonly ExecutionEvent[] }): string {
  const last = outcome.history
    .slice(-12)
    .map(
      (e) => `  ${e.id} ${e.type} ${e.state ?? ''}${e.error ? ` ${e.error}: ${shortCause(e.cause)}` : ''}`,
    );
  const events = (outcome.events ?? [])
    .slice(-12)
    .map((e) => `  ${e.type} (${e.phase}) ${JSON.stringify(e.detail ?? {})}`);
  return [
    `result: ${JSON.stringify(outcome.result ? { ...outcome.result, output: undefined } : undefined)}`,
    `states entered: ${statesEntered(outcome.history).join(' > ')}`,
    'last runner events:',
    ...last,
    ...(outcome.migration
      ? [
          `migration: ${JSON.stringify({ ...outcome.migration, messages: outcome.migration.messages.slice(-3) })}`,
        ]
      : []),
    'last migration events:',
    ...events,
  ].join('\n');
}

function shortCause(cause: string | undefined): string {
  if (!cause) return '';
  try {
    return String((JSON.parse(cause) as { errorMessage?: string }).errorMessage ?? cause).slice(0, 300);
  } catch {
    return cause.slice(0, 300);
  }
}

/** Runs the assertions; a failure's message gets the run's description appended. */
export async function explained(
  describe: () => string,
  assertions: () => void | Promise<void>,
): Promise<void> {
  try {
    await assertions();
  } catch (err) {
    if (err instanceof Error) err.message = `${err.message}\n\n${describe()}`;
    throw err;
  }
}

// ---- clusters -------------------------------------------------------------------------------

export interface InterfaceView {
  name: string;
  address: string;
  enabled: boolean;
  /** Enabled, its SVM running and its home node (or the partner that took it over) serving. */
  up: boolean;
}

export interface VolumeView {
  name: string;
  uuid: string;
  type: string;
  node: string;
  path?: string;
  /** File path -> content hash. */
  files: Record<string, string>;
  snapshots: string[];
}

export interface SvmView {
  name: string;
  uuid: string;
  state: string;
  subtype: string;
  comment?: string;
  interfaces: InterfaceView[];
  volumes: VolumeView[];
  /** Running with an interface up: clients reach it. */
  serving: boolean;
}

export interface ClusterView {
  name: string;
  svms: SvmView[];
  relationships: { destination: string; state: string }[];
  svm(name: string): SvmView | undefined;
}

export function clusterView(dump: StateDump): ClusterView {
  const nodeName = new Map(dump.nodes.map((n) => [n.uuid, n.name]));
  const serves = (nodeUuid: string): boolean => {
    const node = dump.nodes.find((n) => n.uuid === nodeUuid);
    if (!node) return false;
    if (!node.down) return true;
    const partner = dump.nodes.find((n) => n.uuid === node.partnerUuid);
    return node.takenOver && partner !== undefined && !partner.down;
  };
  const aggregateNode = new Map(dump.aggregates.map((a) => [a.uuid, a.nodeUuid]));
  const svms = dump.svms.map((svm): SvmView => {
    const interfaces = dump.interfaces
      .filter((l) => l.svmUuid === svm.uuid)
      .map((l) => ({
        name: l.name,
        address: l.address,
        enabled: l.enabled,
        up: l.enabled && svm.state === 'running' && serves(l.homeNodeUuid),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    // The SVM's root volume is the SVM's own (created and deleted with it), not a migrated one.
    const volumes = dump.volumes
      .filter((v) => v.svmUuid === svm.uuid && !v.isSvmRoot)
      .map((v) => ({
        name: v.name,
        uuid: v.uuid,
        type: v.type,
        node: nodeName.get(aggregateNode.get(v.aggregateUuid) ?? '') ?? '?',
        path: v.nas.path,
        files: Object.fromEntries(Object.entries(v.files).map(([file, entry]) => [file, entry.hash])),
        snapshots: v.snapshots.map((s) => s.name),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return {
      name: svm.name,
      uuid: svm.uuid,
      state: svm.state,
      subtype: svm.subtype,
      comment: svm.comment,
      interfaces,
      volumes,
      serving: svm.state === 'running' && interfaces.some((l) => l.up),
    };
  });
  return {
    name: dump.cluster.name,
    svms,
    relationships: dump.relationships.map((r) => ({ destination: r.destination.path, state: r.state })),
    svm: (name) => svms.find((s) => s.name === name),
  };
}

/** Each volume's files (path -> hash), by volume name: what must arrive unchanged. */
export function filesByVolume(svm: SvmView | undefined): Record<string, Record<string, string>> {
  return Object.fromEntries((svm?.volumes ?? []).map((v) => [v.name, v.files]));
}
