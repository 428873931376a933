// Issue 11: the tasks' own AWS calls throttled as AWS throttles them. The tasks read their
// tunables and the clusters' connections from SSM and keep the migrate state in DynamoDB through
// real SDK clients pointed (by endpoint override) at loopback: an SSM endpoint speaking SSM's
// protocol and a proxy before DynamoDB Local, each answering the next N requests with a
// ThrottlingException. The SDK retries on its own and gives up; the error reaches the state
// machine as a TransientError, PollTransfer is retried in place and the migration completes with
// no undo. An error no mapping covers (AccessDeniedException) is not retried: it takes
// PollTransfer's failure path, the undo and a restart.
import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmConfigSource } from '../../lambdas/config';
import { ClusterConnections } from '../../lambdas/handlers/cluster-connections';
import { createHandlers } from '../../lambdas/handlers/index';
import { logger } from '../../lambdas/handlers/logger';
import { MigrationStore } from '../../lambdas/state/migration-store';
import { documentClient, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb-local';
import { type SsmEndpoint, startSsmEndpoint } from '../infra/bundle/ssm-endpoint';
import { ENDPOINT_ENV } from '../support/global-setup';
import {
  ACCESS_DENIED,
  type FaultQueue,
  type FaultyDynamoDb,
  startFaultyDynamoDb,
  THROTTLED,
} from './aws-faults';
import {
  DEMO_SVM,
  describeRun,
  entered,
  expectMigrated,
  expectOrder,
  explained,
  filesByVolume,
  HAPPY_PATH,
  Harness,
  retriesOf,
  UNDO_STATES,
  waitFor,
} from './harness';

const PREFIX = '/svm-migrate-e2e';
/** Slow enough that the baseline is still crossing the link while the faults are answered. */
const SLOW_LINK_BYTES_PER_SEC = 256 * 1024;
/** The SDK's own attempts per call (its default): more faults than that reach the task. */
const SDK_ATTEMPTS = 3;

describe("the tasks' AWS calls throttled", () => {
  let harness: Harness;
  let dynamoDb: FaultyDynamoDb;
  let ssm: SsmEndpoint;
  let connections: ClusterConnections;
  let restoreTasks: (() => void) | undefined;

  beforeEach(async () => {
    harness = await Harness.start();
    dynamoDb = await startFaultyDynamoDb(process.env[ENDPOINT_ENV] as string);
    // The parameters the stack and the operator create: the tunables and each cluster's connection.
    const { clusters, tunables, dependencies } = harness.env;
    const parameters: Record<string, string> = {};
    for (const [name, value] of Object.entries(tunables))
      parameters[`${PREFIX}/config/${name}`] = String(value);
    for (const c of [clusters.source, clusters.destination]) {
      parameters[`${PREFIX}/clusters/${c.name}/endpoint`] = c.baseUrl;
      parameters[`${PREFIX}/clusters/${c.name}/credentials`] = JSON.stringify({
        username: c.username,
        password: c.password,
        ...(c.ca && { ca: c.ca }),
      });
    }
    ssm = await startSsmEndpoint(parameters);
    // No cache (ttl 0): every task reads SSM, as a cold container does.
    const config = new SsmConfigSource(
      new SSMClient({ endpoint: ssm.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
      PREFIX,
      0,
    );
    connections = new ClusterConnections(config, logger, { jobPollMs: 5 });
    const store = new MigrationStore(documentClient(dynamoDb.endpoint), harness.tableName);
    restoreTasks = harness.env.useTasks((current) => {
      const context = {
        ...current.context,
        dependencies: { ...dependencies, store, config, connect: connections.connect },
      };
      return { context, handlers: createHandlers(context) };
    });
  });

  afterEach(async () => {
    restoreTasks?.();
    connections?.close();
    await ssm?.stop();
    await dynamoDb?.stop();
    await harness?.stop();
  });

  /** Runs a migration whose transfer waits on a slow link until `faults` has answered `count` requests with `fault`. */
  async function migrateWithFaults(faults: () => FaultQueue, count: number, fault = THROTTLED) {
    const before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));
    await harness.destination.settings({ linkBandwidthBytesPerSec: SLOW_LINK_BYTES_PER_SEC });
    const execution = harness.start();
    // Every call in the poll loop is PollTransfer's: the faults are its.
    await waitFor('the transfer poll loop', () => entered(execution, 'PollTransfer'), 60_000);
    faults().failNext(count, fault);
    await waitFor('the faults to be answered', () => faults().left() === 0, 60_000);
    await harness.destination.settings({ linkBandwidthBytesPerSec: 0 });
    return { before, outcome: await harness.finish(execution) };
  }

  it.each([
    ['DynamoDB', SDK_ATTEMPTS + 1],
    ['DynamoDB', 3 * SDK_ATTEMPTS],
    ['SSM', SDK_ATTEMPTS + 1],
  ])(
    '%s throttling %s requests during PollTransfer is retried in place; no undo, no restart',
    async (service, throttles) => {
      // Prepare, Act
      const queue = () => (service === 'SSM' ? ssm.faults : dynamoDb.faults);
      const { before, outcome } = await migrateWithFaults(queue, throttles);
      // Assess
      await explained(
        () => `throttled: ${queue().done()}\n${describeRun(outcome)}`,
        async () => {
          const failures = outcome.history.filter(
            (e) => e.type === 'StateFailed' && e.state === 'PollTransfer',
          );
          // Each failed attempt of the task used up the SDK's own attempts first.
          expect(failures.length).toBeGreaterThanOrEqual(1);
          expect(failures.length).toBeLessThanOrEqual(Math.ceil(throttles / SDK_ATTEMPTS));
          expect(failures.map((e) => e.error)).toEqual(failures.map(() => 'TransientError'));
          expect(failures[0].cause).toContain(`${service} throttled: ThrottlingException`);
          expect(retriesOf(outcome.history, 'PollTransfer')).toHaveLength(failures.length);
          expect(outcome.states.filter((s) => UNDO_STATES.includes(s))).toEqual([]);
          expectOrder(outcome.states, HAPPY_PATH);
          expect(outcome.migration).toMatchObject({ restarts: 0, generation: 1 });
          await expectMigrated(harness, outcome, before);
        },
      );
    },
  );

  it('an error no mapping covers (AccessDeniedException from DynamoDB) is not retried: PollTransfer is undone and the migration restarted', async () => {
    // Prepare, Act: one answer, which the SDK does not retry either.
    const { before, outcome } = await migrateWithFaults(() => dynamoDb.faults, 1, ACCESS_DENIED);
    // Assess
    await explained(
      () => describeRun(outcome),
      async () => {
        const failures = outcome.history.filter(
          (e) => e.type === 'StateFailed' && e.state === 'PollTransfer',
        );
        expect(failures.map((e) => e.error)).toEqual(['AccessDeniedException']);
        expect(retriesOf(outcome.history, 'PollTransfer')).toEqual([]);
        const caught = outcome.history.find((e) => e.type === 'StateCaught' && e.state === 'PollTransfer');
        expect(caught?.caught).toEqual({ errorEquals: ['States.ALL'], next: 'UndoTransfer' });
        expectOrder(outcome.states, [
          'PollTransfer',
          'UndoTransfer',
          'UndoSetup',
          'DecideRestart',
          'RestartBackoff',
          'Setup',
          'StartTransfer',
          'Commit',
          'Migrated',
        ]);
        expect(outcome.migration).toMatchObject({ restarts: 1 });
        await expectMigrated(harness, outcome, before);
      },
    );
  });
});
