// Turns a parsed schedule into faults at the right moment: when a step's task is invoked (attempt
// 0) the fault is injected through SimControl or the store, and it heals when the step is done,
// after its own bound (N retries, a time limit), or for a link down at the point of no return
// when the restart of the source begins. Every fault heals, so every migration can end.
import type { Dependencies } from '../lambdas/domain/migration/dependencies';
import type { MigrationStore } from '../lambdas/state/migration-store';
import { SimControl } from '../sim/control';
import { nodesHosting } from './clusters';
import type { TaskCall } from './interceptor';
import type { ClusterEndpoint } from './invariants';
import type { Random } from './random';
import {
  type Api,
  type ConcreteStep,
  type Fault,
  type Kind,
  LATENCY_STEP_MS,
  type Side,
  stepsFor,
} from './schedule';
import type { FaultyProxy } from './tcp-proxy';

/** The state machine's task states of each step (Relocate<State> belongs to its step too). */
const STEP_STATES: Record<ConcreteStep, readonly string[]> = {
  setup: ['Setup'],
  transfer: ['StartTransfer', 'PollTransfer'],
  cutover: ['PollCutoverTrigger'],
  precommit: ['PreCommit'],
  commit: ['Commit'],
  cleanup: ['SourceCleanup'],
  'undo-setup': ['UndoSetup'],
  'undo-transfer': ['UndoTransfer'],
  'undo-precommit': ['UndoPreCommit'],
};

/** A fault bound to its step, with how many of its occurrences are left. */
export interface PlannedFault {
  step: ConcreteStep;
  kind: Kind;
  count: number;
  where?: Fault['where'];
  /** Occurrences not yet injected (entries of the step for the repeating kinds). */
  remaining: number;
}

/** What the injector does to the orchestrator: the scenario owns the executions. */
export interface Orchestrator {
  /** Stops the execution as a crash would, waits until it is recorded as ended, starts a fresh one; false if it already crashed. */
  crash(executionId: string, afterMs: number): boolean;
}

/** What the client workload is told when the source's administrator changes the SVM's volumes. */
export interface VolumeClients {
  /** The clients use this new volume too (their writes to it must survive like the others). */
  addVolume(volume: string): void;
  /** The volume is gone with its files: the clients stop using it and expect none of its files. */
  dropVolume(volume: string): void;
  volumes(): readonly string[];
}

export interface InjectorOptions {
  faults: readonly Fault[];
  /** The product's own ONTAP client: the source's administrator creates and deletes volumes with it. */
  connect: Dependencies['connect'];
  /** The loopback proxy the tasks reach DynamoDB through (a `dynamodb` fault resets its requests). */
  tasksDb?: FaultyProxy;
  clients?: VolumeClients;
  source: ClusterEndpoint;
  destination: ClusterEndpoint;
  svm: string;
  store: MigrationStore;
  random: Random;
  orchestrator: Orchestrator;
  /** No fault lasts longer than this (a transfer can wait for a down link forever). */
  maxFaultMs?: number;
}

interface ActiveFault {
  fault: PlannedFault;
  /** The step's state the fault was injected in (network heals by its retry count). */
  state: string;
  heal: () => Promise<void>;
  timer: NodeJS.Timeout;
}

/** What the injector did, for the scenario's report. */
export interface InjectionLog {
  at: string;
  what: string;
}

const DEFAULT_MAX_FAULT_MS = 1500;
const PONR_MAX_FAULT_MS = 3000;
/** When a node goes down its partner takes over after this (short, so relocation can proceed). */
export const TAKEOVER_DELAY_MS = 250;
/** The path families of each API a `latency` fault slows. */
const API_PATHS: Record<Api, string> = {
  snapmirror: '/api/snapmirror/*',
  volumes: '/api/storage/volumes*',
  interfaces: '/api/network/ip/interfaces*',
  svms: '/api/svm/*',
  jobs: '/api/cluster/jobs*',
  all: '/api/*',
};
/** Names of the volumes an administrator creates on the source during a run (sorted after the demo's). */
const ADDED_VOLUME_PREFIX = 'volx';
const ADDED_VOLUME_BYTES = 64 * 1024 ** 2;

