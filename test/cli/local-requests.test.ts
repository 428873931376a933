// The operator's requests on the local target, through the CLI only: precheck, a migration
// that waits for its cut-over, pause and resume, abort before the point of no return (rolled
// back), then a new start of the same SVM cut over by hand.
import { cli, eventually, json, tempWorkDir, withLocalServices } from './helpers';

const INPUT_FLAGS = [
  '--source-cluster',
  'cluster-src',
  '--source-svm',
  'svm_demo',
  '--destination-cluster',
  'cluster-dst',
];

interface StatusView {
  migration: { id: string; status: string; phase: string; pointOfNoReturn: boolean };
  volumes: unknown[];
  execution: { executionArn: string; status: string; running: boolean } | null;
}

describe('svm-migrate requests on the local target', () => {
  const workDir = tempWorkDir();
  const at = ['--work-dir', workDir];
  const status = async (ref: string) => json<StatusView>(await cli(['status', ref, '--json', ...at]));
  /** Until the migration is in `state` (its phase, or its status) and an execution runs it, or not. */
  const reaches = (ref: string, state: string, running: boolean) =>
    eventually(`${ref} to be ${state}`, async () => {
      const run = await cli(['status', ref, '--json', ...at]);
      // Until its CheckState has begun the migration, an execution has none (exit 3).
      if (run.code === 3) return undefined;
      const view = json<StatusView>(run);
      const there = running ? view.migration.phase === state : view.migration.status === state;
      return there && view.execution?.running === running ? view : undefined;
    });
  let migrationId: string;

  withLocalServices(workDir);

  it('precheck runs a check-only execution and prints the report', async () => {
    // Act
    const run = await cli(['precheck', ...INPUT_FLAGS, ...at]);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Pre-checks passed\n\s+source\s+cluster-src \(ONTAP .*9\.14\.1.*\)\n\s+destination\s+cluster-dst .*\n\s+volumes\s+8, placed on the destination as:\n/,
    );
    for (const volume of ['vol01', 'vol08'])
      expect(run.stdout).toMatch(new RegExp(`${volume}\\s+1\\.00 GiB  -> cluster_dst_0[12]_aggr1`));
  }, 60_000);

  it('precheck of an SVM that does not exist fails (exit 1) with the reason', async () => {
    // Act
    const failed = await cli([
      'precheck',
      '--source-cluster',
      'cluster-src',
      '--source-svm',
      'svm_nope',
      '--destination-cluster',
      'cluster-dst',
      ...at,
    ]);

    // Assess
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      'svm-migrate: pre-checks failed: source.svm: source SVM svm_nope does not exist (--source-svm)\n',
    );
  }, 60_000);

  it('with --no-auto-cutover the migration waits, ready for cut-over', async () => {
    // Act
    const started = json<{ executionArn: string }>(
      await cli(['start', ...INPUT_FLAGS, '--no-auto-cutover', '--json', ...at]),
    );
    const ready = await reaches(started.executionArn, 'ready_for_cutover', true);

    // Assess
    expect(ready.volumes).toHaveLength(8);
    migrationId = ready.migration.id;
    const text = await cli(['status', migrationId, ...at]);
    expect(text.stdout).toContain(`next          waiting for a cut-over: svm-migrate cutover ${migrationId}`);
  }, 60_000);

  it('pause ends the execution Paused; watch then exits 0 and a second pause is refused', async () => {
    // Act
    const paused = await cli(['pause', migrationId, ...at]);
    const view = await reaches(migrationId, 'migrate_paused', false);
    const watched = await cli(['watch', migrationId, ...at]);
    const again = await cli(['pause', migrationId, ...at]);

    // Assess
    expect(paused.stdout).toContain(`pause requested for ${migrationId}`);
    expect(view.execution?.status).toBe('SUCCEEDED');
    expect(watched.code).toBe(0);
    expect(watched.stderr).toContain(`migration ${migrationId} migrate_paused`);
    expect(again.code).toBe(4);
  }, 60_000);

  it('resume starts a fresh execution that continues the same migration', async () => {
    // Act
    const resumed = json<{ migrationId: string; how: string; executionArn: string }>(
      await cli(['resume', migrationId, '--json', ...at]),
    );
    const view = await reaches(migrationId, 'ready_for_cutover', true);

    // Assess
    expect(resumed).toMatchObject({ migrationId, how: 'started' });
    expect(resumed.executionArn).toMatch(new RegExp(`:${migrationId}-r\\d+$`));
    expect(view.execution?.executionArn).toBe(resumed.executionArn);
  }, 60_000);

  it('abort before the point of no return rolls the migration back; watch exits 1', async () => {
    // Act
    const aborted = await cli(['abort', migrationId, ...at]);
    const watched = await cli(['watch', migrationId, '--interval', '100', ...at]);

    // Assess
    expect(aborted.code).toBe(0);
    expect(watched.code).toBe(1);
    const view = await status(migrationId);
    expect(view.migration).toMatchObject({ status: 'rolled_back', pointOfNoReturn: false });
    expect(view.execution?.status).toBe('SUCCEEDED');
  }, 60_000);

  it('the same input again is refused for its taken name; with --name it migrates again, cut over by hand', async () => {
    // Act
    const taken = await cli(['start', ...INPUT_FLAGS, '--no-auto-cutover', ...at]);
    const started = json<{ executionArn: string }>(
      await cli(['start', ...INPUT_FLAGS, '--no-auto-cutover', '--name', 'svm_demo-second', '--json', ...at]),
    );
    const ready = await reaches(started.executionArn, 'ready_for_cutover', true);
    const cutover = await cli(['cutover', ready.migration.id, ...at]);
    const watched = await cli(['watch', ready.migration.id, '--interval', '100', ...at]);

    // Assess
    expect(taken.code).toBe(4);
    expect(taken.stderr).toContain('give a new --name');
    expect(started.executionArn).toMatch(/:svm_demo-second$/);
    expect(ready.migration.id).not.toBe(migrationId);
    expect(cutover.stdout).toContain(`cutover requested for ${ready.migration.id}`);
    expect(watched.code).toBe(0);
    // Line by line when not on a terminal: every volume reached 100%.
    for (const volume of ['vol01', 'vol08'])
      expect(watched.stdout).toMatch(new RegExp(`${volume}\\s+\\[█{24}\\] 100%`));
    expect(watched.stdout).toContain('point of no return');
    expect((await status(ready.migration.id)).migration.status).toBe('migrate_complete');
  }, 90_000);
});
