// Issue 13, must-show 5: what the README says about the command line, checked against the CLI:
// the exit-code table against the constants and --help, "every command takes --json" (errors
// as JSON too) against every command, and where the local state lives against a real run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { EXIT } from '../../cli/errors';
import { svmMigrateProgram } from '../../cli/program';
import { ExecutionRegistry } from '../../local/executions';
import { hostPidFile, isAlive, servicesFile } from '../../local/services';
import { cli, cliProcess, json, tempWorkDir } from './helpers';

const README = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
const CLI_SECTION = README.slice(
  README.indexOf('## The command line: `svm-migrate`'),
  README.indexOf('## Failure semantics'),
);

/** The rows of the README's exit-code table: code -> meaning. */
function readmeExitCodes(): Map<number, string> {
  // The formatter pads the table's cells: read them trimmed.
  const table = CLI_SECTION.slice(CLI_SECTION.search(/\|\s*exit code\s*\|\s*meaning\s*\|/));
  const rows = [...table.matchAll(/^\|\s*(\d+)\s*\|\s*(.+?)\s*\|$/gm)];
  return new Map(rows.map(([, code, meaning]) => [Number(code), meaning]));
}

function leafCommands(command: Command, prefix: string[] = []): Array<{ path: string; command: Command }> {
  if (command.commands.length === 0) return [{ path: prefix.join(' '), command }];
  return command.commands.flatMap((sub) => leafCommands(sub, [...prefix, sub.name()]));
}

describe("the README's statements about the CLI", () => {
  it('the exit-code table lists exactly the codes the CLI uses, as --help does', async () => {
    // Act
    const help = await cli(['--help']);
    const helpCodes = [
      ...help.stdout.slice(help.stdout.indexOf('Exit codes:')).matchAll(/^ {2}(\d) {2}/gm),
    ].map((m) => Number(m[1]));

    // Assess
    const documented = readmeExitCodes();
    const used = Object.values(EXIT).sort();
    expect([...documented.keys()].sort()).toEqual(used);
    expect(helpCodes.sort()).toEqual(used);
    expect(documented.get(EXIT.usage)).toMatch(/usage/);
    expect(documented.get(EXIT.notFound)).toMatch(/no such migration/);
    expect(documented.get(EXIT.conflict)).toMatch(/^refused/);
    expect(documented.get(EXIT.unavailable)).toMatch(/unavailable/);
  });

  it('every command takes --json, and the README names every command', () => {
    // Act
    const commands = leafCommands(
      svmMigrateProgram({ io: undefined as never, now: () => new Date(), exitCode: 0 }),
    );

    // Assess
    expect(CLI_SECTION).toContain('Every command takes `--json`');
    const without = commands
      .filter((c) => !c.command.options.some((o) => o.long === '--json'))
      .map((c) => c.path);
    expect(without).toEqual([]);
    const unnamed = commands
      .map((c) => c.path.split(' ')[0])
      .filter((name) => !CLI_SECTION.includes(`\`${name}`));
    expect(unnamed).toEqual([]);
  });

  it.each([
    ['a usage error', ['start', '--throttle', '0x10', '--json'], EXIT.usage, /--throttle/],
    [
      'an input the schema refuses',
      ['start', '--source-cluster', 'c', '--source-svm', 'svm demo', '--destination-cluster', 'd', '--json'],
      EXIT.usage,
      /source\.svm/,
    ],
    [
      'a target that is unavailable',
      [
        'list',
        '--target',
        'aws',
        '--state-machine-arn',
        'arn:aws:states:eu-west-1:111122223333:stateMachine:S',
        '--table-name',
        'T',
        '--json',
      ],
      EXIT.unavailable,
      /region/,
    ],
  ])(
    'under --json, %s is one JSON object on stderr with its exit code (a real process)',
    async (_case, args, exitCode, message) => {
      // Prepare: no region anywhere.
      const home = tempWorkDir();
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        AWS_CONFIG_FILE: path.join(home, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'),
      };

      // Act
      const run = await cliProcess(args, { env, cwd: home });

      // Assess
      expect(run.code).toBe(exitCode);
      expect(run.stdout).toBe('');
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      const parsed = JSON.parse(lines[0]) as { error: { exitCode: number; message: string } };
      expect(parsed.error.exitCode).toBe(exitCode);
      expect(parsed.error.message).toMatch(message);
      fs.rmSync(home, { recursive: true, force: true });
    },
    60_000,
  );

  it('the local state lives in ./.svm-migrate/ of the current directory (a real process)', async () => {
    // Prepare
    const cwd = tempWorkDir();
    expect(CLI_SECTION).toContain('keeps their state in `./.svm-migrate/`');

    try {
      // Act
      const up = json<{ pid: number }>(await cliProcess(['local', 'up', '--json'], { cwd }));

      // Assess
      const state = path.join(cwd, '.svm-migrate');
      expect(servicesFile(cwd).startsWith(state)).toBe(true);
      expect(new ExecutionRegistry({ root: cwd }).dir.startsWith(state)).toBe(true);
      expect(fs.existsSync(servicesFile(cwd))).toBe(true);
      expect(fs.readFileSync(hostPidFile(cwd), 'utf8').trim()).toBe(String(up.pid));
      expect(fs.readdirSync(state).sort()).toEqual(['clusters', 'dynamodb', 'local']);
      expect(fs.readdirSync(cwd)).toEqual(['.svm-migrate']);
      expect(json(await cliProcess(['local', 'down', '--json'], { cwd }))).toEqual({ stopped: true });
      expect(isAlive(up.pid)).toBe(false);
    } finally {
      await cli(['local', 'down', '--work-dir', cwd]);
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  }, 120_000);
});
