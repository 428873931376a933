// A client of the migrating SVM, like an NFS client: it writes and reads files through the
// simulator's data endpoint for the whole migration, reaching the SVM wherever it is served
// (interfaces keep their names and addresses across the move), retrying on errors, and
// recording every acknowledged write and every interval in which no cluster served the SVM.
import { createHash } from 'node:crypto';
import { SimControl, type SimEndpoint } from '../sim/control';
import { seededRandom } from './random';

export interface WorkloadOptions {
  svm: string;
  volumes: readonly string[];
  /** The clusters the SVM may be served by; the first is where it serves at the start. */
  clusters: readonly (SimEndpoint & { name: string })[];
  seed: number;
  /** Names this run's content, so that runs on the same clusters never write the same bytes. */
  run: string;
  /** Paths per volume the client writes over and over (bounds what it leaves behind). */
  pathsPerVolume?: number;
  /** Pause between operations, and between retries while nobody serves. */
  intervalMs?: number;
  /** At most this many acknowledged operations; then the client only checks it can still reach the SVM. */
  maxOperations?: number;
}

export interface AcknowledgedWrite {
  volume: string;
  path: string;
  hash: string;
  at: string;
  cluster: string;
}

export interface Unavailability {
  from: string;
  to: string;
  ms: number;
}

/** A read that answered something other than the last acknowledged content of the file. */
export interface StaleRead {
  volume: string;
  path: string;
  expected: string;
  got: string;
  cluster: string;
  at: string;
}

export interface WorkloadRecord {
  writes: AcknowledgedWrite[];
  reads: number;
  staleReads: StaleRead[];
  unavailability: Unavailability[];
  longestUnavailableMs: number;
  /** A write sent but not acknowledged when the client stopped: either content may be on disk. */
  inFlight?: { volume: string; path: string; hash: string };
  /** Where the SVM was last served. */
  lastServedBy?: string;
}

interface Operation {
  kind: 'write' | 'read';
  volume: string;
  path: string;
  content?: Buffer;
}

const DEFAULTS = { pathsPerVolume: 2, intervalMs: 4, maxOperations: 400 };

export class ClientWorkload {
  private readonly random;
  private readonly options: Required<WorkloadOptions>;
  private readonly controls: { name: string; sim: SimControl }[];
  private readonly record: WorkloadRecord = {
    writes: [],
    reads: 0,
    staleReads: [],
    unavailability: [],
    longestUnavailableMs: 0,
  };
  /** volume/path -> the hash last acknowledged. */
  private readonly latest = new Map<string, string>();
  /** The volumes the client uses now (the source's administrator may add or delete some). */
  private readonly volumeList: string[];
  private readonly dropped = new Set<string>();
  private current = 0;
  private unavailableSince?: number;
  private operations = 0;
  /** Operations (or availability probes) that succeeded: the scenario waits on it to settle. */
  successes = 0;
  private stopping = false;
  private loop?: Promise<void>;

  constructor(options: WorkloadOptions) {
    this.options = { ...DEFAULTS, ...options } as Required<WorkloadOptions>;
    this.random = seededRandom(options.seed);
    this.volumeList = [...options.volumes];
    this.controls = options.clusters.map((c) => ({ name: c.name, sim: new SimControl(c) }));
  }

  start(): this {
    this.loop = this.run();
    return this;
  }

  /** Stops after the operation in progress and returns what the client saw. */
  async stop(): Promise<WorkloadRecord> {
    this.stopping = true;
    await this.loop;
    this.closeUnavailability(Date.now());
    return { ...this.record, lastServedBy: this.controls[this.current].name };
  }

  /** Whether the client is waiting now for any cluster to serve the SVM. */
  get unavailable(): boolean {
    return this.unavailableSince !== undefined;
  }

  volumes(): readonly string[] {
    return this.volumeList;
  }

  /** A volume created on the SVM: the client writes to it too from now on. */
  addVolume(volume: string): void {
    if (!this.volumeList.includes(volume)) this.volumeList.push(volume);
  }

