// Runs one execution of the local state machine in a process of its own, against clusters and
// a DynamoDB Local that another process runs. Crash tests start it as a child, kill it -9
// mid-phase, and continue the migration from DynamoDB in a fresh execution elsewhere.
//   node --import tsx local/run-execution.ts < request.json
// The request (JSON on stdin, so cluster credentials never show in a process list) is a
// RunExecutionRequest; stdout gets one JSON line when the execution starts and one when it ends.
import type { ExecutionInput } from '../lambdas/input';
import { type LocalClusters, type LocalEnvironmentOptions, startLocalEnvironment } from './environment';

export interface RunExecutionRequest {
  /** The work dir of the process that watches this one: executions are recorded there, so it can tell this one died. */
  workDir: string;
  clusters: LocalClusters;
  dynamoDbEndpoint: string;
  tableName: string;
  input: Partial<ExecutionInput> & Pick<ExecutionInput, 'source' | 'destination'>;
  name?: string;
  context?: LocalEnvironmentOptions['context'];
  tunables?: LocalEnvironmentOptions['tunables'];
  overrides?: LocalEnvironmentOptions['overrides'];
  ontap?: LocalEnvironmentOptions['ontap'];
}

/** What this process prints, one JSON object per line. */
export type RunExecutionReport =
  | { started: { executionArn: string } }
  | { result: { status: string; error?: string } };

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

async function main(): Promise<void> {
  const request = JSON.parse(await readStdin()) as RunExecutionRequest;
  const env = await startLocalEnvironment({
    workDir: request.workDir,
    clusters: request.clusters,
    dynamoDbEndpoint: request.dynamoDbEndpoint,
    tableName: request.tableName,
    context: request.context,
    tunables: request.tunables,
    overrides: request.overrides,
    ontap: request.ontap,
    logLevel: 'SILENT',
  });
  const report = (line: RunExecutionReport) => process.stdout.write(`${JSON.stringify(line)}\n`);
  try {
    const execution = env.start(request.input, request.name);
    report({ started: { executionArn: execution.executionArn } });
    const result = await execution.result;
    report({ result: { status: result.status, ...(result.error && { error: result.error }) } });
  } finally {
    await env.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`run-execution: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
