// The invariant checker (the README's "Fault drills and the chaos campaign"): a prober that samples both clusters
// during a migration (at most one SVM serves at any probe), and the checks after it: every
// acknowledged write readable where the SVM serves, nothing of an undone migration left on the
// destination, DynamoDB agreeing with both clusters, retries/relocations/restarts within bounds.
import type { Tunables } from '../lambdas/config';
import type { MigrationStore } from '../lambdas/state/migration-store';
import type { MigrationRecord } from '../lambdas/state/records';
import type { ExecutionEvent } from '../local/executions';
import { SimControl, type SimEndpoint } from '../sim/control';
import type { StateDump } from '../sim/control-routes';
import { footprint, serves } from './clusters';
import { sha256, type WorkloadRecord } from './workload';

export interface Violation {
  invariant: 1 | 2 | 3 | 4 | 5;
  message: string;
  /** An acknowledged write that is not readable, with its content, at the end. */
  writeLost?: true;
}

export type ClusterEndpoint = SimEndpoint & { name: string };

/** Invariant 1, sampled: both clusters' state, one after the other, every few milliseconds. */
export class ServingProber {
  private readonly controls: { name: string; sim: SimControl }[];
  private readonly violations: Violation[] = [];
  /** Probes taken so far (each samples both clusters). */
  probes = 0;
  private stopping = false;
  private loop?: Promise<void>;

  constructor(
    private readonly svm: string,
    clusters: readonly ClusterEndpoint[],
    private readonly intervalMs = 10,
  ) {
    this.controls = clusters.map((c) => ({ name: c.name, sim: new SimControl(c) }));
  }

  start(): this {
    this.loop = this.run();
    return this;
  }

