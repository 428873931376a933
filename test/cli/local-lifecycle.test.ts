// The local target end to end, through the CLI only: start a migration of the demo SVM, follow
// it, read it back every way (status, list, history), and get refused what no longer applies.
import * as fs from 'node:fs';
import { servicesFile } from '../../local/services';
import { cli, cliProcess, json, tempWorkDir } from './helpers';

const INPUT_FLAGS = [
  '--source-cluster',
  'cluster-src',
  '--source-svm',
  'svm_demo',
  '--destination-cluster',
  'cluster-dst',
];

describe('svm-migrate on the local target: a migration from start to the end', () => {
  const workDir = tempWorkDir();
  const at = ['--work-dir', workDir];
  let executionArn: string;
  let migrationId: string;

  beforeAll(async () => {
    // Two commands at once (two terminals) start one set of services.
    const ups = await Promise.all(
      [1, 2].map(() => cli(['local', 'up', '--link-bandwidth', '0', '--json', ...at])),
    );
    const [a, b] = ups.map((up) => json<{ started: boolean; pid: number }>(up));
    expect([a.started, b.started].sort()).toEqual([false, true]);
    expect(a.pid).toBe(b.pid);
  }, 120_000);

  afterAll(async () => {
    await cli(['local', 'down', ...at]);
    fs.rmSync(workDir, { recursive: true, force: true });
  }, 60_000);

  it('local up reuses the running services and local status reports them', async () => {
    // Act
    const again = json(await cli(['local', 'up', '--json', ...at]));
    const status = json(await cli(['local', 'status', '--json', ...at]));

    // Assess
    expect(again).toMatchObject({ started: false });
    expect(status).toMatchObject({ running: true, pid: again.pid });
  });

  it('start returns the execution ARN at once, with a name derived from the input', async () => {
    // Act
    const started = json<{ executionArn: string; name: string }>(
      await cli(['start', ...INPUT_FLAGS, '--json', ...at]),
    );

    // Assess
    expect(started.executionArn).toMatch(
      /^arn:aws:states:[^:]+:\d{12}:execution:svm-migrate-local:cluster-src\.svm_demo-[0-9a-f]{16}$/,
    );
    expect(started.name).toBe(started.executionArn.split(':').pop());
    executionArn = started.executionArn;
  });

  it('a second start of the same SVM while it runs is refused (exit 4) and names what runs', async () => {
    // Act
    const second = await cli(['start', ...INPUT_FLAGS, ...at]);

    // Assess
    expect(second.code).toBe(4);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(/already (running|being migrated)/);
    expect(second.stderr).toContain(executionArn);
  });

  it('watch follows the execution until the migration completes (exit 0), one JSON object per change', async () => {
    // Act
    const watched = await cli(['watch', executionArn, '--json', '--interval', '100', ...at]);

    // Assess
    expect(watched.code).toBe(0);
    const updates = watched.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            migration: { id: string; status: string };
            volumes: unknown[];
            ended: boolean;
          },
      );
    const last = updates[updates.length - 1];
    expect(last).toMatchObject({ ended: true, migration: { status: 'migrate_complete' } });
    expect(last.volumes).toHaveLength(8);
    migrationId = last.migration.id;
  }, 120_000);

  it('status by SVM, by id and by execution ARN shows the same migration', async () => {
    // Act
    const bySvm = json<{ migration: { id: string } }>(
      await cli(['status', 'cluster-src/svm_demo', '--json', ...at]),
    );
    const byArn = json<{ migration: { id: string } }>(await cli(['status', executionArn, '--json', ...at]));
    const text = await cli(['status', migrationId, ...at]);

    // Assess
    expect(bySvm.migration.id).toBe(migrationId);
    expect(byArn.migration.id).toBe(migrationId);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Migration ${migrationId}`);
    expect(text.stdout).toMatch(/phase\s+migrate_complete/);
    expect(text.stdout).toContain('point of no return passed');
    expect(text.stdout).toContain(`${executionArn} SUCCEEDED`);
  });

  it('list shows it, newest first', async () => {
    // Act
    const listed = json<{ items: Array<{ id: string; status: string }> }>(
      await cli(['list', '--json', ...at]),
    );
    const text = await cli(['list', ...at]);

    // Assess
    expect(listed.items[0]).toMatchObject({ id: migrationId, status: 'migrate_complete' });
    expect(text.stdout).toMatch(
      new RegExp(
        `^MIGRATION\\s+SOURCE\\s+DESTINATION\\s+STATUS[^\\n]*\\n${migrationId}\\s+cluster-src/svm_demo\\s+cluster-dst\\s+migrate_complete`,
      ),
    );
  });

  it('history shows the event log and the execution history', async () => {
    // Act
    const history = json<{
      events: Array<{ type: string }>;
      executions: Array<{
        executionArn: string;
        status: string;
        events: Array<{ type: string; state?: string }>;
      }>;
    }>(await cli(['history', migrationId, '--json', ...at]));
    const text = await cli(['history', migrationId, ...at]);

    // Assess
    const types = history.events.map((e) => e.type);
    expect(types[0]).toBe('migration_started');
    expect(types).toEqual(expect.arrayContaining(['point_of_no_return', 'migration_complete']));
    expect(history.executions).toHaveLength(1);
    expect(history.executions[0]).toMatchObject({ executionArn, status: 'SUCCEEDED' });
    const states = history.executions[0].events.filter((e) => e.type === 'StateEntered').map((e) => e.state);
    expect(states.slice(0, 3)).toEqual(['CheckState', 'ResumePoint', 'Setup']);
    expect(states[states.length - 1]).toBe('Migrated');
    expect(text.stdout).toMatch(/migration started \(executionId: arn:/);
    expect(text.stdout).toMatch(/ExecutionSucceeded/);
  });

  it('abort after the point of no return is refused with the reason: one line on stderr, exit 4 (a real process)', async () => {
    // Act
    const aborted = await cliProcess(['abort', migrationId, ...at]);

    // Assess
    expect(aborted.code).toBe(4);
    expect(aborted.stdout).toBe('');
    expect(aborted.stderr.trim().split('\n')).toEqual([
      `svm-migrate: abort of migration ${migrationId} refused: it passed the point of no return (phase migrate_complete), so it can only roll forward`,
    ]);
  }, 60_000);

  it('a migration that does not exist: one line on stderr, exit 3 (a real process)', async () => {
    // Act
    const missing = await cliProcess(['status', 'mig-20260101T000000-000000', ...at]);

    // Assess
    expect(missing.code).toBe(3);
    expect(missing.stderr.trim().split('\n')).toEqual([
      'svm-migrate: no migration mig-20260101T000000-000000',
    ]);
  }, 60_000);

  it('pause, cutover and resume of a completed migration are refused with the reason (exit 4)', async () => {
    // Act
    const runs = await Promise.all(
      ['pause', 'cutover', 'resume'].map((command) => cli([command, migrationId, ...at])),
    );

    // Assess
    expect(runs.map((r) => r.code)).toEqual([4, 4, 4]);
    expect(runs[0].stderr).toContain('it passed the point of no return');
    expect(runs[1].stderr).toContain('it cuts over automatically');
    expect(runs[2].stderr).toContain('has completed');
  });

  it('starting the same input again is refused: its execution name is taken, and --name is the way to start anew', async () => {
    // Act
    const again = await cli(['start', ...INPUT_FLAGS, ...at]);

    // Assess
    expect(again.code).toBe(4);
    expect(again.stderr).toContain(
      `an execution of this input already ran: ${executionArn} (ended SUCCEEDED`,
    );
    expect(again.stderr).toContain('give a new --name');
  });

  it('local down stops the services and removes services.json', async () => {
    // Act
    const down = json(await cli(['local', 'down', '--json', ...at]));

    // Assess
    expect(down).toEqual({ stopped: true });
    expect(fs.existsSync(servicesFile(workDir))).toBe(false);
    expect(json(await cli(['local', 'status', '--json', ...at]))).toEqual({ running: false });
  }, 60_000);
});
