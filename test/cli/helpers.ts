// Runs the CLI the two ways the tests need: in-process through runCli (fast, output captured)
// and as a child process through tsx (real exit codes and stderr), plus polling with a deadline.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Io } from '../../cli/io';
import { runCli } from '../../cli/program';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Short waits for the local runner: tests only (the execution process reads them). */
export const FAST_LOCAL_ENV = {
  SVM_MIGRATE_LOCAL_WAIT_SECONDS: '0.2',
  SVM_MIGRATE_LOCAL_RETRY_INTERVAL_MS: '5',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export function tempWorkDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'svm-'));
}

export async function cli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; isTTY?: boolean } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    out: (text) => (stdout += `${text}\n`),
    err: (text) => (stderr += `${text}\n`),
    write: (text) => (stdout += text),
    isTTY: options.isTTY ?? false,
    columns: 160,
    env: { ...process.env, ...FAST_LOCAL_ENV, ...options.env },
    cwd: options.cwd ?? process.cwd(),
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

/** The CLI as a user runs it: `tsx bin/svm-migrate.ts ...` in its own process. */
export function cliProcess(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [path.join(ROOT, 'bin/svm-migrate.ts'), ...args], {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? { ...process.env, ...FAST_LOCAL_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export function json<T = Record<string, unknown>>(run: CliRun): T {
  if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** Local services for the suite (an unthrottled link), stopped and the work dir removed after it. */
export function withLocalServices(workDir: string): void {
  beforeAll(async () => {
    expect((await cli(['local', 'up', '--link-bandwidth', '0', '--work-dir', workDir])).code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await cli(['local', 'down', '--work-dir', workDir]);
    fs.rmSync(workDir, { recursive: true, force: true });
  }, 60_000);
}

/** Polls until `check` returns a value, or fails with what it last saw. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
