// Runs a simulated cluster as a child process (sim/main.ts through tsx), so a test can
// kill -9 it and start it again from its data dir.
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import type { ClusterAddress } from '../../sim/pair';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

export interface ClusterProcess {
  address: ClusterAddress;
  child: ChildProcess;
  /** SIGKILL, and resolves once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (graceful), and resolves once the process is gone. */
  stop(): Promise<void>;
}

export function spawnCluster(name: string, dataDir: string, extra: string[] = []): Promise<ClusterProcess> {
  // tsx runs the script in a node child of its own: the signal goes to the whole process
  // group, or kill -9 would leave the real server running.
  const child = spawn(TSX, ['sim/main.ts', '--cluster', name, '--data-dir', dataDir, ...extra], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = (signal: NodeJS.Signals) => async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid as number), signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.trim().startsWith('{'));
      if (line)
        resolve({
          address: JSON.parse(line) as ClusterAddress,
          child,
          kill9: end('SIGKILL'),
          stop: end('SIGTERM'),
        });
    });
    child.once('exit', (code) =>
      reject(new Error(`cluster ${name} exited with ${code} before starting: ${err}`)),
    );
  });
}