/** Resolves `any` with the seeded random, and sets how many occurrences each fault has. */
export function planFaults(faults: readonly Fault[], random: Random): PlannedFault[] {
  return faults.map((f) => {
    const step: ConcreteStep =
      f.step !== 'any' ? f.step : f.where === 'ponr' ? 'commit' : random.pick(stepsFor(f.kind));
    return {
      step,
      kind: f.kind,
      count: f.count,
      ...(f.where && { where: f.where }),
      remaining: repeats(f.kind) ? f.count : 1,
    };
  });
}

/** These happen once per entry of the step, COUNT entries; transient and network use COUNT as a size. */
const repeats = (kind: Kind) =>
  kind === 'node-down' || kind === 'link-down' || kind === 'crash' || kind === 'pause';

export function stepOf(stateName: string | undefined): ConcreteStep | undefined {
  if (!stateName) return undefined;
  const state = stateName.startsWith('Relocate') ? stateName.slice('Relocate'.length) : stateName;
  return (Object.keys(STEP_STATES) as ConcreteStep[]).find((step) => STEP_STATES[step].includes(state));
}

export class FaultInjector {
  readonly planned: PlannedFault[];
  readonly log: InjectionLog[] = [];
  private readonly active = new Set<ActiveFault>();
  private readonly sim: Record<'source' | 'destination', SimControl>;
  private migrationId?: string;
  private added = 0;
  /** The source SVM's volumes were changed: the lab no longer holds the demo SVM as it was seeded. */
  changedSource = false;
  /** Runs hooks one at a time: injections and heals never interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: InjectorOptions) {
    this.planned = planFaults(options.faults, options.random);
    this.sim = { source: new SimControl(options.source), destination: new SimControl(options.destination) };
  }

  /** The cut-over is left to an operator (autoCutover off) when the schedule has faults in its wait. */
  get needsManualCutover(): boolean {
    return this.planned.some((f) => f.step === 'cutover');
  }

  before(call: TaskCall): Promise<void> {
    return this.serially(() => this.onTaskStart(call));
  }

  after(call: TaskCall, outcome: { error?: unknown }): Promise<void> {
    return this.serially(() => this.onTaskEnd(call, outcome));
  }

