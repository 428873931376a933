// Issue 3, must-show 3: two executions started at once for the same SVM. The SVM lock lets one
// proceed to Migrated; the other fails fast in CheckState with ConflictError and changes
// nothing: one migration record, complete, and clusters that match it.
import { fenceTasks, killProcess } from '../../chaos/crash';
import { interceptTasks } from '../../chaos/interceptor';
import type { Execution } from '../../local/runner';
import {
  DEMO_SVM,
  describeRun,
  expectMigrated,
  expectOrder,
  explained,
  filesByVolume,
  HAPPY_PATH,
  Harness,
} from './harness';

/** Concurrent starts after the crash (issue 14: 16 of 20 took the migration over in turn). */
const STARTS = 20;

describe('two executions of one SVM at once', () => {
  let harness: Harness;
  let restore: (() => void) | undefined;

  afterEach(async () => {
    restore?.();
    restore = undefined;
    await harness?.stop();
  });

  it('lets one migrate and fails the other fast with ConflictError', async () => {
    harness = await Harness.start();
    const before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));

    const executions = [harness.start('first'), harness.start('second')];
    const results = await Promise.all(executions.map((e) => e.result));

    const describe = () =>
      executions
        .map((e, i) => `execution ${e.name}:\n${describeRun({ result: results[i], history: e.events })}`)
        .join('\n\n');
    await explained(describe, async () => {
      const winner = results.findIndex((r) => r.status === 'SUCCEEDED');
      expect(winner).toBeGreaterThanOrEqual(0);
      const loser = executions[1 - winner];
      expect(results[1 - winner]).toMatchObject({ status: 'FAILED', error: 'ConflictError' });
      // Failed fast: CheckState is the only state, and it was not retried.
      expect(loser.events.filter((e) => e.type === 'StateEntered').map((e) => e.state)).toEqual([
        'CheckState',
      ]);
      expect(loser.events.filter((e) => e.type === 'StateRetried')).toEqual([]);

      const outcome = await harness.outcome(executions[winner], results[winner]);
      expectOrder(outcome.states, HAPPY_PATH);
      const { items } = await harness.env.store.list();
      expect(items.map((m) => [m.owner, m.status])).toEqual([
        [executions[winner].executionArn, 'migrate_complete'],
      ]);
      expect(outcome.migration).toMatchObject({ generation: 1, restarts: 0 });
      // The loser never wrote to the migration: its events name the winner only.
      expect(JSON.stringify(outcome.events)).not.toContain(loser.executionArn);
      await expectMigrated(harness, outcome, before);
    });
  });

  it(`after a crash mid-transfer, of ${STARTS} concurrent starts one takes over and the others fail at CheckState`, async () => {
    // Prepare: the first execution's process dies once the transfer has started. Every task is
    // counted while it runs: which executions have one on the clusters at the same moment.
    harness = await Harness.start();
    const before = filesByVolume((await harness.snapshot()).source.svm(DEMO_SVM));
    fenceTasks(harness.env);
    let first: Execution | undefined;
    let crashed = false;
    const acting = new Map<string, number>();
    let mostAtOnce = 0;
    restore = interceptTasks(harness.env, {
      before: async (call) => {
        if (call.task === 'checkState' || !call.executionId) return;
        acting.set(call.executionId, (acting.get(call.executionId) ?? 0) + 1);
        mostAtOnce = Math.max(mostAtOnce, acting.size);
      },
      after: async (call) => {
        if (call.task === 'checkState' || !call.executionId) return;
        const left = (acting.get(call.executionId) ?? 1) - 1;
        if (left === 0) acting.delete(call.executionId);
        else acting.set(call.executionId, left);
        if (call.task === 'startTransfer' && first && call.executionId === first.executionArn && !crashed) {
          crashed = true;
          killProcess(first.executionArn);
          first.abort();
        }
      },
    });
    first = harness.start('crashed');
    await first.result;
    mostAtOnce = 0;

    // Act
    const executions = Array.from({ length: STARTS }, (_, i) => harness.start(`after-crash-${i}`));
    const results = await Promise.all(executions.map((e) => e.result));

    // Assess
    const describe = () =>
      executions
        .map((e, i) => `execution ${e.name}:\n${describeRun({ result: results[i], history: e.events })}`)
        .join('\n\n');
    await explained(describe, async () => {
      expect(crashed).toBe(true);
      const winners = executions.filter((_, i) => results[i].status === 'SUCCEEDED');
      expect(winners).toHaveLength(1);
      const losers = executions.filter((e) => e !== winners[0]);
      for (const loser of losers) {
        expect({
          name: loser.name,
          states: loser.events.filter((e) => e.type === 'StateEntered').map((e) => e.state),
        }).toEqual({ name: loser.name, states: ['CheckState'] });
        expect({ name: loser.name, result: results[executions.indexOf(loser)] }).toMatchObject({
          name: loser.name,
          result: { status: 'FAILED', error: 'ConflictError' },
        });
      }
      // No two executions ever had a task running at once (the losers never ran one).
      expect(mostAtOnce).toBe(1);
      const outcome = await harness.outcome(winners[0], results[executions.indexOf(winners[0])]);
      expect(outcome.migration).toMatchObject({ owner: winners[0].executionArn, generation: 1, restarts: 0 });
      const resumed = outcome.events.filter((e) => e.type === 'migration_resumed');
      expect(resumed.map((e) => e.detail?.executionId)).toEqual([winners[0].executionArn]);
      await expectMigrated(harness, outcome, before);
    });
  }, 180_000);
});
