// What `svm-migrate watch` draws: on a terminal, one frame redrawn in place (phase, a bar per
// volume, time metrics, messages, recent events); elsewhere, one line per change.
import type { MigrationEvent, MigrationRecord, VolumeProgress } from '../lambdas/state/records';
import type { Io } from './io';
import { bar, clock, describeEvent, nextStep, pendingRequests, timesLines, transferFraction } from './render';
import { formatBytes } from './summary';
import type { ExecutionSummary } from './target';

export interface WatchState {
  record: MigrationRecord;
  volumes: VolumeProgress[];
  /** Events since the last draw. */
  events: MigrationEvent[];
  /** Volumes whose transfer changed since the last draw. */
  changedVolumes: VolumeProgress[];
  execution: ExecutionSummary | undefined;
  /** Bytes of each source volume, where known. */
  totals: Map<string, number>;
  now: Date;
}

const BAR_WIDTH = 24;
const RECENT_EVENTS = 6;
const RECENT_MESSAGES = 4;

export class WatchView {
  private drawnLines = 0;
  private readonly recent: MigrationEvent[] = [];
  /** A volume whose baseline finished stays full while later updates move their few bytes. */
  private readonly baselineDone = new Set<string>();

  constructor(private readonly io: Io) {}

  draw(state: WatchState): void {
    this.recent.push(...state.events);
    this.recent.splice(0, Math.max(0, this.recent.length - RECENT_EVENTS));
    for (const v of state.volumes) if (v.transferState === 'success') this.baselineDone.add(v.name);
    if (this.io.isTTY) this.redraw(this.frame(state));
    else for (const line of this.changes(state)) this.io.out(line);
  }

  frame(s: WatchState): string[] {
    const m = s.record;
    const execution = s.execution
      ? `${s.execution.name} ${s.execution.running ? 'RUNNING' : s.execution.status}`
      : m.owner;
    const next = nextStep(m, s.execution);
    const transferred = s.volumes.reduce((n, v) => n + v.bytesTransferred, 0);
    return [
      `svm-migrate watch ${m.id}   ${m.source.cluster}/${m.source.svm} -> ${m.destination.cluster}   ${clock(s.now.toISOString())}`,
      `Phase ${m.phase}   status ${m.status}   generation ${m.generation}`,
      `Execution ${execution}`,
      `Volumes (${s.volumes.length}, ${formatBytes(transferred)} in the last transfers):`,
      ...s.volumes.map((v) => `  ${this.volumeLine(v, s.totals)}`),
      ...timesLines(m, s.now).map((line, i) => `${i === 0 ? 'Times:' : '      '} ${line}`),
      `Retries ${m.retries}   relocations ${m.relocations}   restarts ${m.restarts}   point of no return ${m.pointOfNoReturn ? 'passed' : 'not reached'}   requests ${pendingRequests(m)}`,
      ...(m.messages.length > 0
        ? ['Messages:', ...m.messages.slice(-RECENT_MESSAGES).map((line) => `  ${line}`)]
        : []),
      'Recent events:',
      ...this.recent.map((e) => `  ${clock(e.at).slice(11)}  ${describeEvent(e)}`),
      ...(next ? [`Next: ${next}`] : []),
    ];
  }

  private volumeLine(v: VolumeProgress, totals: Map<string, number>): string {
    const total = v.totalBytes ?? totals.get(v.name);
    const fraction = this.baselineDone.has(v.name) ? 1 : transferFraction(v, total);
    const percent = fraction === undefined ? '   ?' : `${Math.round(fraction * 100)}%`.padStart(4);
    const amount = total
      ? `${formatBytes(this.baselineDone.has(v.name) ? total : v.bytesTransferred)} / ${formatBytes(total)}`
      : formatBytes(v.bytesTransferred);
    return `${v.name.padEnd(10)} ${bar(fraction, BAR_WIDTH)} ${percent}  ${amount.padEnd(24)} ${(v.transferState ?? 'not started').padEnd(12)} ${v.node ?? ''}`.trimEnd();
  }

  private changes(s: WatchState): string[] {
    const stamp = (iso: string) => `[${clock(iso).slice(11, 19)}]`;
    return [
      ...s.events.map((e) => `${stamp(e.at)} ${describeEvent(e)}`),
      ...s.changedVolumes
        .filter((v) => v.transferState)
        .map((v) => `${stamp(s.now.toISOString())}   ${this.volumeLine(v, s.totals)}`),
    ];
  }

  /** Moves up over the previous frame and clears it: lines are cut to the terminal's width so none wraps. */
  private redraw(lines: string[]): void {
    const width = Math.max(20, this.io.columns - 1);
    const cut = lines.map((line) => (line.length > width ? line.slice(0, width) : line));
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F\x1b[J` : '';
    this.io.write(`${up}${cut.join('\n')}\n`);
    this.drawnLines = cut.length;
  }
}
