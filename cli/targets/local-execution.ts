// Process entry that runs one local execution (started detached by the local target, as
// Step Functions runs an execution apart from whoever called StartExecution): the synthesized
// state machine over the work dir's running services, until the execution and every execution
// it continued as have ended. The starting command learns the outcome of the start over IPC.
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { startLocalEnvironment } from '../../local/environment';
import { ExecutionAlreadyExistsError } from '../../local/executions';
import type { RunnerOverrides } from '../../local/runner';
import { readServices } from '../../local/services';

/** What the starting command is told: started, the name is taken (with the execution holding it), or failed. */
export type ExecutionProcessMessage =
  | { started: { executionArn: string; name: string; startDate: string } }
  | { alreadyExists: { executionArn: string } }
  | { failed: string };

/** The local poll interval: the deployed default (30 s) is far too slow against the simulator. */
const DEFAULT_POLL_SECONDS = 1;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'work-dir': { type: 'string' }, name: { type: 'string' }, 'input-file': { type: 'string' } },
  });
  const workDir = values['work-dir'];
  const name = values.name;
  const inputFile = values['input-file'];
  if (!workDir || !name || inputFile === undefined)
    throw new Error('--work-dir, --name and --input-file are required');
  const input: unknown = JSON.parse(fs.readFileSync(inputFile, 'utf8'));
  const services = readServices(workDir);
  if (!services) throw new Error(`no local services recorded in ${workDir}`);

  const env = await startLocalEnvironment({
    workDir,
    clusters: services.clusters,
    dynamoDbEndpoint: services.dynamoDbEndpoint,
    tableName: services.tableName,
    tunables: {
      pollIntervalSeconds: numberFromEnv('SVM_MIGRATE_LOCAL_POLL_SECONDS') ?? DEFAULT_POLL_SECONDS,
    },
    overrides: testOverrides(),
    logLevel: 'INFO',
  });
  try {
    let executionArn: string;
    try {
      const execution = env.machine.start({ name, input });
      executionArn = execution.executionArn;
    } catch (err) {
      if (!(err instanceof ExecutionAlreadyExistsError)) throw err;
      const stateMachine = env.machine.stateMachineArn;
      await report({
        alreadyExists: { executionArn: `${stateMachine.replace(':stateMachine:', ':execution:')}:${name}` },
      });
      return;
    }
    const startDate = env.registry.describe(executionArn)?.startTime ?? new Date().toISOString();
    await report({ started: { executionArn, name, startDate } });
    await env.machine.waitForChain(executionArn);
  } finally {
    await env.stop();
  }
}

/** Shorter waits and retry intervals: set by the CLI's tests only. */
function testOverrides(): RunnerOverrides | undefined {
  const waitSeconds = numberFromEnv('SVM_MIGRATE_LOCAL_WAIT_SECONDS');
  const retryIntervalMs = numberFromEnv('SVM_MIGRATE_LOCAL_RETRY_INTERVAL_MS');
  if (waitSeconds === undefined && retryIntervalMs === undefined) return undefined;
  return {
    ...(waitSeconds !== undefined && { waitSeconds }),
    ...(retryIntervalMs !== undefined && { retryIntervalMs }),
  };
}

function numberFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${raw}: must be a number, 0 or more`);
  return n;
}

async function report(message: ExecutionProcessMessage): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) return;
  await new Promise<void>((resolve) => send(message, undefined, {}, () => resolve()));
  // The execution outlives the command that started it.
  process.disconnect();
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    process.stderr.write(`svm-migrate execution: ${(err as Error).stack ?? String(err)}\n`);
    await report({ failed: (err as Error).message }).catch(() => undefined);
    process.exit(1);
  },
);
