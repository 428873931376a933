// The watch display: a frame redrawn in place on a terminal, one line per change elsewhere,
// and a bar per volume from its bytes and its source volume's size.
import type { Io } from '../../cli/io';
import { type WatchState, WatchView } from '../../cli/watch-view';
import type { MigrationRecord, VolumeProgress } from '../../lambdas/state/records';

function io(isTTY: boolean): Io & { written: string[]; lines: string[] } {
  const written: string[] = [];
  const lines: string[] = [];
  return {
    written,
    lines,
    out: (t) => lines.push(t),
    err: () => undefined,
    write: (t) => written.push(t),
    isTTY,
    columns: 200,
    env: {},
    cwd: '/',
  };
}

const record: MigrationRecord = {
  id: 'mig-20261130T101500-3f9a1c',
  source: { cluster: 'cluster-src', svm: 'svm_demo' },
  destination: { cluster: 'cluster-dst' },
  options: { autoCutover: false, autoSourceCleanup: true, throttle: 0 },
  phase: 'transferring',
  status: 'transferring',
  generation: 1,
  version: 4,
  owner: 'arn:aws:states:us-east-1:123456789012:execution:svm-migrate-local:x',
  leaseSeconds: 900,
  leaseExpiresAt: '2026-11-30T10:30:00.000Z',
  pointOfNoReturn: false,
  destinationServing: false,
  restarts: 0,
  retries: 2,
  relocations: 0,
  times: { start: '2026-11-30T10:15:00.000Z' },
  requests: {},
  messages: [],
};

const volume = (name: string, bytesTransferred: number, transferState = 'transferring'): VolumeProgress => ({
  name,
  bytesTransferred,
  transferState,
  node: 'cluster-dst-01',
  checkpoint: {},
  errors: [],
});

function state(volumes: VolumeProgress[], overrides: Partial<WatchState> = {}): WatchState {
  return {
    record,
    volumes,
    events: [],
    changedVolumes: volumes,
    execution: undefined,
    totals: new Map([
      ['vol01', 1000],
      ['vol02', 4000],
    ]),
    now: new Date('2026-11-30T10:15:30.000Z'),
    ...overrides,
  };
}

describe('WatchView', () => {
  it('on a terminal draws a frame with a bar per volume, then redraws it in place', () => {
    // Prepare
    const terminal = io(true);
    const view = new WatchView(terminal);

    // Act
    view.draw(state([volume('vol01', 500), volume('vol02', 1000)]));
    view.draw(state([volume('vol01', 1000, 'success'), volume('vol02', 3000)]));

    // Assess
    const [first, second] = terminal.written;
    expect(first).toContain('vol01      [████████████░░░░░░░░░░░░]  50%  500 B / 1000 B');
    expect(first).toContain('vol02      [██████░░░░░░░░░░░░░░░░░░]  25%  1000 B / 3.91 KiB');
    const firstLines = first.split('\n').length - 1;
    // Up over the previous frame's lines, clear to the end of the screen, draw anew.
    expect(second.startsWith(`\x1b[${firstLines}F\x1b[J`)).toBe(true);
    expect(second).toContain('vol01      [████████████████████████] 100%');
    expect(second).toContain('vol02      [██████████████████░░░░░░]  75%');
    expect(second).toContain('Retries 2   relocations 0   restarts 0   point of no return not reached');
  });

  it('elsewhere prints one line per event and per changed volume', () => {
    // Prepare
    const pipe = io(false);
    const view = new WatchView(pipe);
    const event = {
      id: 'e1',
      at: '2026-11-30T10:15:02.000Z',
      type: 'phase_changed',
      phase: 'transferring' as const,
      detail: { phase: 'transferring' },
      expiresAt: 0,
    };

    // Act
    view.draw(state([volume('vol01', 250)], { events: [event] }));

    // Assess
    expect(pipe.written).toEqual([]);
    expect(pipe.lines).toEqual([
      '[10:15:02] phase: transferring',
      '[10:15:30]   vol01      [██████░░░░░░░░░░░░░░░░░░]  25%  250 B / 1000 B           transferring cluster-dst-01',
    ]);
  });

  it('without a size for a volume shows its bytes and no fraction', () => {
    // Prepare
    const pipe = io(false);

    // Act
    new WatchView(pipe).draw(state([volume('vol09', 2048)]));

    // Assess
    expect(pipe.lines[0]).toContain('vol09      [························]    ?  2.00 KiB');
  });
});
