// bench:scale — migrations of the demo SVM with 8, 100, 400 and 1,000 volumes (small files), one
// after the other in one run, each on fresh simulated clusters, with a client writing and reading
// files all along. For each it prints what grows with the volume count: the cut-over window the
// client saw, the state transitions, the Lambda invocations, the ONTAP calls, the DynamoDB
// requests and the capacity units they consumed, and the wall time; then a cost model from those
// counts and AWS list prices.
//   npm run bench:scale -- [--volumes 8,100,400,1000] [--json]
//
// How each figure is counted, with nothing mocked:
// - transitions and invocations: the local runner's execution history (states entered; task
//   states entered plus their retries), as Step Functions bills and Lambda invokes them;
// - ONTAP calls: every HTTP request this process sends to a cluster's API port (node's
//   `http.client.request.start` diagnostics channel: the ONTAP client uses node:http(s));
// - DynamoDB: the tasks reach DynamoDB Local through a loopback proxy that asks every request
//   for its consumed capacity (ReturnConsumedCapacity: TOTAL) and adds it up;
// - the window: the longest interval in which the client found no cluster serving the SVM.
import '../local/polyfill';
import * as diagnostics from 'node:diagnostics_channel';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClientWorkload } from '../chaos/workload';
import { CONTEXT_PREFIX } from '../lib/config';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { startLocalEnvironment } from '../local/environment';
import type { ExecutionEvent } from '../local/executions';
import { DEMO_SVM, demoVolumeNames } from '../sim/demo';
import { DESTINATION_NAME, SOURCE_NAME } from '../sim/pair';

const DEFAULT_VOLUMES = [8, 100, 400, 1000];
const FILE_BYTES = 64;
/** The client uses the first few volumes: enough to see the window, light at any count. */
const CLIENT_VOLUMES = 8;
/** Polls every second, as `npm start` does (the deployed default is 30 s). */
const POLL_SECONDS = 1;

/** A loopback HTTP proxy in front of DynamoDB Local that counts requests and consumed capacity. */
interface MeteredRequest {
  at: number;
  operation: string;
  read: number;
  write: number;
}

interface CapacityMeter {
  endpoint: string;
  /** Every request since the last reset, with when it was answered and what it consumed. */
  log: MeteredRequest[];
  reset(): void;
  close(): Promise<void>;
}

async function startCapacityMeter(target: string): Promise<CapacityMeter> {
  const upstream = new URL(target);
  let log: MeteredRequest[] = [];
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const operation =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '?';
      let body = Buffer.concat(chunks);
      // DynamoDB Local does not check signatures: the rewritten body is served as it would be.
      try {
        const json = JSON.parse(body.toString('utf8'));
        if (CAPACITY_OPERATIONS.has(operation)) json.ReturnConsumedCapacity = 'TOTAL';
        body = Buffer.from(JSON.stringify(json));
      } catch {
        // not JSON: forwarded as it is
      }
      const headers = { ...req.headers, 'content-length': String(body.length), host: upstream.host };
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            const text = Buffer.concat(parts);
            const entry: MeteredRequest = { at: Date.now(), operation, read: 0, write: 0 };
            try {
              const json = JSON.parse(text.toString('utf8'));
              const consumed = (
                [] as { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number }[]
              ).concat(json.ConsumedCapacity ?? []);
              for (const c of consumed) {
                const units = c.CapacityUnits ?? 0;
                if (WRITES.has(operation)) entry.write += c.WriteCapacityUnits ?? units;
                else entry.read += c.ReadCapacityUnits ?? units;
              }
            } catch {
              // not JSON
            }
            log.push(entry);
            res.writeHead(answer.statusCode ?? 500, answer.headers);
            res.end(text);
          });
        },
      );
      forward.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get log() {
      return log;
    },
    reset() {
      log = [];
    },
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const CAPACITY_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/** Counts the HTTP requests this process sends to the given ports (the clusters' APIs). */
function countRequestsTo(ports: Set<number>): { count(): number; stop(): void } {
  let n = 0;
  const listener = (message: unknown) => {
    const request = (message as { request: http.ClientRequest }).request;
    const host = String(request.getHeader('host') ?? '');
    const port = Number(host.split(':').pop());
    if (ports.has(port) && request.path.startsWith('/api/')) n++;
  };
  diagnostics.subscribe('http.client.request.start', listener);
  return { count: () => n, stop: () => diagnostics.unsubscribe('http.client.request.start', listener) };
}