  /**
   * A volume deleted with its files by the SVM's administrator: the client stops using it (an
   * operation on it in flight is abandoned) and expects none of its files any more.
   */
  dropVolume(volume: string): void {
    const index = this.volumeList.indexOf(volume);
    if (index >= 0) this.volumeList.splice(index, 1);
    this.dropped.add(volume);
    for (const key of [...this.latest.keys()]) if (key.startsWith(`${volume}/`)) this.latest.delete(key);
  }

  /** The last acknowledged content of every file the client wrote: volume/path -> hash. */
  expected(): Map<string, string> {
    return new Map(this.latest);
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const op = this.operations < this.options.maxOperations ? this.nextOperation() : undefined;
      if (op) {
        if (await this.perform(op)) this.operations++;
      } else {
        // The budget is spent: keep probing availability only.
        await this.attempt(async (sim) => {
          await sim.listFiles(this.options.svm, this.volumeList[0]);
        });
      }
      await pause(this.options.intervalMs);
    }
  }

  private nextOperation(): Operation {
    const volume = this.random.pick(this.volumeList);
    const path = `chaos/client-${this.random.below(this.options.pathsPerVolume)}.txt`;
    const written = this.latest.has(`${volume}/${path}`);
    if (written && this.random.next() < 0.4) return { kind: 'read', volume, path };
    const content = Buffer.from(
      `${this.options.run} op ${this.operations} ${volume}/${path} ${this.random.next().toString(36)}\n`,
    );
    return { kind: 'write', volume, path, content };
  }

  /** Retries the operation, on one cluster then the other, until it succeeds or the client stops. */
  private async perform(op: Operation): Promise<boolean> {
    const key = `${op.volume}/${op.path}`;
    const hash = op.content && sha256(op.content);
    if (hash) this.record.inFlight = { volume: op.volume, path: op.path, hash };
    const done = await this.attempt(async (sim, cluster) => {
      if (this.dropped.has(op.volume)) return;
      if (op.kind === 'write') {
        const answer = await sim.writeFile(this.options.svm, op.volume, op.path, op.content as Buffer);
        // Acknowledged while its volume was being deleted: gone with it.
        if (this.dropped.has(op.volume)) return;
        this.latest.set(key, answer.hash);
        this.record.writes.push({
          volume: op.volume,
          path: op.path,
          hash: answer.hash,
          at: new Date().toISOString(),
          cluster,
        });
        return;
      }
      const got = sha256(await sim.readFile(this.options.svm, op.volume, op.path));
      this.record.reads++;
      const expected = this.latest.get(key);
      if (expected && got !== expected)
        this.record.staleReads.push({
          volume: op.volume,
          path: op.path,
          expected,
          got,
          cluster,
          at: new Date().toISOString(),
        });
    });
    if (done) this.record.inFlight = undefined;
    return done;
  }

  /** Runs `call` where the SVM was last served, else on the other cluster; waits and retries while neither serves. */
  private async attempt(call: (sim: SimControl, cluster: string) => Promise<void>): Promise<boolean> {
    while (!this.stopping) {
      for (let i = 0; i < this.controls.length; i++) {
        const index = (this.current + i) % this.controls.length;
        const { name, sim } = this.controls[index];
        try {
          await call(sim, name);
          this.successes++;
          this.current = index;
          this.closeUnavailability(Date.now());
          return true;
        } catch {
          // Not served there (or not reachable): an NFS client would try again, here the other address first.
        }
      }
      this.unavailableSince ??= Date.now();
      await pause(this.options.intervalMs);
    }
    return false;
  }

  private closeUnavailability(now: number): void {
    if (this.unavailableSince === undefined) return;
    const ms = now - this.unavailableSince;
    this.record.unavailability.push({
      from: new Date(this.unavailableSince).toISOString(),
      to: new Date(now).toISOString(),
      ms,
    });
    this.record.longestUnavailableMs = Math.max(this.record.longestUnavailableMs, ms);
    this.unavailableSince = undefined;
  }
}

export function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
