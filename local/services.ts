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

export function readServices(workDir: string): LocalServices | undefined {
  try {
    return JSON.parse(fs.readFileSync(servicesFile(workDir), 'utf8')) as LocalServices;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
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
export async function ensureLocalServices(workDir: string, options: ServicesHostOptions = {}): Promise<{ services: LocalServices; started: boolean }> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const running = await runningServices(workDir);
    if (running) return { services: running, started: false };
    const release = takeStartLock(workDir);
    if (release) {
      try {
        return { services: (await runningServices(workDir)) ?? (await startServicesHost(workDir, options)), started: true };
      } finally {
        release();
      }
    }
    if (Date.now() > deadline) throw new LocalServicesUnavailableError(`another command has been starting the local services of ${workDir} for ${START_TIMEOUT_MS / 1000} s`);
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
export async function runningServices(workDir: string): Promise<LocalServices | undefined> {
  const services = readServices(workDir);
  if (!services) return undefined;
  if (!isAlive(services.pid)) {
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
export async function stopLocalServices(workDir: string): Promise<boolean> {
  const services = readServices(workDir);
  if (!services) return false;
  if (isAlive(services.pid)) {
    signalGroup(services.pid, 'SIGTERM');
    if (!(await waitUntil(() => !isAlive(services.pid), STOP_TIMEOUT_MS))) {
      signalGroup(services.pid, 'SIGKILL');
      await waitUntil(() => !isAlive(services.pid), STOP_TIMEOUT_MS);
    }
  }
  fs.rmSync(servicesFile(workDir), { force: true });
  return true;
}

async function startServicesHost(workDir: string, options: ServicesHostOptions): Promise<LocalServices> {
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
    const message = await firstMessage<HostMessage>(child, START_TIMEOUT_MS, `local services (log: ${logFile})`);
    if ('failed' in message) throw new LocalServicesUnavailableError(`local services did not start: ${message.failed} (log: ${logFile})`);
    return message.ready;
  } catch (err) {
    if (child.pid !== undefined && isAlive(child.pid)) signalGroup(child.pid, 'SIGKILL');
    throw err instanceof LocalServicesUnavailableError ? err : new LocalServicesUnavailableError((err as Error).message);
  } finally {
    // The host outlives this command: let go of it.
    if (child.connected) child.disconnect();
    child.unref();
  }
}

/** The first IPC message of a child started with an 'ipc' channel, or why it never came. */
export function firstMessage<T>(child: ReturnType<typeof spawn>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${what} did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
    const onMessage = (message: unknown) => done(undefined, message as T);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => done(new Error(`${what} exited (${signal ?? `code ${code}`}) before answering`));
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

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
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
