// The whole product on one machine: the synthesized state machine run by the local runner,
// every task mapped to its real handler, DynamoDB Local and two simulated ONTAP clusters.
// `npm start`, the CLI's local target and every end-to-end test start it the same way.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type ClusterConnection, StaticConfigSource, type Tunables } from '../lambdas/config';
import type { Dependencies, ExecutionControl } from '../lambdas/domain/migration/dependencies';
import { ClusterConnections } from '../lambdas/handlers/cluster-connections';
import { createHandlers, type TaskHandlers } from '../lambdas/handlers/index';
import { createLogger, type TaskLogLevel } from '../lambdas/handlers/logger';
import { createMetrics } from '../lambdas/handlers/metrics';
import type { HandlerContext } from '../lambdas/handlers/task';
import type { ExecutionInput } from '../lambdas/input';
import { RecordingNotifier } from '../lambdas/notifications';
import { MigrationStore } from '../lambdas/state/migration-store';
import { type DemoSize, seedDemo } from '../sim/demo';
import { type StartPairOptions, startClusterPair } from '../sim/pair';
import type { RunningCluster } from '../sim/server';
import { type AslDefinition, synthesizeDefinition } from './definition';
import {
  type DynamoDbLocal,
  documentClient,
  dynamoDbClient,
  ensureTable,
  startDynamoDbLocal,
} from './dynamodb-local';
import { ExecutionRegistry } from './executions';
import { type Execution, LocalStateMachine, type RunnerOverrides } from './runner';

export const LOCAL_TABLE = 'svm-migrate-local';

/** What the environment needs to know of a simulated cluster to reach its API and its control port. */
export type ClusterAddress = Pick<
  RunningCluster,
  'name' | 'baseUrl' | 'controlUrl' | 'username' | 'password'
> &
  Partial<Pick<RunningCluster, 'ca' | 'caFile'>>;

export interface LocalClusters {
  source: ClusterAddress;
  destination: ClusterAddress;
}

export interface LocalEnvironmentOptions {
  /** Holds `.svm-migrate/` (executions, DynamoDB Local's data, the clusters' data). */
  workDir: string;
  /** Seed the demo SVM on the source cluster (8 volumes, or the size given). */
  demo?: boolean | DemoSize;
  /**
   * Clusters already running (another process's, or a test's that outlives this environment):
   * used as they are, neither started, seeded nor stopped here.
   */
  clusters?: LocalClusters;
  /** Context overrides for the synthesized stack (Retry knobs, tunables' defaults). */
  context?: Record<string, unknown>;
  /** Run-time tunables over the synthesized defaults (tests shorten the poll interval). */
  tunables?: Partial<Tunables>;
  /** Shorter waits and retry intervals: tests only. */
  overrides?: RunnerOverrides;
  /** The simulator's settings (link bandwidth, takeover delay, seed...). */
  sim?: Omit<StartPairOptions, 'dataDir' | 'demo'>;
  /** DynamoDB Local in memory instead of in the work dir (tests). */
  inMemoryDb?: boolean;
  /** An already running DynamoDB Local (jest's global one). */
  dynamoDbEndpoint?: string;
  /**
   * Where the tasks reach that DynamoDB, when not directly: a loopback proxy that can fail their
   * requests (chaos runs). The environment's own store (the operator's) stays direct.
   */
  taskDynamoDbEndpoint?: string;
  tableName?: string;
  /** Task log lines: silent unless asked (the demo prints its own progress). */
  logLevel?: TaskLogLevel;
  /** ONTAP client settings (tests shorten job polling). */
  ontap?: { timeoutMs?: number; jobPollMs?: number; jobTimeoutMs?: number; returnTimeoutSeconds?: number };
}

/** The handlers the runner invokes, and what they were built from. */
export interface LocalTasks {
  context: HandlerContext;
  handlers: TaskHandlers;
}

export interface LocalEnvironment {
  clusters: LocalClusters;
  /** The resolved definition the runner executes. */
  definition: AslDefinition;
  store: MigrationStore;
  machine: LocalStateMachine;
  registry: ExecutionRegistry;
  tunables: Tunables;
  dependencies: Dependencies;
  /** The tasks' handlers now, and their context (built on `dependencies`, unless replaced by useTasks). */
  readonly tasks: LocalTasks;
  /**
   * Runs the tasks on what `wrap` makes of the current ones (chaos hooks, fencing) from their next
   * invocation on, until the returned function is called.
   */
  useTasks(wrap: (current: LocalTasks) => LocalTasks): () => void;
  /** What the tasks would have published on EventBridge. */
  notifier: RecordingNotifier;
  /** Starts an execution, as the console or EventBridge would, with this input. */
  start(
    input: Partial<ExecutionInput> & Pick<ExecutionInput, 'source' | 'destination'>,
    name?: string,
  ): Execution;
  stop(): Promise<void>;
}

