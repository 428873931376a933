// What a finished migration comes to: phases and their durations, data moved, the cut-over
// window, retries/relocations/restarts, and the state both clusters are left in, read from
// DynamoDB and from the clusters themselves (not from what the tasks said they did).
import type { OntapClient } from '../lambdas/ontap/client';
import type { MigrationEvent, MigrationRecord, VolumeProgress } from '../lambdas/state/records';

export interface PhaseTiming {
  phase: string;
  startedAt: string;
  seconds: number;
}

export interface SvmState {
  cluster: string;
  svm: string;
  /** `absent` once source cleanup deleted it. */
  state: string;
  subtype?: string;
  interfacesUp: string[];
  volumes: number;
}

export interface MigrationSummary {
  migrationId: string;
  /** How the state machine ended: its final state's name (Migrated, Aborted, MigrationFailed, ...). */
  endState: string;
  executionStatus: string;
  status: string;
  phases: PhaseTiming[];
  totalSeconds: number;
  volumes: number;
  bytesTransferredLastTransfer: number;
  dataOnDestinationBytes?: number;
  cutoverWindowSeconds?: number;
  retries: number;
  relocations: number;
  restarts: number;
  source: SvmState;
  destination: SvmState;
  messages: string[];
}

const seconds = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

export function phaseTimings(record: MigrationRecord, events: MigrationEvent[]): PhaseTiming[] {
  const marks = [{ phase: 'setup_configuration', at: record.times.start }];
  for (const e of events) {
    const phase = e.type === 'phase_changed' ? (e.detail?.phase as string | undefined) : undefined;
    if (phase && marks[marks.length - 1].phase !== phase) marks.push({ phase, at: e.at });
  }
  const end = record.times.end ?? events[events.length - 1]?.at ?? record.times.start;
  return marks.map((m, i) => ({
    phase: m.phase,
    startedAt: m.at,
    seconds: seconds(m.at, marks[i + 1]?.at ?? end),
  }));
}

export async function svmState(client: OntapClient, cluster: string, svm: string): Promise<SvmState> {
  const found = await client.svms.findByName(svm);
  if (!found) return { cluster, svm, state: 'absent', interfacesUp: [], volumes: 0 };
  const [lifs, volumes] = await Promise.all([
    client.interfaces.list({ svmName: svm }),
    client.volumes.list({ svmName: svm }),
  ]);
  return {
    cluster,
    svm,
    state: found.state,
    subtype: found.subtype,
    interfacesUp: lifs
      .filter((l) => l.enabled && l.state === 'up')
      .map((l) => l.name)
      .sort(),
    volumes: volumes.length,
  };
}

export async function summarize(input: {
  record: MigrationRecord;
  events: MigrationEvent[];
  volumes: VolumeProgress[];
  endState: string;
  executionStatus: string;
  source: OntapClient;
  destination: OntapClient;
  dataOnDestinationBytes?: number;
}): Promise<MigrationSummary> {
  const { record } = input;
  const end = record.times.end ?? new Date().toISOString();
  return {
    migrationId: record.id,
    endState: input.endState,
    executionStatus: input.executionStatus,
    status: record.status,
    phases: phaseTimings(record, input.events),
    totalSeconds: seconds(record.times.start, end),
    volumes: input.volumes.length,
    bytesTransferredLastTransfer: input.volumes.reduce((n, v) => n + v.bytesTransferred, 0),
    ...(input.dataOnDestinationBytes !== undefined && {
      dataOnDestinationBytes: input.dataOnDestinationBytes,
    }),
    ...(record.times.cutoverStart &&
      record.times.cutoverComplete && {
        cutoverWindowSeconds: seconds(record.times.cutoverStart, record.times.cutoverComplete),
      }),
    retries: record.retries,
    relocations: record.relocations,
    restarts: record.restarts,
    source: await svmState(input.source, record.source.cluster, record.source.svm),
    destination: await svmState(input.destination, record.destination.cluster, record.source.svm),
    messages: record.messages,
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

export function renderSummary(s: MigrationSummary): string {
  const pad = (text: string, width: number) => text.padEnd(width);
  const svmLine = (label: string, v: SvmState) =>
    `  ${pad(label, 12)} ${v.cluster}/${v.svm}: ${v.state}${v.subtype ? ` (${v.subtype})` : ''}, ${v.volumes} volumes, interfaces up: ${v.interfacesUp.join(', ') || 'none'}`;
  return [
    `Migration ${s.migrationId}: ${s.endState} (${s.status}) in ${s.totalSeconds.toFixed(1)} s`,
    'Phases:',
    ...s.phases.map((p) => `  ${pad(p.phase, 26)} ${p.seconds.toFixed(2).padStart(7)} s`),
    `Volumes: ${s.volumes}${s.dataOnDestinationBytes !== undefined ? `, data on the destination: ${formatBytes(s.dataOnDestinationBytes)}` : ''}`,
    `Cut-over window (clients without a serving SVM): ${s.cutoverWindowSeconds === undefined ? 'n/a' : `${s.cutoverWindowSeconds.toFixed(2)} s`}`,
    `Retries: ${s.retries}   Relocations: ${s.relocations}   Restarts: ${s.restarts}`,
    'Final state:',
    svmLine('source', s.source),
    svmLine('destination', s.destination),
    ...(s.messages.length > 0 ? ['Messages:', ...s.messages.map((m) => `  ${m}`)] : []),
  ].join('\n');
}
