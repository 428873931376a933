// The clusters, DynamoDB table and state machine that chaos scenarios run on. Starting them
// costs more than a migration, so one lab serves scenario after scenario: the demo SVM moves
// back and forth between the two clusters. A lab left unclean (an SVM on both sides, a lock
// still held, a fault not lifted) is replaced by a fresh one before the next scenario.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesizeDefinition } from '../local/definition';
import { type DynamoDbLocal, startDynamoDbLocal } from '../local/dynamodb-local';
import { type LocalEnvironment, startLocalEnvironment } from '../local/environment';
import { SimControl } from '../sim/control';
import { DEMO_SVM, demoVolumeNames } from '../sim/demo';
import { footprint, serves } from './clusters';
import { TAKEOVER_DELAY_MS } from './injector';
import type { ClusterEndpoint } from './invariants';
import { type FaultyProxy, startFaultyProxy } from './tcp-proxy';

export interface LabOptions {
  /** An already running DynamoDB Local (jest's); otherwise the lab starts one in memory. */
  dynamoDbEndpoint?: string;
  /** Volumes of the demo SVM (few and tiny keeps a scenario to a second or two). */
  volumes?: number;
  fileBytes?: number;
  /** Milliseconds before every retry of a task. */
  retryIntervalMs?: number;
}

export interface Placement {
  /** Where the SVM serves now: the next migration's source. */
  from: ClusterEndpoint;
  to: ClusterEndpoint;
}

export const LAB_SVM = DEMO_SVM;

/** A relocation waits for the down node's takeover: its retries must span the takeover delay. */
const RELOCATE_RETRY_MS = Math.ceil(TAKEOVER_DELAY_MS / 2);

let synthesized: ReturnType<typeof synthesizeDefinition> | undefined;
const labDefinition = () =>
  (synthesized ??= synthesizeDefinition({ context: { stateMachineTimeoutDays: 1 } }));

/** Every retrying state's interval: short, but a relocation's long enough to outlast a takeover. */
function retryIntervals(ms: number): Record<string, number> {
  const retrying = Object.entries(labDefinition().definition.States)
    .filter(([, state]) => Array.isArray(state.Retry))
    .map(([name]) => name);
  return Object.fromEntries(
    retrying.map((name) => [name, name.startsWith('Relocate') ? Math.max(ms, RELOCATE_RETRY_MS) : ms]),
  );
}

export class ChaosLab {
  private env?: LocalEnvironment;
  private workDir?: string;
  /** The lab's own DynamoDB Local, when it was given none (kept across fresh labs). */
  private db?: DynamoDbLocal;
  private proxy?: FaultyProxy;
  /** Labs started so far (a scenario that leaves a mess costs one). */
  starts = 0;

  constructor(private readonly options: LabOptions = {}) {}

  get environment(): LocalEnvironment {
    if (!this.env) throw new Error('the chaos lab is not started');
    return this.env;
  }

  /** MaxAttempts of the intermittent-error Retry of every task, as the lab's state machine has it. */
  get retryMaxAttempts(): number {
    return labDefinition().tunables.retryMaxAttempts;
  }

  /** The proxy the tasks reach DynamoDB through: `dynamodb` faults reset its requests. */
  get tasksDb(): FaultyProxy {
    if (!this.proxy) throw new Error('the chaos lab is not started');
    return this.proxy;
  }

  get volumes(): string[] {
    return demoVolumeNames(this.options.volumes ?? 2);
  }

  /** Where the SVM is now; a fresh lab when the current one is not clean. */
  async prepare(): Promise<Placement> {
    if (this.env) {
      const placement = await this.placementIfClean();
      if (placement) return placement;
      await this.stop();
    }
    await this.start();
    const placement = await this.placementIfClean();
    if (!placement) throw new Error('a fresh chaos lab is not clean');
    return placement;
  }

  /** Throws the lab away: the next scenario gets a fresh one. */
  async stop(): Promise<void> {
    const env = this.env;
    this.env = undefined;
    await env?.stop();
    await this.proxy?.close();
    this.proxy = undefined;
    if (this.workDir) fs.rmSync(this.workDir, { recursive: true, force: true });
    this.workDir = undefined;
  }

  /** Stops the lab and its own DynamoDB Local (the end of a campaign). */
  async close(): Promise<void> {
    await this.stop();
    await this.db?.stop();
    this.db = undefined;
  }

  private async start(): Promise<void> {
    // tmpfs when there is one: the simulator fsyncs every change, which a disk makes slow.
    const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
    this.workDir = fs.mkdtempSync(path.join(base, 'svm-chaos-'));
    let endpoint = this.options.dynamoDbEndpoint;
    if (!endpoint) {
      this.db ??= await startDynamoDbLocal();
      endpoint = this.db.endpoint;
    }
    this.proxy = await startFaultyProxy(endpoint);
    this.env = await startLocalEnvironment({
      workDir: this.workDir,
      demo: { volumes: this.options.volumes ?? 2, fileBytes: this.options.fileBytes ?? 256 },
      // A one-day state machine timeout: a lab's migrations take seconds.
      context: { stateMachineTimeoutDays: 1 },
      tunables: { pollIntervalSeconds: 0 },
      overrides: { waitSeconds: 0.02, retryIntervalMs: retryIntervals(this.options.retryIntervalMs ?? 10) },
      sim: { jobDelayMs: 2, movePhaseMs: 20, takeoverDelayMs: TAKEOVER_DELAY_MS },
      dynamoDbEndpoint: endpoint,
      taskDynamoDbEndpoint: this.proxy.endpoint,
      tableName: `svm-chaos-${process.pid}-${randomBytes(4).toString('hex')}`,
      ontap: { jobPollMs: 5 },
      logLevel: 'SILENT',
    });
    this.starts++;
  }

  /** Clean: the SVM serves on exactly one cluster, the other holds nothing of it, no fault, no lock. */
  private async placementIfClean(): Promise<Placement | undefined> {
    const env = this.environment;
    const clusters = [env.clusters.source, env.clusters.destination];
    const dumps = await Promise.all(clusters.map((c) => new SimControl(c).state()));
    const serving = dumps.map((d) => serves(d, LAB_SVM));
    if (serving.filter(Boolean).length !== 1) return undefined;
    const from = serving[0] ? 0 : 1;
    const other = dumps[1 - from];
    if (footprint(other, LAB_SVM).length > 0) return undefined;
    // Only the serving SVM's own volumes on its cluster; nothing left from an earlier generation.
    if (dumps[from].relationships.length > 0) return undefined;
    for (const d of dumps) {
      const faults = d.runtime.faults;
      if (
        d.runtime.unreachable ||
        !d.link.up ||
        d.nodes.some((n) => n.down) ||
        faults.errors.length > 0 ||
        faults.latencies.length > 0
      )
        return undefined;
    }
    if (await env.store.findActiveForSvm(clusters[from].name, LAB_SVM)) return undefined;
    return { from: clusters[from], to: clusters[1 - from] };
  }
}
