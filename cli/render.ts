// How the CLI shows migrations, volumes, events and execution histories to a person.
// `--json` output is the same data as plain objects; this module is only the text.
import type { MigrationEvent, MigrationRecord, VolumeProgress } from '../lambdas/state/records';
import { formatBytes } from './summary';
import type { ExecutionSummary, HistoryEntry } from './target';

/** The statuses after which no execution acts on the migration until someone resumes it. */
export const SETTLED_STATUSES: readonly string[] = [
  'migrate_complete',
  'ready_for_source_cleanup',
  'migrate_paused',
  'migrate_failed',
  'rolled_back',
  'undo_failed',
];

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

export function clock(iso: string | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-';
}

/** Histories hold many events a second apart or less: to the millisecond. */
const clockMs = (iso: string) => iso.replace('T', ' ');

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m${String(rest).padStart(2, '0')}s`
    : m > 0
      ? `${m}m${String(rest).padStart(2, '0')}s`
      : `${rest}s`;
}

const secondsBetween = (from: string, to: string | undefined, now: Date) =>
  ((to ? Date.parse(to) : now.getTime()) - Date.parse(from)) / 1000;

/** A volume's transfer as a fraction, when it can be told: done transfers are full; totals come from the volume item or the caller. */
export function transferFraction(v: VolumeProgress, totalBytes: number | undefined): number | undefined {
  if (v.transferState === 'success') return 1;
  const total = v.totalBytes ?? totalBytes;
  if (!total) return undefined;
  return Math.min(1, v.bytesTransferred / total);
}

export function bar(fraction: number | undefined, width: number): string {
  if (fraction === undefined) return `[${'·'.repeat(width)}]`;
  const full = Math.round(fraction * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}]`;
}

function optionsLine(m: MigrationRecord): string {
  const throttle = m.options.throttle > 0 ? `${m.options.throttle} KB/s per volume` : 'none';
  return `auto cut-over ${yesNo(m.options.autoCutover)}, auto source cleanup ${yesNo(m.options.autoSourceCleanup)}, throttle ${throttle}`;
}

/** The time metrics: when it started and ended, and the cut-over milestones with the window clients saw. */
export function timesLines(m: MigrationRecord, now: Date): string[] {
  const t = m.times;
  const window =
    t.cutoverStart && t.cutoverComplete
      ? `   window ${secondsBetween(t.cutoverStart, t.cutoverComplete, now).toFixed(2)} s`
      : '';
  return [
    `started ${clock(t.start)}   ended ${clock(t.end)}   elapsed ${duration(secondsBetween(t.start, t.end, now))}`,
    `cut-over: triggered ${clock(t.cutoverTrigger)}   started ${clock(t.cutoverStart)}   complete ${clock(t.cutoverComplete)}${window}`,
  ];
}

export function pendingRequests(m: MigrationRecord): string {
  const pending = Object.entries(m.requests ?? {}).filter(([, at]) => at);
  return pending.length === 0
    ? 'none'
    : pending.map(([kind, at]) => `${kind} (asked ${clock(at)})`).join(', ');
}

/** What the operator can do next, given where the migration is and whether an execution runs it. */
export function nextStep(m: MigrationRecord, execution: ExecutionSummary | undefined): string | undefined {
  // The phase, not the status: a resumed migration keeps status migrate_paused until its next status write.
  if (execution?.running)
    return m.phase === 'ready_for_cutover' && !m.options.autoCutover
      ? `waiting for a cut-over: svm-migrate cutover ${m.id}`
      : undefined;
  if (m.status === 'migrate_paused') return `paused: svm-migrate resume ${m.id}`;
  if (m.status === 'ready_for_source_cleanup')
    return 'cut over; the source SVM is kept (auto source cleanup off)';
  if (!SETTLED_STATUSES.includes(m.status)) return `no execution runs it: svm-migrate resume ${m.id}`;
  return undefined;
}

