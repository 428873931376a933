// Issue 13, must-shows 1 and 2: requests that pass the schema but cannot work, and options that
// do not parse, as real processes against running local services. Each is refused with its exit
// code and one line naming the field (or option) and the reason, and leaves nothing behind: no
// migration, no execution, no lock; a valid start afterwards migrates the SVM to the end.

import { LocalTarget } from '../../cli/targets/local';
import { parseExecutionInput } from '../../lambdas/input';
import { OntapClient } from '../../lambdas/ontap/client';
import { ExecutionRegistry } from '../../local/executions';
import { readServices } from '../../local/services';
import {
  type CliRun,
  cli,
  cliProcess,
  FAST_LOCAL_ENV,
  json,
  tempWorkDir,
  withLocalServices,
} from './helpers';

const SOURCE = ['--source-cluster', 'cluster-src', '--source-svm', 'svm_demo'];
const VALID = [...SOURCE, '--destination-cluster', 'cluster-dst'];

describe('svm-migrate refuses what cannot work, before anything is created (real processes)', () => {
  const workDir = tempWorkDir();
  const at = ['--work-dir', workDir];

  /** Nothing recorded: no migration (so no lock on the SVM) and no execution. */
  async function nothingChanged(): Promise<void> {
    expect(json<{ items: unknown[] }>(await cli(['list', '--json', ...at])).items).toEqual([]);
    expect(new ExecutionRegistry({ root: workDir }).list()).toEqual([]);
  }
  const oneLine = (run: CliRun) => ({ code: run.code, stdout: run.stdout, stderr: run.stderr });

  withLocalServices(workDir);

  it.each([
    [
      'a typo in the destination cluster',
      ['start', ...SOURCE, '--destination-cluster', 'cluster-zzz'],
      'destination.cluster: cluster "cluster-zzz" is not configured (configured: cluster-src, cluster-dst) (--destination-cluster); nothing was started',
    ],
    [
      'a typo in the source cluster',
      [
        'start',
        '--source-cluster',
        'cluster-sr',
        '--source-svm',
        'svm_demo',
        '--destination-cluster',
        'cluster-dst',
      ],
      'source.cluster: cluster "cluster-sr" is not configured (configured: cluster-src, cluster-dst) (--source-cluster); nothing was started',
    ],
    [
      'the source cluster as destination',
      ['start', ...SOURCE, '--destination-cluster', 'cluster-src'],
      'destination.cluster: is the source cluster cluster-src; give another cluster (--destination-cluster); nothing was started',
    ],
    [
      'an SVM that does not exist',
      [
        'start',
        '--source-cluster',
        'cluster-src',
        '--source-svm',
        'svm_nope',
        '--destination-cluster',
        'cluster-dst',
      ],
      'source.svm: source SVM svm_nope does not exist (--source-svm); nothing was started',
    ],
    [
      'an aggregate that does not exist',
      ['start', ...VALID, '--aggregates', 'aggr_nope'],
      'destination.aggregates: destination aggregates not found: aggr_nope (--aggregates); nothing was started',
    ],
    [
      'a throttle in hex',
      ['start', ...VALID, '--throttle', '0x10'],
      "option '--throttle <KBps>' argument '0x10' is invalid. must be a whole number, 0 or more (decimal digits only) (see --help)",
    ],
    [
      "a throttle beyond ONTAP's limit",
      ['start', ...VALID, '--throttle', '4294967296'],
      "option '--throttle <KBps>' argument '4294967296' is invalid. must be from 0 to 4294967295 (see --help)",
    ],
    [
      'a list limit in exponent notation',
      ['list', '--limit', '1e20'],
      "option '--limit <n>' argument '1e20' is invalid. must be a whole number, 0 or more (decimal digits only) (see --help)",
    ],
    [
      'a list limit too large',
      ['list', '--limit', '100000'],
      "option '--limit <n>' argument '100000' is invalid. must be from 0 to 1000 (see --help)",
    ],
    [
      'a volume count with a suffix',
      ['local', 'up', '--volumes', '1x'],
      "option '--volumes <n>' argument '1x' is invalid. must be a whole number, 0 or more (decimal digits only) (see --help)",
    ],
    [
      'a port beyond 65535',
      ['sim', '--port-base', '99999'],
      "option '--port-base <port>' argument '99999' is invalid. must be from 0 to 65532 (see --help)",
    ],
  ])(
    '%s: exit 2, one line naming it and why, nothing changed',
    async (_case, args, line) => {
      // Act
      const run = await cliProcess([...args, ...(args[0] === 'sim' ? [] : at)]);

      // Assess
      expect(oneLine(run)).toEqual({ code: 2, stdout: '', stderr: `svm-migrate: ${line}\n` });
      await nothingChanged();
    },
    60_000,
  );

  it('precheck of a cluster typo: the pre-checks fail (exit 1) naming the field, and nothing is started', async () => {
    // Act
    const run = await cliProcess(['precheck', ...SOURCE, '--destination-cluster', 'cluster-zzz', ...at]);

    // Assess
    expect(oneLine(run)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'svm-migrate: pre-checks failed: destination.cluster: cluster "cluster-zzz" is not configured (configured: cluster-src, cluster-dst) (--destination-cluster)\n',
    });
    await nothingChanged();
  }, 60_000);

  it('a destination that already has an SVM of that name: exit 2 naming source.svm, nothing changed', async () => {
    // Prepare: a foreign svm_demo on the destination.
    const services = readServices(workDir);
    if (!services) throw new Error('no services recorded');
    const { baseUrl, username, password, ca } = services.clusters.destination;
    const destination = new OntapClient({ side: 'destination', baseUrl, username, password, ca });
    const foreign = await destination.svms.create({ name: 'svm_demo', comment: 'someone else' });

    try {
      // Act
      const run = await cliProcess(['start', ...VALID, ...at]);

      // Assess
      expect(oneLine(run)).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'svm-migrate: source.svm: destination cluster cluster-dst already has an SVM named svm_demo (--source-svm); nothing was started\n',
      });
      await nothingChanged();
    } finally {
      await destination.svms.delete(foreign.uuid);
      destination.close();
    }
  }, 60_000);

  it('after all of them, a valid start migrates the SVM to the end', async () => {
    // Act
    const started = json<{ executionArn: string }>(await cli(['start', ...VALID, '--json', ...at]));
    const watched = await cli(['watch', started.executionArn, '--json', '--interval', '100', ...at]);

    // Assess
    const last = JSON.parse(watched.stdout.trim().split('\n').pop() as string) as {
      migration: { status: string; messages: string[] };
    };
    expect({ code: watched.code, status: last.migration.status, messages: last.migration.messages }).toEqual({
      code: 0,
      status: 'migrate_complete',
      messages: expect.any(Array),
    });
  }, 180_000);

  it('an input the schema takes but over 128 KB starts its execution (no E2BIG: it travels in a file)', async () => {
    // Prepare: 3000 aggregate names of 46 characters, about 150 KB.
    const aggregates = Array.from({ length: 3000 }, (_, i) => `aggr_${String(i).padStart(41, '0')}`);
    const input = parseExecutionInput({
      source: { cluster: 'cluster-src', svm: 'svm_demo' },
      destination: { cluster: 'cluster-dst', aggregates },
      checkOnly: true,
    });
    expect(JSON.stringify(input).length).toBeGreaterThan(128 * 1024);
    const target = await LocalTarget.open({ workDir, env: { ...process.env, ...FAST_LOCAL_ENV } });

    try {
      // Act
      const started = await target.startExecution(input, 'a-big-input');

      // Assess
      expect(started.name).toBe('a-big-input');
      expect((await target.describeExecution(started.executionArn))?.input).toEqual(input);
    } finally {
      await target.close();
    }
  }, 120_000);
});