  async stop(): Promise<{ probes: number; violations: Violation[] }> {
    this.stopping = true;
    await this.loop;
    return { probes: this.probes, violations: this.violations };
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const serving: string[] = [];
      for (const { name, sim } of this.controls) if (await sim.serving(this.svm)) serving.push(name);
      this.probes++;
      // One report per episode is enough to fail the run; more would only repeat it.
      if (serving.length > 1 && this.violations.length < 5) {
        this.violations.push({
          invariant: 1,
          message: `probe ${this.probes} at ${new Date().toISOString()}: SVM ${this.svm} serves on ${serving.join(' and ')}`,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }
}

/** How a migration ended, as its record says. */
export type Ending = 'migrated' | 'rolled_back' | 'failed' | 'unfinished';

export function endingOf(record: MigrationRecord | undefined): Ending {
  switch (record?.status) {
    case 'migrate_complete':
      return 'migrated';
    case 'rolled_back':
      return 'rolled_back';
    case 'migrate_failed':
    case 'undo_failed':
      return 'failed';
    default:
      return 'unfinished';
  }
}

export interface AfterCheckInput {
  svm: string;
  /** Where the migration started from and went to. */
  source: ClusterEndpoint;
  destination: ClusterEndpoint;
  store: MigrationStore;
  migrationId: string;
  tunables: Tunables;
  /** The runner's history of every execution of this migration. */
  histories: readonly (readonly ExecutionEvent[])[];
  workload?: WorkloadRecord;
  /** The workload's last acknowledged content of each file it wrote: volume/path -> hash. */
  expected?: Map<string, string>;
}

/** Invariants 2 to 5, once the migration has ended and every fault has healed. */
export async function checkAfter(input: AfterCheckInput): Promise<Violation[]> {
  const violations: Violation[] = [];
  const record = await input.store.get(input.migrationId);
  if (!record) return [{ invariant: 4, message: `migration ${input.migrationId} is not in DynamoDB` }];
  const source = new SimControl(input.source);
  const destination = new SimControl(input.destination);
  const [sourceDump, destinationDump] = await Promise.all([source.state(), destination.state()]);
  const ending = endingOf(record);

  violations.push(
    ...(await checkWrites(
      input,
      record,
      { [input.source.name]: source, [input.destination.name]: destination },
      sourceDump,
      destinationDump,
    )),
  );
  violations.push(...(await checkRecordAgainstClusters(input, record, ending, sourceDump, destinationDump)));
  violations.push(...checkBounds(input, record));
  return violations;
}

/** Invariant 2: every acknowledged write readable, with its last acknowledged content, on the SVM that serves. */
async function checkWrites(
  input: AfterCheckInput,
  record: MigrationRecord,
  controls: Record<string, SimControl>,
  sourceDump: StateDump,
  destinationDump: StateDump,
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const servingOn = [
    ...(serves(sourceDump, input.svm) ? [input.source.name] : []),
    ...(serves(destinationDump, input.svm) ? [input.destination.name] : []),
  ];
  if (servingOn.length !== 1) {
    violations.push({
      invariant: 2,
      message: `at the end SVM ${input.svm} serves on ${servingOn.length === 0 ? 'neither cluster' : 'both clusters'} (migration ${record.id}, status ${record.status})`,
    });
    if (servingOn.length === 0) return violations;
  }
  const sim = controls[servingOn[0]];
  for (const stale of input.workload?.staleReads ?? []) {
    violations.push({
      invariant: 2,
      message: `the client read ${stale.volume}/${stale.path} on ${stale.cluster} at ${stale.at} and got content ${short(stale.got)}, not the last acknowledged ${short(stale.expected)}`,
    });
  }
  for (const [key, hash] of input.expected ?? []) {
    const slash = key.indexOf('/');
    const [volume, path] = [key.slice(0, slash), key.slice(slash + 1)];
    const inFlight = input.workload?.inFlight;
    const alsoAccepted =
      inFlight && inFlight.volume === volume && inFlight.path === path ? inFlight.hash : undefined;
    let got: string;
    try {
      got = sha256(await sim.readFile(input.svm, volume, path));
    } catch (err) {
      violations.push({
        invariant: 2,
        message: `acknowledged write ${key} (${short(hash)}) is not readable on ${servingOn[0]}: ${(err as Error).message}`,
        writeLost: true,
      });
      continue;
    }
    if (got !== hash && got !== alsoAccepted) {
      violations.push({
        invariant: 2,
        message: `acknowledged write ${key} reads ${short(got)} on ${servingOn[0]}, not the last acknowledged ${short(hash)}`,
        writeLost: true,
      });
    }
  }
  return violations;
}

/** Invariants 3 and 4: the record's end state, the lock, the volumes' records and both clusters agree. */
async function checkRecordAgainstClusters(
  input: AfterCheckInput,
  record: MigrationRecord,
  ending: Ending,
  sourceDump: StateDump,
  destinationDump: StateDump,
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const say = (invariant: 3 | 4, message: string) =>
    violations.push({ invariant, message: `${message} (migration ${record.id}, status ${record.status})` });
  const volumes = await input.store.listVolumes(record.id);
  const lock = await input.store.findActiveForSvm(record.source.cluster, record.source.svm);
  const destinationSvm = destinationDump.svms.find((s) => s.name === input.svm);
  const sourceSvm = sourceDump.svms.find((s) => s.name === input.svm);

  if (ending === 'unfinished') say(4, `the migration did not end: phase ${record.phase}`);
  if (record.status === 'undo_failed')
    say(3, 'an undo failed: the migration stopped with the destination not cleaned up');

  if (ending === 'migrated') {
    if (!serves(destinationDump, input.svm))
      say(4, `recorded migrate_complete but SVM ${input.svm} does not serve on ${input.destination.name}`);
    if (destinationSvm && destinationSvm.subtype !== 'default')
      say(4, `recorded migrate_complete but the destination SVM is ${destinationSvm.subtype}`);
    if (sourceSvm && sourceSvm.state !== 'stopped')
      say(4, `recorded migrate_complete but the source SVM is ${sourceSvm.state}, not gone or stopped`);
    if (!record.pointOfNoReturn || !record.destinationServing)
      say(
        4,
        `recorded migrate_complete with pointOfNoReturn ${record.pointOfNoReturn}, destinationServing ${record.destinationServing}`,
      );
    // The SVM's root volume is its own, created with it: not one the migration records.
    const present = new Map(
      destinationDump.volumes
        .filter((v) => v.svmUuid === destinationSvm?.uuid && !v.isSvmRoot)
        .map((v) => [v.uuid, v]),
    );
    for (const v of volumes) {
      const found = v.destinationUuid ? present.get(v.destinationUuid) : undefined;
      if (!found)
        say(
          4,
          `volume ${v.name}'s record names destination volume ${v.destinationUuid ?? '(none)'}, which SVM ${input.svm} on ${input.destination.name} does not hold`,
        );
      else if (found.type !== 'rw')
        say(4, `volume ${v.name} on ${input.destination.name} is ${found.type} after the migration`);
    }
    const recorded = new Set(volumes.map((v) => v.name));
    for (const v of present.values())
      if (!recorded.has(v.name)) say(4, `destination volume ${v.name} has no record in DynamoDB`);
    if (destinationDump.relationships.some((r) => r.destination.path.startsWith(`${input.svm}:`)))
      say(4, 'SnapMirror relationships into the migrated SVM remain');
  }

  if (ending === 'rolled_back' || ending === 'failed') {
    if (!serves(sourceDump, input.svm))
      say(
        4,
        `recorded ${record.status} but SVM ${input.svm} does not serve on the source ${input.source.name}`,
      );
    if (record.destinationServing) say(4, `recorded ${record.status} with destinationServing true`);
    if (record.status !== 'undo_failed' && record.pointOfNoReturn)
      say(4, `recorded ${record.status} with pointOfNoReturn true`);
    const left = footprint(destinationDump, input.svm);
    if (left.length > 0)
      say(3, `after the undo the destination ${input.destination.name} still holds ${left.join(', ')}`);
    const tagged = destinationDump.svms.filter((s) => s.comment === `svm-migrate:${record.id}`);
    for (const s of tagged)
      if (s.name !== input.svm) say(3, `the destination holds SVM ${s.name} tagged svm-migrate:${record.id}`);
    const uuids = new Set(destinationDump.volumes.map((v) => v.uuid));
    for (const v of volumes)
      if (v.destinationUuid && uuids.has(v.destinationUuid))
        say(
          3,
          `destination volume ${v.name} (${v.destinationUuid}) that the migration created is still there`,
        );
  }

  if (ending !== 'unfinished' && record.status !== 'undo_failed' && lock)
    say(4, `the SVM's lock is still held by migration ${lock.id}`);
  // An undo that failed keeps the SVM locked with no end: an operator must look (checked above).
  if (ending !== 'unfinished' && record.status !== 'undo_failed' && !record.times.end)
    say(4, 'the migration ended without an end time');
  return violations;
}

/** Invariant 5: per-state retries, relocations and restarts within their configured bounds. */
function checkBounds(input: AfterCheckInput, record: MigrationRecord): Violation[] {
  const violations: Violation[] = [];
  const { restartLimit, relocationLimit, retryMaxAttempts } = input.tunables;
  if (record.restarts > restartLimit)
    violations.push({
      invariant: 5,
      message: `${record.restarts} restarts, more than the limit ${restartLimit}`,
    });
  if (record.relocations > relocationLimit)
    violations.push({
      invariant: 5,
      message: `${record.relocations} relocations, more than the limit ${relocationLimit}`,
    });
  for (const history of input.histories) {
    let state: string | undefined;
    let retries = 0;
    for (const event of history) {
      if (event.type === 'StateEntered') {
        state = event.state;
        retries = 0;
      } else if (
        event.type === 'StateRetried' &&
        event.state === state &&
        event.retry?.errorEquals.some((e) => e === 'TransientError' || e === 'NetworkError')
      ) {
        retries++;
        if (retries === retryMaxAttempts + 1)
          violations.push({
            invariant: 5,
            message: `${state} was retried more than ${retryMaxAttempts} times in one entry`,
          });
      }
    }
  }
  return violations;
}

const short = (hash: string) => hash.slice(0, 12);
