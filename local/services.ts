// The local target's long-lived services (DynamoDB Local and the two simulated clusters),
// run by one detached host process per work dir so that CLI commands in different terminals
// share them; `.svm-migrate/local/services.json` says where they are and which process runs them.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { dynamoDbClient } from './dynamodb-local';
import type { ClusterAddress } from './environment';

export interface LocalServices {
  /** The host process: the group leader of everything it started (the DynamoDB Local JVM too). */
  pid: number;
  startedAt: string;
  dynamoDbEndpoint: string;
  tableName: string;
  clusters: { source: ClusterAddress; destination: ClusterAddress };
  logFile: string;
}

export interface ServicesHostOptions {
  /** Inter-cluster link bandwidth in bytes/s (0: unlimited); the demo's 2 MiB/s by default. */
  linkBandwidth?: number;
  seed?: number;
  /** Demo volumes on the source (8 by default) and, optionally, every file's size. */
  volumes?: number;
  fileBytes?: number;
}

/** What the host reports over IPC once its services answer (or why they could not start). */
export type HostMessage = { ready: LocalServices } | { failed: string };

/** A local service is missing or not answering: the CLI's exit code 5. */
export class LocalServicesUnavailableError extends Error {
  override readonly name = 'LocalServicesUnavailableError';
}

const HOST_ENTRY = path.join(__dirname, 'services-host.ts');
/** The JVM's start-up dominates; a cold machine takes a while. */
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;

export const localStateDir = (workDir: string) => path.join(workDir, '.svm-migrate', 'local');
export const servicesFile = (workDir: string) => path.join(localStateDir(workDir), 'services.json');
/** The host's pid, written before it starts anything: found even when services.json is damaged. */
export const hostPidFile = (workDir: string) => path.join(localStateDir(workDir), 'host.pid');

/** Where the services' notices go (a damaged file cleaned up, an orphan stopped): the CLI's stderr. */
export type Say = (line: string) => void;
const silent: Say = () => undefined;

/** services.json is there but is not what the host writes (empty, truncated, edited). */
export class DamagedServicesFileError extends Error {
  override readonly name = 'DamagedServicesFileError';
}