export interface ScaleFigures {
  volumes: number;
  outcome: string;
  /** The longest time the client found no cluster serving the SVM (ms). */
  windowMs: number;
  /** PreCommit entered to Commit exited (ms): the cut-over's own steps. */
  cutoverStepsMs: number;
  transitions: number;
  polls: number;
  invocations: number;
  /** Sum of the task invocations' durations (s), for GB-seconds. */
  taskSeconds: number;
  ontapCalls: number;
  dynamoRequests: number;
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
  /** Bytes the tasks logged at INFO (CloudWatch Logs ingestion of the functions). */
  logBytes: number;
  /** One transfer poll's share: what grows with the transfer's duration. */
  perPoll: {
    transitions: number;
    invocations: number;
    taskSeconds: number;
    readUnits: number;
    writeUnits: number;
    logBytes: number;
  };
  wallSeconds: number;
}

const POLL_STATES = new Set(['WaitForTransfer', 'PollTransfer', 'TransferStatus']);

async function migrate(volumes: number, dynamoDbEndpoint: string): Promise<ScaleFigures> {
  const workDir = fs.mkdtempSync(
    path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'svm-bench-'),
  );
  const meter = await startCapacityMeter(dynamoDbEndpoint);
  const env = await startLocalEnvironment({
    workDir,
    demo: { volumes, fileBytes: FILE_BYTES },
    tunables: { pollIntervalSeconds: POLL_SECONDS },
    dynamoDbEndpoint,
    taskDynamoDbEndpoint: meter.endpoint,
    tableName: `svm-bench-${volumes}-${process.pid}`,
    logLevel: 'INFO',
  });
  const ports = new Set(
    [env.clusters.source, env.clusters.destination].map((c) => Number(new URL(c.baseUrl).port)),
  );
  const ontap = countRequestsTo(ports);
  const logs = captureLogLines();
  meter.reset();
  const clusters = [env.clusters.source, env.clusters.destination];
  const client = new ClientWorkload({
    svm: DEMO_SVM,
    volumes: demoVolumeNames(volumes).slice(0, CLIENT_VOLUMES),
    clusters,
    seed: volumes,
    run: `bench ${volumes}`,
    intervalMs: 20,
  }).start();
  try {
    const migrating = performance.now();
    const execution = env.start({
      source: { cluster: SOURCE_NAME, svm: DEMO_SVM },
      destination: { cluster: DESTINATION_NAME },
    });
    const result = await execution.result;
    const wallSeconds = (performance.now() - migrating) / 1000;
    const seen = await client.stop();
    logs.stop();
    const history = execution.events;
    const entered = history.filter((e) => e.type === 'StateEntered');
    const tasks = entered.filter((e) => e.stateType === 'Task');
    const retries = history.filter((e) => e.type === 'StateRetried').length;
    const polls = intervalsOf(history, 'PollTransfer');
    const inPolls = (at: number) => polls.some(([from, to]) => at >= from && at <= to);
    const pollRequests = meter.log.filter((r) => inPolls(r.at));
    const n = Math.max(polls.length, 1);
    const sum = (rs: MeteredRequest[], key: 'read' | 'write') => rs.reduce((a, r) => a + r[key], 0);
    return {
      volumes,
      outcome: result.status,
      windowMs: seen.longestUnavailableMs,
      cutoverStepsMs: between(history, 'PreCommit', 'Commit'),
      transitions: entered.length,
      polls: polls.length,
      invocations: tasks.length + retries,
      taskSeconds: taskSeconds(history),
      ontapCalls: ontap.count(),
      dynamoRequests: meter.log.length,
      dynamoReadUnits: sum(meter.log, 'read'),
      dynamoWriteUnits: sum(meter.log, 'write'),
      logBytes: logs.bytes(),
      perPoll: {
        transitions: POLL_STATES.size,
        invocations: 1,
        taskSeconds: polls.reduce((a, [from, to]) => a + (to - from), 0) / 1000 / n,
        readUnits: sum(pollRequests, 'read') / n,
        writeUnits: sum(pollRequests, 'write') / n,
        logBytes: logs.bytesWithin(polls) / n,
      },
      wallSeconds: Number(wallSeconds.toFixed(1)),
    };
  } finally {
    logs.stop();
    ontap.stop();
    await env.stop();
    await meter.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** When each entry of `state` ran: [entered, exited or failed] in ms since the epoch. */
function intervalsOf(history: readonly ExecutionEvent[], state: string): [number, number][] {
  const spans: [number, number][] = [];
  let from: number | undefined;
  for (const e of history) {
    if (e.state !== state) continue;
    if (e.type === 'StateEntered') from = Date.parse(e.timestamp);
    else if ((e.type === 'StateExited' || e.type === 'StateFailed') && from !== undefined) {
      spans.push([from, Date.parse(e.timestamp)]);
      from = undefined;
    }
  }
  return spans;
}

/** The tasks' log lines (Powertools writes to stdout, and WARN and ERROR to stderr): counted, with when, and kept off the terminal. */
function captureLogLines(): {
  bytes(): number;
  bytesWithin(spans: [number, number][]): number;
  stop(): void;
} {
  const lines: { at: number; bytes: number }[] = [];
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write.bind(stream));
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push({ at: Date.now(), bytes: Buffer.byteLength(chunk) });
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  }
  let stopped = false;
  return {
    bytes: () => lines.reduce((a, l) => a + l.bytes, 0),
    bytesWithin: (spans) =>
      lines
        .filter((l) => spans.some(([from, to]) => l.at >= from && l.at <= to))
        .reduce((a, l) => a + l.bytes, 0),
    stop: () => {
      if (stopped) return;
      stopped = true;
      streams.forEach((stream, i) => {
        stream.write = writes[i];
      });
    },
  };
}

