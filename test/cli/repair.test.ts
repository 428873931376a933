// Issue 13, must-show 2: an undo_failed migration on the local target (setup fails, then its
// undo's volume delete is refused: faults injected through the simulator's control endpoint),
// `resume` refused with exit 4 saying what to do, `repair --retry-undo` resolving it, after which
// a fresh migration of the same SVM completes. Through the CLI only, but for the faults.
import { readServices } from '../../local/services';
import { SimControl } from '../../sim/control';
import { cli, eventually, json, tempWorkDir, withLocalServices } from './helpers';

const INPUT_FLAGS = [
  '--source-cluster',
  'cluster-src',
  '--source-svm',
  'svm_demo',
  '--destination-cluster',
  'cluster-dst',
];
const INVALID = { status: 400, code: '262185', count: 1 };

interface StatusView {
  migration: { id: string; status: string; messages: string[] };
  execution: { status: string; running: boolean } | null;
}

describe('svm-migrate repair on the local target', () => {
  const workDir = tempWorkDir();
  const at = ['--work-dir', workDir];
  const settled = (ref: string, status: string) =>
    eventually(
      `${ref} to end ${status}`,
      async () => {
        const run = await cli(['status', ref, '--json', ...at]);
        if (run.code === 3) return undefined;
        const view = json<StatusView>(run);
        return view.migration.status === status && view.execution?.running === false ? view : undefined;
      },
      120_000,
    );

  withLocalServices(workDir);

  it('undo_failed: resume is refused (exit 4), repair --retry-undo releases the lock, a fresh start completes', async () => {
    // Prepare: an undo_failed migration.
    const services = readServices(workDir);
    if (!services) throw new Error('local services did not record where they run');
    const destination = new SimControl(services.clusters.destination);
    await destination.injectError({
      method: 'POST',
      path: '/api/snapmirror/relationships',
      ...INVALID,
      message: 'injected: setup fails',
    });
    await destination.injectError({
      method: 'DELETE',
      path: '/api/storage/volumes/*',
      ...INVALID,
      message: 'injected: undo fails',
    });
    const started = json<{ executionArn: string }>(await cli(['start', ...INPUT_FLAGS, '--json', ...at]));
    const failed = await settled(started.executionArn, 'undo_failed');
    const id = failed.migration.id;

    // Act
    const resumed = await cli(['resume', id, ...at]);
    const usage = await cli(['repair', id, '--reason', 'fixed', ...at]);
    const repair = await cli([
      'repair',
      id,
      '--retry-undo',
      '--reason',
      'the refused delete was a one-off',
      ...at,
    ]);
    const repaired = await settled(id, 'rolled_back');

    // Assess
    expect(resumed.code).toBe(4);
    expect(resumed.stderr).toBe(
      `svm-migrate: migration ${id} ended undo_failed, which resume cannot continue: repair the destination, then svm-migrate repair ${id} --retry-undo (or --mark-repaired) --reason "..."\n`,
    );
    expect(usage).toMatchObject({
      code: 2,
      stderr: 'svm-migrate: repair: give exactly one of --retry-undo and --mark-repaired\n',
    });
    expect(repair.code).toBe(0);
    expect(repair.stdout).toMatch(new RegExp(`:${id}-repair-v\\d+\\n$`));
    expect(repaired.migration.messages).toContain(
      'undo retried by the operator (the refused delete was a one-off)',
    );
    expect(repaired.execution?.status).toBe('SUCCEEDED');
    expect((await cli(['repair', id, '--retry-undo', '--reason', 'again', ...at])).code).toBe(4);
    const resumedAfter = await cli(['resume', id, ...at]);
    expect(resumedAfter).toMatchObject({
      code: 4,
      stderr: `svm-migrate: migration ${id} has ended (rolled_back), which resume cannot continue: start a new migration with svm-migrate start\n`,
    });

    // Act: a fresh migration of the same SVM.
    const fresh = json<{ executionArn: string }>(
      await cli(['start', ...INPUT_FLAGS, '--name', 'svm_demo-after-repair', '--json', ...at]),
    );
    const done = await settled(fresh.executionArn, 'migrate_complete');

    // Assess
    expect(done.migration.id).not.toBe(id);
    expect(done.execution?.status).toBe('SUCCEEDED');
  }, 300_000);
});
