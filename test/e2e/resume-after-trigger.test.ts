// Issue 14, failure 4 (a cut-over forgotten): with manual cut-over, the orchestrator dies right
// after PollCutoverTrigger consumed the trigger (phase `cutover_triggered`, request cleared). A
// fresh execution must go on to pre-commit, not wait again for a trigger that never comes back.
import { fenceTasks, killProcess } from '../../chaos/crash';
import { interceptTasks } from '../../chaos/interceptor';
import type { Execution } from '../../local/runner';
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
  INPUT,
  waitFor,
} from './harness';

describe('a crash after the cut-over trigger was consumed', () => {
  let harness: Harness;
  let restore: (() => void) | undefined;

  afterEach(async () => {
    restore?.();
    await harness?.stop();
  });

  it('resumes at pre-commit and completes without a second trigger', async () => {
    // Prepare: manual cut-over; the process dies as PollCutoverTrigger returns "ready".
    harness = await Harness.start();
    const before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));
    fenceTasks(harness.env);
    let first: Execution | undefined;
    let crashed = false;
    restore = interceptTasks(harness.env, {
      after: async (call, outcome) => {
        if (
          call.task !== 'pollCutoverTrigger' ||
          outcome.error ||
          crashed ||
          !first ||
          call.executionId !== first.executionArn
        )
          return;
        const m = await harness.env.store.get(call.migrationId ?? '');
        if (m?.phase !== 'cutover_triggered') return;
        crashed = true;
        killProcess(first.executionArn);
        first.abort();
      },
    });
    first = harness.env.start({ ...INPUT, autoCutover: false });
    const store = harness.env.store;
    const waiting = await waitFor(
      'the trigger wait',
      async () => {
        const m = await store.findActiveForSvm(INPUT.source.cluster, DEMO_SVM);
        return m?.phase === 'ready_for_cutover' && first && entered(first, 'PollCutoverTrigger')
          ? m
          : undefined;
      },
      60_000,
      20,
    );
    await store.request(waiting.id, 'cutover', new Date().toISOString());
    await first.result;
    const atCrash = await store.get(waiting.id);

    // Act: a fresh execution of the same migration.
    const execution = harness.env.start({ ...INPUT, autoCutover: false, migrationId: waiting.id });
    // Before the fix it waits for a trigger forever: stop at its second trigger poll.
    await waitFor(
      'the fresh execution to go on',
      () => entered(execution, 'PreCommit') || entered(execution, 'PollCutoverTrigger', 2),
      60_000,
      20,
    );
    if (!entered(execution, 'PreCommit')) execution.abort();
    const outcome = await harness.finish(execution);

    // Assess
    await explained(
      () => describeRun(outcome),
      async () => {
        expect(crashed).toBe(true);
        expect(atCrash).toMatchObject({ phase: 'cutover_triggered', requests: {} });
        expect(outcome.states.slice(0, 3)).toEqual(['CheckState', 'ResumePoint', 'PreCommit']);
        expect(outcome.states).not.toContain('PollCutoverTrigger');
        expectOrder(outcome.states, HAPPY_PATH.slice(HAPPY_PATH.indexOf('PreCommit')));
        expect(
          outcome.events.filter((e) => e.type === 'migration_resumed').map((e) => e.detail?.resumeAt),
        ).toEqual(['precommit']);
        await expectMigrated(harness, outcome, before);
      },
    );
  }, 180_000);
});