/** Entered `from` to exited `to`, in ms (0 when either is missing). */
function between(history: readonly ExecutionEvent[], from: string, to: string): number {
  const start = history.find((e) => e.type === 'StateEntered' && e.state === from);
  const end = [...history].reverse().find((e) => e.type === 'StateExited' && e.state === to);
  return start && end ? Date.parse(end.timestamp) - Date.parse(start.timestamp) : 0;
}

function taskSeconds(history: readonly ExecutionEvent[]): number {
  let total = 0;
  const open = new Map<string, number>();
  for (const e of history) {
    if (e.stateType !== 'Task' && !open.has(e.state ?? '')) continue;
    if (e.type === 'StateEntered') open.set(e.state ?? '', Date.parse(e.timestamp));
    if ((e.type === 'StateExited' || e.type === 'StateFailed') && open.has(e.state ?? '')) {
      total += Date.parse(e.timestamp) - (open.get(e.state ?? '') ?? 0);
      open.delete(e.state ?? '');
    }
  }
  return total / 1000;
}

// ---- cost model ----

/** AWS list prices, us-east-1: Standard workflows, Lambda (x86), DynamoDB on demand, CloudWatch Logs ingestion. */
const PRICES = {
  transition: 0.025 / 1000,
  lambdaRequest: 0.2 / 1_000_000,
  lambdaGbSecond: 0.0000166667,
  writeRequestUnit: 0.625 / 1_000_000,
  readRequestUnit: 0.125 / 1_000_000,
  logGb: 0.5,
};
/**
 * The state machine logs every event with its data (LogLevel.ALL): two events per transition, at
 * about this many bytes each with the migration's small payloads (an estimate: not measured here).
 */
