// Claims 1 and 7: a step that fails intermittently is retried in place (Retry, no state
// re-entered) a bounded number of times and the migration continues; past MaxAttempts the
// step's undo chain runs and the migration restarts; network errors at the source, the
// destination or both are retried the same way.
import {
  DEMO_SVM,
  describeRun,
  expectMigrated,
  expectOrder,
  explained,
  filesByVolume,
  HAPPY_PATH,
  Harness,
  OBSERVED_RETRY_INTERVAL_MS,
  retriesOf,
  UNDO_STATES,
  waitFor,
} from './harness';

describe('intermittent failures (claims 1 and 7)', () => {
  let harness: Harness;
  let before: Record<string, Record<string, string>>;

  afterEach(async () => {
    await harness?.stop();
  });

  async function start(options: Parameters<typeof Harness.start>[0] = {}): Promise<void> {
    harness = await Harness.start(options);
    before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));
  }

  // The first call of each path in the run is made by the named step; one volume at a time,
  // so each attempt fails at its first call and consumes one of the N injected failures.
  it.each([
    { step: 'Setup', method: 'POST', path: '/api/storage/volumes', failures: 2 },
    { step: 'StartTransfer', method: 'PATCH', path: '/api/snapmirror/relationships/*', failures: 3 },
    { step: 'PreCommit', method: 'POST', path: '/api/network/ip/interfaces', failures: 1 },
    { step: 'Commit', method: 'PATCH', path: '/api/storage/volumes/*', failures: 2 },
  ])(
    'retries $step $failures time(s) on HTTP 503 from $method $path, then continues',
    async ({ step, method, path, failures }) => {
      await start({ tunables: { volumeConcurrency: 1 } });
      await harness.destination.injectError({
        method,
        path,
        status: 503,
        count: failures,
        message: 'service unavailable',
      });

      const outcome = await harness.finish(harness.start());

      await explained(
        () => describeRun(outcome),
        async () => {
          expectOrder(outcome.states, HAPPY_PATH);
          // Retry runs the task again inside the state: the state is entered once.
          expect(outcome.states.filter((s) => s === step)).toHaveLength(1);
          expect(outcome.states.filter((s) => UNDO_STATES.includes(s))).toEqual([]);
          expect(retriesOf(outcome.history, step).map((e) => e.retry)).toEqual(
            Array.from({ length: failures }, (_, i) => ({
              errorEquals: ['TransientError', 'NetworkError'],
              attempt: i + 1,
            })),
          );
          expect(outcome.migration).toMatchObject({
            retries: failures,
            restarts: 0,
            generation: 1,
            relocations: 0,
          });
          expect(outcome.events.filter((e) => e.type === 'step_retried').map((e) => e.detail?.state)).toEqual(
            Array(failures).fill(step),
          );
          await expectMigrated(harness, outcome, before);
        },
      );
    },
  );

  // MaxAttempts (cdk.json: 4) retries, then the step's Catch: its undo chain, DecideRestart, Setup again.
  it.each([
    { step: 'Setup', method: 'POST', path: '/api/storage/volumes', undo: ['UndoSetup'] },
    {
      step: 'StartTransfer',
      method: 'PATCH',
      path: '/api/snapmirror/relationships/*',
      undo: ['UndoTransfer', 'UndoSetup'],
    },
    {
      step: 'PreCommit',
      method: 'POST',
      path: '/api/network/ip/interfaces',
      undo: ['UndoPreCommit', 'UndoTransfer', 'UndoSetup'],
    },
  ])(
    'undoes $step after its retries are exhausted, restarts and finishes',
    async ({ step, method, path, undo }) => {
      await start({ tunables: { volumeConcurrency: 1 } });
      const maxAttempts = harness.env.tunables.retryMaxAttempts;
      await harness.destination.injectError({
        method,
        path,
        status: 503,
        count: maxAttempts + 1,
        message: 'service unavailable',
      });

      const outcome = await harness.finish(harness.start());

      await explained(
        () => describeRun(outcome),
        async () => {
          const failedAt = outcome.states.indexOf(step);
          expect(outcome.states.slice(failedAt, failedAt + undo.length + 5)).toEqual([
            step,
            ...undo,
            'DecideRestart',
            'RestartDecision',
            'RestartBackoff',
            'Setup',
          ]);
          expectOrder(outcome.states.slice(failedAt + undo.length + 3), HAPPY_PATH.slice(2));
          expect(retriesOf(outcome.history, step)).toHaveLength(maxAttempts);
          expect(outcome.migration).toMatchObject({
            retries: maxAttempts,
            restarts: 1,
            generation: 2,
            relocations: 0,
          });
          expect(outcome.events.map((e) => e.type)).toEqual(
            expect.arrayContaining([
              'rollback_started',
              'setup_undone',
              'migration_restarted',
              'migration_complete',
            ]),
          );
          await expectMigrated(harness, outcome, before);
        },
      );
    },
  );

  // Claim 7: no answer at all (connection refused) from one cluster or both, until a retry was seen.
  // CheckState is the first to meet it: it checks the request against both clusters.
  it.each([
    { where: 'the source', clusters: ['source'] as const, message: 'source cluster: ' },
    { where: 'the destination', clusters: ['destination'] as const, message: 'destination cluster: ' },
    {
      where: 'both clusters',
      clusters: ['source', 'destination'] as const,
      message: 'neither cluster answered',
    },
  ])('retries a network error at $where, then continues', async ({ clusters, message }) => {
    await start({ retryIntervalMs: OBSERVED_RETRY_INTERVAL_MS });
    for (const side of clusters) await harness[side].unreachable('refuse');

    const execution = harness.start();
    await waitFor('a retry of CheckState', () => retriesOf(execution.events, 'CheckState').length > 0);
    for (const side of clusters) await harness[side].reachable();
    const outcome = await harness.finish(execution);

    await explained(
      () => describeRun(outcome),
      async () => {
        // Usually one retry; a loaded machine may lift the fault after the second attempt, within MaxAttempts.
        const failures = outcome.history.filter((e) => e.type === 'StateFailed' && e.state === 'CheckState');
        const retries = retriesOf(outcome.history, 'CheckState').length;
        expect(retries).toBeGreaterThanOrEqual(1);
        expect(retries).toBeLessThanOrEqual(harness.env.tunables.retryMaxAttempts);
        expect(failures.map((e) => e.error)).toEqual(Array(retries).fill('NetworkError'));
        expect(failures[0].cause).toContain(message);
        expectOrder(outcome.states, HAPPY_PATH);
        expect(outcome.states.filter((s) => s === 'CheckState' || s === 'Setup')).toEqual([
          'CheckState',
          'Setup',
        ]);
        expect(outcome.states.filter((s) => UNDO_STATES.includes(s))).toEqual([]);
        // CheckState's retries come before the migration exists, so its record counts none.
        expect(outcome.migration).toMatchObject({ retries: 0, restarts: 0, generation: 1 });
        await expectMigrated(harness, outcome, before);
      },
    );
  });
});
