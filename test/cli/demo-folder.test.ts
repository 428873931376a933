// Issue 13, must-show 3: `demo --work-dir` never clears a folder it did not create. A folder
// with other files in it is refused (exit 2, one line naming --work-dir and why) and nothing in
// it is touched; a folder the demo created is marked, and only its .svm-migrate/ is cleared.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEMO_MARKER, prepareDemoFolder } from '../../cli/demo';
import { cliProcess, tempWorkDir } from './helpers';

/** Every file under `dir` with its content: what "nothing changed" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, file)] = entry.isFile() ? fs.readFileSync(file, 'utf8') : '<dir>';
  }
  return out;
}

describe('svm-migrate demo --work-dir', () => {
  const root = tempWorkDir();
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('a folder with other files in it (a project, with state of its own): refused, exit 2, nothing deleted', async () => {
    // Prepare
    const project = path.join(root, 'project');
    fs.mkdirSync(path.join(project, 'src'), { recursive: true });
    fs.mkdirSync(path.join(project, '.svm-migrate', 'local'), { recursive: true });
    fs.writeFileSync(path.join(project, 'src', 'main.ts'), 'export {};\n');
    fs.writeFileSync(path.join(project, '.svm-migrate', 'local', 'keep.json'), '{}\n');
    const before = snapshot(project);

    // Act
    const run = await cliProcess(['demo', '--work-dir', '.'], { cwd: project });

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `svm-migrate: --work-dir ${project}: not empty and not a demo folder (no ${DEMO_MARKER} in it); give an empty or new folder\n`,
    );
    expect(snapshot(project)).toEqual(before);
  }, 60_000);

  it('a new folder is created and marked; at the next run only its .svm-migrate/ is cleared', () => {
    // Prepare
    const dir = path.join(root, 'new', 'demo');

    // Act
    prepareDemoFolder(dir);
    fs.mkdirSync(path.join(dir, '.svm-migrate', 'dynamodb'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.svm-migrate', 'dynamodb', 'old.db'), 'x');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    prepareDemoFolder(dir);

    // Assess
    expect(Object.keys(snapshot(dir)).sort()).toEqual([DEMO_MARKER, 'notes.txt']);
  });

  it('a fault drill in a new folder: the demo marks it, and its summary says where each fault fired; no warnings', async () => {
    // Prepare: the environment as a user has it (no test switches).
    const dir = path.join(root, 'drill');
    const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _, ...env } = process.env;

    // Act
    const run = await cliProcess(
      ['demo', '--work-dir', dir, '--link-bandwidth', '0', '--faults', 'transfer:transient*2', '--json'],
      { env },
    );

    // Assess
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const summary = JSON.parse(run.stdout) as { client: { faults: string; faultsFired: unknown } };
    expect(summary.client.faults).toBe('transfer:transient*2');
    expect(summary.client.faultsFired).toEqual([{ fault: 'transfer:transient', firedIn: ['StartTransfer'] }]);
    expect(fs.existsSync(path.join(dir, DEMO_MARKER))).toBe(true);
  }, 300_000);

  it('a file, not a folder: refused and kept', () => {
    // Prepare
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, 'data');

    // Act
    const attempt = () => prepareDemoFolder(file);

    // Assess
    expect(attempt).toThrow(`--work-dir ${file}: not a folder`);
    expect(fs.readFileSync(file, 'utf8')).toBe('data');
  });
});
