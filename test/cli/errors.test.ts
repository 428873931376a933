// What a user sees when a command cannot run, from a real process: one line on stderr and the
// documented exit code, and nothing started for input the schema refuses.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { servicesFile } from '../../local/services';
import { cliProcess, tempWorkDir } from './helpers';

const INPUT_FLAGS = [
  '--source-cluster',
  'cluster-src',
  '--source-svm',
  'svm_demo',
  '--destination-cluster',
  'cluster-dst',
];

describe('svm-migrate usage errors (a real process)', () => {
  const workDir = tempWorkDir();
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  it.each([
    ['an unknown flag', ['start', '--bogus'], "svm-migrate: unknown option '--bogus' (see --help)"],
    ['a missing argument', ['status'], "svm-migrate: missing required argument 'migration' (see --help)"],
    [
      'an unknown target',
      ['list', '--target', 'gcp'],
      "svm-migrate: option '--target <target>' argument 'gcp' is invalid. Allowed choices are local, aws. (see --help)",
    ],
    [
      'a throttle that is not a number',
      ['start', ...INPUT_FLAGS, '--throttle', 'fast'],
      "svm-migrate: option '--throttle <KBps>' argument 'fast' is invalid. must be a whole number, 0 or more (decimal digits only) (see --help)",
    ],
    [
      'an SVM name the schema refuses',
      [
        'start',
        '--source-cluster',
        'cluster-src',
        '--source-svm',
        'svm demo',
        '--destination-cluster',
        'cluster-dst',
      ],
      'svm-migrate: invalid execution input: source.svm must match ^[A-Za-z_][A-Za-z0-9_.-]{0,46}$ (--source-svm)',
    ],
    [
      'a missing source',
      ['start', '--destination-cluster', 'cluster-dst'],
      'svm-migrate: missing --source-cluster, --source-svm (or give --input file.json)',
    ],
    [
      'a work dir that does not exist',
      ['list', '--work-dir', 'no-such-dir'],
      'svm-migrate: --work-dir no-such-dir: no such folder (create it first)',
    ],
  ])(
    '%s: exit 2 with one line',
    async (_case, args, line) => {
      // Act
      const run = await cliProcess(args.includes('--work-dir') ? args : [...args, '--work-dir', workDir], {
        cwd: workDir,
      });

      // Assess
      expect({ code: run.code, stderr: run.stderr, stdout: run.stdout }).toEqual({
        code: 2,
        stderr: `${line}\n`,
        stdout: '',
      });
    },
    30_000,
  );

  it('an --input file with a field the schema does not know: exit 2 naming the field, and nothing started', async () => {
    // Prepare
    fs.writeFileSync(
      path.join(workDir, 'input.json'),
      JSON.stringify({
        source: { cluster: 'cluster-src', svm: 'svm_demo' },
        destination: { cluster: 'cluster-dst' },
        autoCutOver: false,
      }),
    );

    // Act
    const run = await cliProcess(['start', '--input', 'input.json'], { cwd: workDir });

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('svm-migrate: invalid execution input: autoCutOver is not a known field\n');
    expect(fs.existsSync(servicesFile(workDir))).toBe(false);
  }, 30_000);

  it('the AWS target without a region anywhere: exit 5 (target unavailable)', async () => {
    // Prepare: no region in the environment or in any shared config file.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: workDir,
      AWS_CONFIG_FILE: path.join(workDir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(workDir, 'none'),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const arn = 'arn:aws:states:eu-west-1:111122223333:stateMachine:SvmMigrate';

    // Act
    const run = await cliProcess(
      ['list', '--target', 'aws', '--state-machine-arn', arn, '--table-name', 'SvmMigrate-Table'],
      { env },
    );

    // Assess
    expect(run.code).toBe(5);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^svm-migrate: .*region.*--region/i);
  }, 30_000);

  it('--help is not an error', async () => {
    // Act
    const run = await cliProcess(['start', '--help']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--no-auto-cutover');
  }, 30_000);
});