export function readServices(workDir: string): LocalServices | undefined {
  const file = servicesFile(workDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: Partial<LocalServices>;
  try {
    parsed = JSON.parse(text) as Partial<LocalServices>;
  } catch (err) {
    throw new DamagedServicesFileError(
      `${file} is damaged (${text.trim() === '' ? 'empty' : (err as Error).message})`,
    );
  }
  if (
    !Number.isInteger(parsed?.pid) ||
    typeof parsed.dynamoDbEndpoint !== 'string' ||
    !parsed.clusters?.source ||
    !parsed.clusters?.destination
  ) {
    throw new DamagedServicesFileError(`${file} is damaged (not the services the host records)`);
  }
  return parsed as LocalServices;
}

/**
 * The recorded services, or undefined; a damaged record is cleaned up (what its host started
 * is stopped, through host.pid) and said, so that one bad file never blocks every command.
 */
async function readOrCleanUp(workDir: string, say: Say): Promise<LocalServices | undefined> {
  try {
    return readServices(workDir);
  } catch (err) {
    if (!(err instanceof DamagedServicesFileError)) throw err;
    const pid = recordedHostPid(workDir);
    const stopped =
      pid !== undefined &&
      (isAlive(pid) || orphansOf(workDir, pid).length > 0) &&
      (await stopHostAndOrphans(workDir, pid));
    fs.rmSync(servicesFile(workDir), { force: true });
    say(
      `${err.message}: removed it${stopped ? `, and stopped the services of pid ${pid} it belonged to` : ''}`,
    );
    return undefined;
  }
}

function recordedHostPid(workDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(hostPidFile(workDir), 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Written by the host at its start, before the JVM. */
export function writeHostPid(workDir: string): void {
  fs.mkdirSync(localStateDir(workDir), { recursive: true });
  fs.writeFileSync(hostPidFile(workDir), `${process.pid}\n`);
}

export function removeHostPid(workDir: string, pid: number): void {
  if (recordedHostPid(workDir) === pid) fs.rmSync(hostPidFile(workDir), { force: true });
}

/**
 * Processes left of a dead host's group that belong to this work dir (the DynamoDB Local JVM,
 * whose command line names the work dir's data folder, after a kill -9 of the host alone).
 * A process group's id is not reused while the group has members; the command line check
 * keeps any other process out.
 */
export function orphansOf(workDir: string, pgid: number): number[] {
  if (process.platform !== 'linux') return [];
  const ours = path.join(workDir, '.svm-migrate');
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the command name in parentheses: state, ppid, pgrp.
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp !== pgid) continue;
      if (
        fs
          .readFileSync(`/proc/${entry}/cmdline`, 'utf8')
          .split('\0')
          .some((arg) => arg.startsWith(ours))
      )
        found.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** Stops a host and its group, or, when the host is dead, what it left running; whether anything ran. */
async function stopHostAndOrphans(workDir: string, pid: number): Promise<boolean> {
  if (isAlive(pid)) {
    signalGroup(pid, 'SIGTERM');
    if (!(await waitUntil(() => !isAlive(pid), STOP_TIMEOUT_MS))) {
      signalGroup(pid, 'SIGKILL');
      await waitUntil(() => !isAlive(pid), STOP_TIMEOUT_MS);
    }
  }
  const orphans = orphansOf(workDir, pid);
  for (const orphan of orphans) signal(orphan, 'SIGTERM');
  if (!(await waitUntil(() => orphans.every((o) => !isAlive(o)), STOP_TIMEOUT_MS)))
    for (const orphan of orphans) signal(orphan, 'SIGKILL');
  await waitUntil(() => orphans.every((o) => !isAlive(o)), STOP_TIMEOUT_MS);
  removeHostPid(workDir, pid);
  return true;
}

/** Written by the host only, atomically, so a reader never sees half a file. */
export function writeServices(workDir: string, services: LocalServices): void {
  const file = servicesFile(workDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  // Holds the simulated clusters' credentials: readable by the owner only.
  fs.writeFileSync(tmp, `${JSON.stringify(services, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function removeServices(workDir: string, pid: number): void {
  if (readServices(workDir)?.pid === pid) fs.rmSync(servicesFile(workDir), { force: true });
}

/**
 * The running services of this work dir, started (detached) if none run. Two commands that
 * find none at once (`start` in one terminal, `watch` in another) start one set: the first
 * takes the start lock, the other waits for what it starts.
 */
export async function ensureLocalServices(
  workDir: string,
  options: ServicesHostOptions = {},
  say: Say = silent,
): Promise<{ services: LocalServices; started: boolean }> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const running = await runningServices(workDir, say);
    if (running) return { services: running, started: false };
    const release = takeStartLock(workDir);
    if (release) {
      try {
        return {
          services: (await runningServices(workDir, say)) ?? (await startServicesHost(workDir, options, say)),
          started: true,
        };
      } finally {
        release();
      }
    }
    if (Date.now() > deadline)
      throw new LocalServicesUnavailableError(
        `another command has been starting the local services of ${workDir} for ${START_TIMEOUT_MS / 1000} s`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** An exclusive file naming the starting process; a dead starter's lock is taken over. */
function takeStartLock(workDir: string): (() => void) | undefined {
  const lock = path.join(localStateDir(workDir), 'services.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  try {
    fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const raw = fs.readFileSync(lock, 'utf8');
    // Empty: its creator has not written its pid yet.
    if (raw === '' || isAlive(Number(raw))) return undefined;
    fs.rmSync(lock, { force: true });
    return takeStartLock(workDir);
  }
  return () => fs.rmSync(lock, { force: true });
}

/** The recorded services if their host is alive and DynamoDB Local answers; a dead host's record is removed. */
export async function runningServices(
  workDir: string,
  say: Say = silent,
): Promise<LocalServices | undefined> {
  const services = await readOrCleanUp(workDir, say);
  if (!services) return undefined;
  if (!isAlive(services.pid)) {
    const orphans = orphansOf(workDir, services.pid);
    if (orphans.length > 0) {
      await stopHostAndOrphans(workDir, services.pid);
      say(
        `the local services host (pid ${services.pid}) had died and left pid ${orphans.join(', ')} running: stopped`,
      );
    }
    fs.rmSync(servicesFile(workDir), { force: true });
    return undefined;
  }
  if (!(await dynamoDbAnswers(services.dynamoDbEndpoint))) {
    throw new LocalServicesUnavailableError(
      `local services of ${workDir} (pid ${services.pid}) do not answer at ${services.dynamoDbEndpoint}; run \`svm-migrate local down\``,
    );
  }
  return services;
}

/** Stops the host (and with it the JVM and the clusters); false when nothing ran. */
export async function stopLocalServices(workDir: string, say: Say = silent): Promise<boolean> {
  const services = await readOrCleanUp(workDir, say);
  // Without a record, the host.pid of a host that is starting, or died leaving its JVM.
  const pid = services?.pid ?? recordedHostPid(workDir);
  if (pid === undefined) return false;
  const ran = services !== undefined || isAlive(pid) || orphansOf(workDir, pid).length > 0;
  if (ran) await stopHostAndOrphans(workDir, pid);
  else removeHostPid(workDir, pid);
  fs.rmSync(servicesFile(workDir), { force: true });
  return ran;
}

async function startServicesHost(
  workDir: string,
  options: ServicesHostOptions,
  say: Say,
): Promise<LocalServices> {
  // A host that died before recording its services may have left its JVM on the same files.
  const previous = recordedHostPid(workDir);
  if (previous !== undefined && !isAlive(previous)) {
    const orphans = orphansOf(workDir, previous);
    if (orphans.length > 0)
      say(`an earlier local services host (pid ${previous}) left pid ${orphans.join(', ')} running: stopped`);
    await stopHostAndOrphans(workDir, previous);
  }
  const dir = localStateDir(workDir);
  fs.mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, 'services.log');
  const log = fs.openSync(logFile, 'a');
  const args = [
    '--work-dir',
    workDir,
    ...(options.linkBandwidth !== undefined ? ['--link-bandwidth', String(options.linkBandwidth)] : []),
    ...(options.seed !== undefined ? ['--seed', String(options.seed)] : []),
    ...(options.volumes !== undefined ? ['--volumes', String(options.volumes)] : []),
    ...(options.fileBytes !== undefined ? ['--file-bytes', String(options.fileBytes)] : []),
  ];
  // Its own process group (detached), so `local down` can stop it and the JVM it spawned together.
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), HOST_ENTRY, ...args], {
    cwd: workDir,
    detached: true,
    stdio: ['ignore', log, log, 'ipc'],
    // The SDK's Node 20 end-of-support notice: the host only talks to DynamoDB Local.
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  fs.closeSync(log);
  try {
    const message = await firstMessage<HostMessage>(
      child,
      START_TIMEOUT_MS,
      `local services (log: ${logFile})`,
    );
    if ('failed' in message)
      throw new LocalServicesUnavailableError(
        `local services did not start: ${message.failed} (log: ${logFile})`,
      );
    return message.ready;
  } catch (err) {
    if (child.pid !== undefined && isAlive(child.pid)) signalGroup(child.pid, 'SIGKILL');
    throw err instanceof LocalServicesUnavailableError
      ? err
      : new LocalServicesUnavailableError((err as Error).message);
  } finally {
    // The host outlives this command: let go of it.
    if (child.connected) child.disconnect();
    child.unref();
  }
}

/** The first IPC message of a child started with an 'ipc' channel, or why it never came. */
export function firstMessage<T>(
  child: ReturnType<typeof spawn>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`${what} did not answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const onMessage = (message: unknown) => done(undefined, message as T);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      done(new Error(`${what} exited (${signal ?? `code ${code}`}) before answering`));
    const done = (err?: Error, value?: T) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(value as T);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

async function dynamoDbAnswers(endpoint: string): Promise<boolean> {
  const client = dynamoDbClient(endpoint);
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(5000) });
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pid: number, name: NodeJS.Signals): void {
  signal(-pid, name);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