export function renderStatus(
  m: MigrationRecord,
  volumes: VolumeProgress[],
  execution: ExecutionSummary | undefined,
  now: Date,
): string {
  const transferred = volumes.reduce((n, v) => n + v.bytesTransferred, 0);
  const states = countBy(volumes.map((v) => v.transferState ?? 'not started'));
  const next = nextStep(m, execution);
  return [
    `Migration ${m.id}`,
    `  source        ${m.source.cluster}/${m.source.svm}`,
    `  destination   ${m.destination.cluster}${m.destination.aggregates ? ` (aggregates ${m.destination.aggregates.join(', ')})` : ''}`,
    `  phase         ${m.phase}   status ${m.status}   generation ${m.generation}`,
    `  options       ${optionsLine(m)}`,
    `  point of no return ${m.pointOfNoReturn ? 'passed' : 'not reached'}   destination serving ${yesNo(m.destinationServing)}`,
    ...timesLines(m, now).map((line, i) => `  ${i === 0 ? 'times   ' : '        '}      ${line}`),
    `  retries ${m.retries}   relocations ${m.relocations}   restarts ${m.restarts}   requests ${pendingRequests(m)}`,
    `  execution     ${execution ? `${execution.executionArn} ${execution.status}${execution.status === 'RUNNING' && !execution.running ? ' (its process is gone)' : ''}` : m.owner}`,
    `  volumes       ${volumes.length} (${
      Object.entries(states)
        .map(([s, n]) => `${n} ${s}`)
        .join(', ') || 'none yet'
    }), ${formatBytes(transferred)} in the last transfers`,
    ...(m.messages.length > 0 ? ['  messages', ...m.messages.slice(-5).map((line) => `    ${line}`)] : []),
    ...(next ? [`  next          ${next}`] : []),
  ].join('\n');
}

export function renderList(items: MigrationRecord[], now: Date): string {
  if (items.length === 0) return 'No migrations.';
  const rows = items.map((m) => [
    m.id,
    `${m.source.cluster}/${m.source.svm}`,
    m.destination.cluster,
    m.status,
    clock(m.times.start),
    duration(secondsBetween(m.times.start, m.times.end, now)),
  ]);
  return table(['MIGRATION', 'SOURCE', 'DESTINATION', 'STATUS', 'STARTED', 'ELAPSED'], rows);
}

export function describeEvent(e: MigrationEvent): string {
  const text = e.type.replace(/_/g, ' ');
  if (e.type === 'phase_changed') return `phase: ${String(e.detail?.phase)}`;
  const shown = Object.entries(e.detail ?? {}).filter(([, v]) => v !== undefined && v !== null);
  if (shown.length === 0) return text;
  const value = (v: unknown) =>
    Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return `${text} (${shown.map(([k, v]) => `${k}: ${value(v)}`).join('; ')})`;
}

export const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function renderEvents(events: MigrationEvent[]): string {
  if (events.length === 0) return '  (no events)';
  return events.map((e) => `  ${clock(e.at)}  ${e.phase.padEnd(24)} ${describeEvent(e)}`).join('\n');
}

export function renderHistory(
  execution: { executionArn: string; status?: string },
  entries: HistoryEntry[],
): string {
  const lines = entries.map((e) => {
    const what = [e.state, e.detail].filter(Boolean).join('  ');
    return `  ${String(e.id).padStart(4)}  ${clockMs(e.timestamp)}  ${e.type.padEnd(24)} ${what}`.trimEnd();
  });
  return [
    `Execution ${execution.executionArn}${execution.status ? ` (${execution.status})` : ''}: ${plural(entries.length, 'event')}`,
    ...lines,
  ].join('\n');
}

export interface PrecheckReportView {
  source: { cluster: string; version: string };
  destination: { cluster: string; version: string };
  volumes: { name: string; size: number; aggregate: string }[];
}

export function renderPrecheck(report: PrecheckReportView): string {
  return [
    'Pre-checks passed',
    `  source        ${report.source.cluster} (ONTAP ${report.source.version})`,
    `  destination   ${report.destination.cluster} (ONTAP ${report.destination.version})`,
    `  volumes       ${report.volumes.length}, placed on the destination as:`,
    ...report.volumes.map(
      (v) => `    ${v.name.padEnd(16)} ${formatBytes(v.size).padStart(10)}  -> ${v.aggregate}`,
    ),
  ].join('\n');
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