const STATE_MACHINE_LOG_BYTES_PER_TRANSITION = 2 * 1000;
const MODEL_VOLUMES = [8, 400, 10_000];
const MODEL_TRANSFERS = [
  { label: '10 min', seconds: 600 },
  { label: '2 h', seconds: 7200 },
];

interface Usage {
  transitions: number;
  invocations: number;
  taskSeconds: number;
  readUnits: number;
  writeUnits: number;
  logBytes: number;
}

const usageKeys: (keyof Usage)[] = [
  'transitions',
  'invocations',
  'taskSeconds',
  'readUnits',
  'writeUnits',
  'logBytes',
];

function costOf(u: Usage, memoryMb: number): Record<string, number> {
  return {
    'Step Functions': u.transitions * PRICES.transition,
    'Lambda requests': u.invocations * PRICES.lambdaRequest,
    'Lambda GB-s': u.taskSeconds * (memoryMb / 1024) * PRICES.lambdaGbSecond,
    DynamoDB: u.writeUnits * PRICES.writeRequestUnit + u.readUnits * PRICES.readRequestUnit,
    Logs: ((u.logBytes + u.transitions * STATE_MACHINE_LOG_BYTES_PER_TRANSITION) / 1e9) * PRICES.logGb,
  };
}

/** What a migration uses apart from its transfer polls, and what each poll adds. */
function split(f: ScaleFigures): { fixed: Usage; perPoll: Usage } {
  const perPoll: Usage = { ...f.perPoll };
  const total: Usage = {
    transitions: f.transitions,
    invocations: f.invocations,
    taskSeconds: f.taskSeconds,
    readUnits: f.dynamoReadUnits,
    writeUnits: f.dynamoWriteUnits,
    logBytes: f.logBytes,
  };
  const fixed = Object.fromEntries(
    usageKeys.map((k) => [k, Math.max(0, total[k] - f.polls * perPoll[k])]),
  ) as unknown as Usage;
  return { fixed, perPoll };
}

/** Least squares a + b*v over the measured counts, per usage figure (exact at a measured count). */
function usageAt(
  volumes: number,
  figures: ScaleFigures[],
  part: 'fixed' | 'perPoll',
): { usage: Usage; measured: boolean } {
  const exact = figures.find((f) => f.volumes === volumes);
  if (exact) return { usage: split(exact)[part], measured: true };
  const xs = figures.map((f) => f.volumes);
  const usage = Object.fromEntries(
    usageKeys.map((k) => {
      const ys = figures.map((f) => split(f)[part][k]);
      return [k, Math.max(0, linearFit(xs, ys)(volumes))];
    }),
  ) as unknown as Usage;
  return { usage, measured: false };
}

function linearFit(xs: number[], ys: number[]): (x: number) => number {
  const n = xs.length;
  if (n === 1) return (x) => (ys[0] * x) / xs[0];
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const b = sxx === 0 ? 0 : xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / sxx;
  return (x) => my + b * (x - mx);
}

