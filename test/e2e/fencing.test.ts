// A task stops calling the clusters when its invocation is cancelled (its remaining time ran
// out) and when its execution lost the migration to another: the requests that reach the
// simulated clusters (seen by a recording proxy in front of each) show it. The order is set by
// holding the task's first call at the proxy, not by timing.
import { StaticConfigSource } from '../../lambdas/config';
import type { Dependencies } from '../../lambdas/domain/migration/dependencies';
import { ClusterConnections } from '../../lambdas/handlers/cluster-connections';
import { createHandlers, type TaskHandlers } from '../../lambdas/handlers/index';
import { runGuarded } from '../../lambdas/ontap/call-guard';
import { createLambdaContext } from '../../local/lambda-context';
import { type RecordingProxy, startRecordingProxy } from '../support/recording-proxy';
import { DESTINATION, Harness, INPUT, SOURCE } from './harness';

const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:svm-migrate-local:fencing';
const TAKEN_OVER_BY = 'arn:aws:states:us-east-1:123456789012:execution:svm-migrate-local:newer';

describe('cluster calls fenced by the invocation and the lease', () => {
  let harness: Harness;
  let proxies: { source: RecordingProxy; destination: RecordingProxy };
  let connections: ClusterConnections;
  let migrationId: string;
  let handlers: TaskHandlers;

  beforeEach(async () => {
    harness = await Harness.start({ volumes: 2 });
    const { clusters, dependencies, tunables } = harness.env;
    proxies = {
      source: await startRecordingProxy(clusters.source.baseUrl, clusters.source.ca),
      destination: await startRecordingProxy(clusters.destination.baseUrl, clusters.destination.ca),
    };
    const through = (c: typeof clusters.source, proxy: RecordingProxy) => ({
      name: c.name,
      baseUrl: proxy.url,
      username: c.username,
      password: c.password,
    });
    const config = new StaticConfigSource(tunables, {
      [SOURCE.cluster]: through(clusters.source, proxies.source),
      [DESTINATION.cluster]: through(clusters.destination, proxies.destination),
    });
    connections = new ClusterConnections(config, dependencies.logger, { jobPollMs: 5 });
    const deps: Dependencies = { ...dependencies, config, connect: connections.connect };
    handlers = createHandlers({ ...harness.env.tasks.context, dependencies: deps });
    // Prepare: a migration this execution owns, as CheckState leaves it.
    const pointer = (await handlers.checkState(
      { input: INPUT, executionId: EXECUTION },
      context(60_000),
    )) as { id: string };
    migrationId = pointer.id;
    // CheckState read both clusters through the proxies; the tests count what the task sends after it.
    proxies.source.requests.length = 0;
    proxies.destination.requests.length = 0;
  });

  afterEach(async () => {
    connections?.close();
    await Promise.all([proxies?.source.stop(), proxies?.destination.stop()]);
    await harness?.stop();
  });

  const context = (remainingMs: number) =>
    createLambdaContext({
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:svm-migrate-setup',
      memoryLimitInMB: 512,
      deadline: Date.now() + remainingMs,
    });
  const calls = () =>
    [...proxies.source.requests, ...proxies.destination.requests].map((r) => `${r.method} ${r.path}`);

  it("cuts the call in flight when the invocation's remaining time runs out, answers TimeoutError, and sends nothing after", async () => {
    // Prepare: Setup's first call is held at the cluster, past the deadline (middy cancels 1 s early).
    const held = Promise.race([proxies.source.close(), proxies.destination.close()]);
    // Act
    const invocation = handlers.setup({ migrationId, executionId: EXECUTION }, context(1_500));
    const first = await held;
    // Assess: the invocation answers TimeoutError, and the held call is abandoned by the client.
    await expect(invocation).rejects.toMatchObject({ name: 'TimeoutError' });
    await first.abandoned;
    // Every call that reached a cluster was in flight at the cancellation and cut by the client
    // (Setup reads both clusters at once); none was answered, so none led to another.
    const sent = [...proxies.source.requests, ...proxies.destination.requests];
    await Promise.all(sent.map((r) => r.abandoned));
    proxies.source.open();
    proxies.destination.open();
    expect(sent.every((r) => r.method === 'GET')).toBe(true);
    expect(calls()).toEqual(sent.map((r) => `${r.method} ${r.path}`));
  });

  it('sends no call once the invocation is cancelled', async () => {
    const cancelled = new AbortController();
    cancelled.abort();
    const guard = { signal: cancelled.signal, check: async () => undefined };
    const client = await connections.connect(SOURCE.cluster, 'source');
    await expect(runGuarded(guard, () => client.svms.list({ name: SOURCE.svm }))).rejects.toThrow();
    expect(calls()).toEqual([]);
  });

  it('makes no mutating call for an execution that lost the migration while it ran', async () => {
    // Prepare: Setup's first call (a read) is held while a newer execution takes the migration over.
    const held = Promise.race([proxies.source.close(), proxies.destination.close()]);
    const invocation = handlers.setup({ migrationId, executionId: EXECUTION }, context(60_000));
    const first = await held;
    expect(first.method).toBe('GET');
    await harness.env.store.takeOver(migrationId, { newOwner: TAKEN_OVER_BY, force: true });
    // Act
    proxies.source.open();
    proxies.destination.open();
    // Assess: the first change it would make is refused before it is sent.
    await expect(invocation).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(`no longer owns migration ${migrationId}`),
    });
    expect(calls().filter((c) => !c.startsWith('GET '))).toEqual([]);
    expect(calls().length).toBeGreaterThan(0);
  });
});