  /** Heals every fault still active (the scenario calls it when the migration has ended). */
  healAll(): Promise<void> {
    return this.serially(async () => {
      for (const active of [...this.active]) await this.healOne(active, 'the run ended');
    });
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async onTaskStart(call: TaskCall): Promise<void> {
    if (call.migrationId) this.migrationId = call.migrationId;
    const step = stepOf(call.stateName);
    for (const active of [...this.active]) {
      if (active.fault.where === 'ponr') {
        // Up again when the restart begins: the source is restarted, the undo chain follows.
        if (
          call.stateName === 'RestartSourceVserver' ||
          call.stateName === 'RecordCommitFailure' ||
          (step !== undefined && step !== 'commit')
        ) {
          await this.healOne(active, `${call.stateName} began`);
        }
        continue;
      }
      if (step !== active.fault.step) await this.healOne(active, `${call.stateName} began`);
      else if (
        active.fault.kind === 'network' &&
        call.stateName === active.state &&
        call.retryCount >= active.fault.count
      ) {
        await this.healOne(active, `${active.fault.count} retries of ${call.stateName}`);
      }
    }
    // A fault is injected when its step is entered: attempt 0 of one of the step's states, not a relocation.
    if (!step || call.retryCount > 0 || call.stateName?.startsWith('Relocate')) return;
    let injected = false;
    for (const fault of this.planned) {
      if (fault.step !== step || fault.remaining === 0) continue;
      if ([...this.active].some((a) => a.fault === fault)) continue;
      fault.remaining--;
      injected = true;
      await this.inject(fault, call);
    }
    if (call.stateName === 'PollCutoverTrigger' && !injected) await this.triggerCutoverWhenDrilled();
  }

  private async onTaskEnd(call: TaskCall, outcome: { error?: unknown }): Promise<void> {
    if (outcome.error !== undefined) return;
    const step = stepOf(call.stateName);
    // The step succeeded: its faults are over (a poll loop's next entry may inject again).
    for (const active of [...this.active]) {
      if (
        active.fault.step === step &&
        active.fault.where !== 'ponr' &&
        !call.stateName?.startsWith('Relocate')
      ) {
        await this.healOne(active, `${call.stateName} succeeded`);
      }
    }
  }

  /**
   * The operator triggers the cut-over at a wait's poll once the faults drilled there are spent
   * (not at the poll that got the last one): in every generation, since a restart waits again.
   */
  private async triggerCutoverWhenDrilled(): Promise<void> {
    if (!this.migrationId || this.planned.some((f) => f.step === 'cutover' && f.remaining > 0)) return;
    await this.options.store.request(this.migrationId, 'cutover', new Date().toISOString());
    this.note('operator: cut-over requested');
  }

  private async inject(fault: PlannedFault, call: TaskCall): Promise<void> {
    const label = `${fault.step}:${fault.kind}${fault.where ? `@${fault.where}` : ''} in ${call.stateName}`;
    const heals: (() => Promise<void>)[] = [];
    switch (fault.kind) {
      case 'transient': {
        // The orchestrator runs at the destination (claim 3): every step but the source cleanup talks to it.
        const side = fault.step === 'cleanup' ? 'source' : 'destination';
        const id = await this.sim[side].injectError({
          path: '/api/*',
          status: 503,
          count: fault.count,
          message: 'chaos: service unavailable',
        });
        heals.push(() => this.sim[side].removeFault(id).catch(() => undefined));
        this.note(`${label}: HTTP 503 for the next ${fault.count} call(s) on the ${side}`);
        break;
      }
      case 'network': {
        const sides = sidesOf(fault.where as Side | undefined);
        for (const side of sides) {
          await this.sim[side].unreachable('refuse');
          heals.push(() => this.sim[side].reachable());
        }
        this.note(`${label}: connections refused on ${sides.join(' and ')} for ${fault.count} attempt(s)`);
        break;
      }
      case 'auth': {
        const side = (fault.where as 'source' | 'destination' | undefined) ?? 'destination';
        const id = await this.sim[side].injectError({
          path: '/api/*',
          status: 401,
          code: '6691623',
          message: 'chaos: not authorized for that command',
          probability: 1,
        });
        heals.push(() => this.sim[side].removeFault(id).catch(() => undefined));
        this.note(`${label}: the ${side} refuses the credentials`);
        break;
      }
      case 'latency': {
        const api = (fault.where as Api | undefined) ?? 'all';
        const ms = fault.count * LATENCY_STEP_MS;
        for (const side of ['source', 'destination'] as const) {
          const id = await this.sim[side].addLatency(ms, API_PATHS[api]);
          heals.push(() => this.sim[side].removeFault(id).catch(() => undefined));
        }
        this.note(`${label}: ${ms} ms more on every ${api} call of both clusters`);
        break;
      }
      case 'dynamodb': {
        const proxy = this.options.tasksDb;
        if (!proxy) throw new Error('a dynamodb fault needs the lab to reach DynamoDB through its proxy');
        proxy.resetNext(fault.count);
        heals.push(async () => proxy.clear());
        this.note(`${label}: the next ${fault.count} DynamoDB request(s) of the tasks reset`);
        break;
      }
      case 'source-add-volume':
      case 'source-delete-volume':
        await this.changeSource(fault.kind, label);
        return;
      case 'node-down': {
        const side = fault.step === 'cleanup' ? 'source' : 'destination';
        const dump = await this.sim[side].state();
        const node = nodesHosting(dump, this.options.svm)[0] ?? dump.nodes[0];
        await this.sim[side].nodeDown(node.name, { takeoverDelayMs: TAKEOVER_DELAY_MS });
        heals.push(() => this.sim[side].nodeUp(node.name));
        this.note(`${label}: node ${node.name} of the ${side} down`);
        break;
      }
      case 'link-down': {
        for (const side of ['source', 'destination'] as const) {
          await this.sim[side].linkDown();
          heals.push(() => this.sim[side].linkUp());
        }
        this.note(`${label}: inter-cluster link down`);
        break;
      }
      case 'crash': {
        const afterMs = this.options.random.below(20);
        const crashed =
          call.executionId !== undefined && this.options.orchestrator.crash(call.executionId, afterMs);
        this.note(
          crashed
            ? `${label}: the orchestrator crashes ${afterMs} ms into the step`
            : `${label}: the orchestrator is crashing already`,
        );
        return;
      }
      case 'abort':
      case 'pause': {
        const id = call.migrationId ?? this.migrationId;
        if (!id) return;
        try {
          await this.options.store.request(id, fault.kind, new Date().toISOString());
          this.note(`${label}: operator requests ${fault.kind}`);
        } catch (err) {
          // Abort is refused past the point of no return: that is the product's answer, not a failure here.
          this.note(`${label}: operator's ${fault.kind} refused: ${(err as Error).message}`);
        }
        return;
      }
    }
    const maxMs =
      fault.where === 'ponr' ? PONR_MAX_FAULT_MS : (this.options.maxFaultMs ?? DEFAULT_MAX_FAULT_MS);
    const active: ActiveFault = {
      fault,
      state: call.stateName ?? '',
      heal: async () => {
        for (const heal of heals) await heal();
      },
      timer: setTimeout(() => void this.serially(() => this.healOne(active, `${maxMs} ms passed`)), maxMs),
    };
    this.active.add(active);
  }

  /** The source's administrator creates a volume (clients then write to it) or deletes one with its files. */
  private async changeSource(
    kind: 'source-add-volume' | 'source-delete-volume',
    label: string,
  ): Promise<void> {
    const clients = this.options.clients;
    const name = this.options.source.name;
    if (!clients || !name) throw new Error(`${kind} needs the client workload and the source's name`);
    const source = await this.options.connect(name, 'source');
    const svm = await source.svms.findByName(this.options.svm);
    if (!svm) {
      this.note(`${label}: the source no longer has ${this.options.svm}`);
      return;
    }
    this.changedSource = true;
    if (kind === 'source-add-volume') {
      const volume = `${ADDED_VOLUME_PREFIX}${++this.added}`;
      const [aggregate] = await source.aggregates.list();
      await source.volumes.create({
        name: volume,
        svm: { name: this.options.svm, uuid: svm.uuid },
        size: ADDED_VOLUME_BYTES,
        type: 'rw',
        aggregates: [{ name: aggregate.name }],
        nas: { path: `/${volume}` },
      });
      clients.addVolume(volume);
      this.note(`${label}: the source's administrator created volume ${volume}; clients write to it`);
      return;
    }
    const volumes = clients.volumes();
    if (volumes.length < 2) {
      this.note(`${label}: the SVM keeps its last volume`);
      return;
    }
    const volume = volumes[volumes.length - 1];
    const found = await source.volumes.findByName(this.options.svm, volume);
    clients.dropVolume(volume);
    if (found) {
      await source.volumes.update(found.uuid, { nas: { path: '' } });
      await source.volumes.delete(found.uuid);
    }
    this.note(`${label}: the source's administrator deleted volume ${volume} with its files`);
  }

  private async healOne(active: ActiveFault, why: string): Promise<void> {
    if (!this.active.delete(active)) return;
    clearTimeout(active.timer);
    await active.heal();
    this.note(
      `healed ${active.fault.step}:${active.fault.kind}${active.fault.where ? `@${active.fault.where}` : ''} (${why})`,
    );
  }

  private note(what: string): void {
    this.log.push({ at: new Date().toISOString(), what });
  }
}

function sidesOf(where: Side | undefined): ('source' | 'destination')[] {
  if (where === 'source') return ['source'];
  if (where === 'destination') return ['destination'];
  return ['source', 'destination'];
}
