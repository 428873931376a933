// Issue 13, must-show 4: the local services behave like services. A kill -9 of their host
// leaves no DynamoDB Local JVM behind once the next command ran; a damaged services.json is
// named, cleaned up, and neither `local down` nor the next command fails on it; a restart after
// a completed migration does not seed the demo SVM on the source again. Real processes.
import * as fs from 'node:fs';
import { OntapClient } from '../../lambdas/ontap/client';
import { isAlive, orphansOf, readServices, servicesFile } from '../../local/services';
import { cli, cliProcess, eventually, json, tempWorkDir, withLocalServices } from './helpers';

const VALID = [
  '--source-cluster',
  'cluster-src',
  '--source-svm',
  'svm_demo',
  '--destination-cluster',
  'cluster-dst',
];

describe('svm-migrate local services', () => {
  const workDir = tempWorkDir();
  const at = ['--work-dir', workDir];
  withLocalServices(workDir);

  const hostPid = () => {
    const services = readServices(workDir);
    if (!services) throw new Error('no services recorded');
    return services.pid;
  };

  it('kill -9 of the host: the next command stops the JVM it left and starts working services', async () => {
    // Prepare
    const pid = hostPid();
    const jvms = orphansOf(workDir, pid);
    expect(jvms).toHaveLength(1);
    process.kill(pid, 'SIGKILL');
    await eventually('the host to die', async () => (isAlive(pid) ? undefined : true));
    expect(isAlive(jvms[0])).toBe(true);

    // Act
    const run = await cliProcess(['list', '--json', ...at]);

    // Assess
    expect(run.code).toBe(0);
    // Under --json the notice is a JSON line on stderr.
    expect(run.stderr).toContain(
      `${JSON.stringify({ notice: `the local services host (pid ${pid}) had died and left pid ${jvms[0]} running: stopped` })}\n`,
    );
    expect(isAlive(jvms[0])).toBe(false);
    expect(orphansOf(workDir, pid)).toEqual([]);
    expect(hostPid()).not.toBe(pid);
    expect(orphansOf(workDir, hostPid())).toHaveLength(1);
  }, 120_000);

  it.each([
    ['empty', ''],
    ['half-written', '{"pid": 12'],
  ])(
    'a %s services.json: local down names it, stops what ran, and the next command works',
    async (_case, text) => {
      // Prepare
      const pid = hostPid();
      const jvms = orphansOf(workDir, pid);
      fs.writeFileSync(servicesFile(workDir), text);

      // Act
      const down = await cliProcess(['local', 'down', ...at]);
      const list = await cliProcess(['list', '--json', ...at]);

      // Assess
      expect(down.code).toBe(0);
      expect(down.stderr).toMatch(
        new RegExp(
          `^svm-migrate: ${servicesFile(workDir)} is damaged \\(.+\\): removed it, and stopped the services of pid ${pid} it belonged to\\n$`,
        ),
      );
      expect(down.stdout).toBe('not running\n');
      expect([pid, ...jvms].filter(isAlive)).toEqual([]);
      expect(list.code).toBe(0);
      expect(json<{ items: unknown[] }>(list).items).toEqual([]);
    },
    120_000,
  );

  it('a restart after a completed migration does not seed the demo SVM on the source again', async () => {
    // Prepare: svm_demo migrated, its source deleted (auto source cleanup).
    const started = json<{ executionArn: string }>(await cli(['start', ...VALID, '--json', ...at]));
    expect((await cli(['watch', started.executionArn, '--json', ...at])).code).toBe(0);

    // Act
    expect((await cli(['local', 'down', ...at])).code).toBe(0);
    const list = await cliProcess(['list', '--json', ...at]);

    // Assess
    expect(json<{ items: Array<{ status: string }> }>(list).items.map((m) => m.status)).toEqual([
      'migrate_complete',
    ]);
    const services = readServices(workDir);
    if (!services) throw new Error('no services recorded');
    const found = await Promise.all(
      (['source', 'destination'] as const).map(async (side) => {
        const { baseUrl, username, password, ca } = services.clusters[side];
        const client = new OntapClient({ side, baseUrl, username, password, ca });
        try {
          return (await client.svms.findByName('svm_demo')) !== undefined;
        } finally {
          client.close();
        }
      }),
    );
    expect(found).toEqual([false, true]);
  }, 180_000);
});