function costModel(figures: ScaleFigures[], memoryMb: number, pollSeconds: number): string {
  const lines = [
    `Cost per migration (AWS list prices, us-east-1; ${memoryMb} MB functions; a transfer poll every ${pollSeconds} s as deployed):`,
  ];
  const header = [
    'volumes',
    'transfer',
    'polls',
    'Step Functions',
    'Lambda requests',
    'Lambda GB-s',
    'DynamoDB',
    'Logs',
    'total',
    '',
  ];
  const rows: string[][] = [];
  for (const volumes of MODEL_VOLUMES) {
    const fixed = usageAt(volumes, figures, 'fixed');
    const perPoll = usageAt(volumes, figures, 'perPoll');
    for (const transfer of MODEL_TRANSFERS) {
      const polls = Math.ceil(transfer.seconds / pollSeconds);
      const usage = Object.fromEntries(
        usageKeys.map((k) => [k, fixed.usage[k] + polls * perPoll.usage[k]]),
      ) as unknown as Usage;
      const cost = costOf(usage, memoryMb);
      const total = Object.values(cost).reduce((a, b) => a + b, 0);
      rows.push([
        String(volumes),
        transfer.label,
        String(polls),
        ...Object.values(cost).map(dollars),
        dollars(total),
        fixed.measured ? 'measured' : 'extrapolated',
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  lines.push(line(header), ...rows.map(line));
  const growth = figures
    .map((f) => `${f.volumes}: ${f.perPoll.writeUnits.toFixed(1)} WCU, ${f.perPoll.readUnits.toFixed(1)} RCU`)
    .join('; ');
  lines.push(
    `DynamoDB units per transfer poll (the term that grows with volumes times duration when it grows with volumes): ${growth}`,
  );
  return lines.join('\n');
}

const dollars = (n: number) => `$${n < 0.0001 ? n.toExponential(1) : n.toFixed(4)}`;

function main(): void {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const at = args.indexOf('--volumes');
  const counts = at >= 0 ? parseCounts(args[at + 1]) : DEFAULT_VOLUMES;
  void run(counts, json);
}

function parseCounts(text: string | undefined): number[] {
  const counts = (text ?? '').split(',').map((s) => Number(s.trim()));
  if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n < 1 || n > 20_000)) {
    process.stderr.write(
      `--volumes: expected a comma-separated list of whole numbers from 1 to 20000, got ${JSON.stringify(text ?? '')}\n`,
    );
    process.exit(2);
  }
  return counts;
}

async function run(counts: number[], json: boolean): Promise<void> {
  const cdk = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const memoryMb = Number(cdk.context[`${CONTEXT_PREFIX}functionMemoryMb`]);
  const db = await startDynamoDbLocal();
  const figures: ScaleFigures[] = [];
  try {
    for (const volumes of counts) {
      const f = await migrate(volumes, db.endpoint);
      figures.push(f);
      if (!json) process.stdout.write(`${describe(f)}\n`);
    }
  } finally {
    await db.stop();
  }
  const pollSeconds = Number(cdk.context[`${CONTEXT_PREFIX}pollIntervalSeconds`]);
  if (json) process.stdout.write(`${JSON.stringify({ memoryMb, pollSeconds, prices: PRICES, figures })}\n`);
  else process.stdout.write(`\n${table(figures)}\n\n${costModel(figures, memoryMb, pollSeconds)}\n`);
}

function describe(f: ScaleFigures): string {
  return `${String(f.volumes).padStart(5)} volumes: ${f.outcome}, window ${f.windowMs} ms, ${f.transitions} transitions, ${f.invocations} invocations, ${f.ontapCalls} ONTAP calls, ${f.dynamoRequests} DynamoDB requests (${f.dynamoReadUnits.toFixed(1)} RCU, ${f.dynamoWriteUnits.toFixed(1)} WCU), ${f.wallSeconds} s`;
}

function table(figures: ScaleFigures[]): string {
  const head = [
    'volumes',
    'window ms',
    'cut-over steps ms',
    'transitions',
    'polls',
    'invocations',
    'ONTAP calls',
    'DDB requests',
    'RCU',
    'WCU',
    'wall s',
  ];
  const rows = figures.map((f) =>
    [
      f.volumes,
      f.windowMs,
      f.cutoverStepsMs,
      f.transitions,
      f.polls,
      f.invocations,
      f.ontapCalls,
      f.dynamoRequests,
      f.dynamoReadUnits.toFixed(1),
      f.dynamoWriteUnits.toFixed(1),
      f.wallSeconds,
    ].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

main();