export async function startLocalEnvironment(options: LocalEnvironmentOptions): Promise<LocalEnvironment> {
  const stateDir = path.join(options.workDir, '.svm-migrate');
  fs.mkdirSync(stateDir, { recursive: true });
  const resolved = synthesizeDefinition({ context: options.context });
  const tunables: Tunables = { ...pickTunables(resolved.tunables), ...options.tunables };

  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
  };
  try {
    const clusters = options.clusters ?? (await startClusters(options, stateDir, started));

    let endpoint = options.dynamoDbEndpoint;
    if (!endpoint) {
      const db: DynamoDbLocal = await startDynamoDbLocal(
        options.inMemoryDb ? {} : { dataDir: ensureDir(path.join(stateDir, 'dynamodb')) },
      );
      started.push(db);
      endpoint = db.endpoint;
    }
    const tableName = options.tableName ?? LOCAL_TABLE;
    await ensureTable(dynamoDbClient(endpoint), tableName);
    const store = new MigrationStore(documentClient(endpoint), tableName);

    const connections: Record<string, ClusterConnection> = {};
    for (const c of [clusters.source, clusters.destination])
      connections[c.name] = {
        name: c.name,
        baseUrl: c.baseUrl,
        username: c.username,
        password: c.password,
        ...(c.ca && { ca: c.ca }),
      };
    const config = new StaticConfigSource(tunables, connections);
    // The handlers' own logger: the demo prints its own progress, so tasks log only when asked.
    const logger = createLogger(options.logLevel ?? 'SILENT');
    const ontap = new ClusterConnections(config, logger, options.ontap);
    started.push({ stop: async () => ontap.close() });

    const registry = new ExecutionRegistry({ root: options.workDir });
    // The tasks start fresh executions (continue-as-new) on the machine built below, on their handlers.
    const executions: ExecutionControl = {
      isRunning: async (executionArn) => registry.isRunning(executionArn),
      start: async (name, input) => machine.start({ name, input }).executionArn,
    };
    const notifier = new RecordingNotifier();
    const taskStore = options.taskDynamoDbEndpoint
      ? new MigrationStore(documentClient(options.taskDynamoDbEndpoint), tableName)
      : store;
    const dependencies: Dependencies = {
      store: taskStore,
      config,
      connect: ontap.connect,
      executions,
      notifier,
      now: () => new Date(),
      logger,
    };
    const context: HandlerContext = { dependencies, metrics: createMetrics(logger) };
    let tasks: LocalTasks = { context, handlers: createHandlers(context) };
    const machine = new LocalStateMachine({
      definition: resolved.definition as ConstructorParameters<typeof LocalStateMachine>[0]['definition'],
      functions: resolved.functions,
      handlers: tasks.handlers,
      overrides: options.overrides,
      registry,
    });

    return {
      clusters,
      definition: resolved.definition,
      store,
      machine,
      registry,
      tunables,
      dependencies,
      get tasks() {
        return tasks;
      },
      useTasks(wrap) {
        const previous = tasks;
        const next = wrap(previous);
        const restoreHandlers = machine.useHandlers(next.handlers);
        tasks = next;
        return () => {
          restoreHandlers();
          tasks = previous;
        };
      },
      notifier,
      start: (input, name) => machine.start({ name, input }),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function startClusters(
  options: LocalEnvironmentOptions,
  stateDir: string,
  started: { stop(): Promise<void> }[],
): Promise<LocalClusters> {
  const pair = await startClusterPair({ ...options.sim, dataDir: path.join(stateDir, 'clusters') });
  started.push(pair);
  if (options.demo) await seedDemo(pair.source, options.sim?.seed, options.demo === true ? {} : options.demo);
  return pair;
}

function ensureDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function pickTunables(t: Tunables): Tunables {
  return {
    retryMaxAttempts: t.retryMaxAttempts,
    pollIntervalSeconds: t.pollIntervalSeconds,
    pollIterationCap: t.pollIterationCap,
    restartLimit: t.restartLimit,
    relocationLimit: t.relocationLimit,
    lagThresholdSeconds: t.lagThresholdSeconds,
    volumeConcurrency: t.volumeConcurrency,
    leaseSeconds: t.leaseSeconds,
  };
}
